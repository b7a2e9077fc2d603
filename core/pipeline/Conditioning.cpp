#include "core/pipeline/Conditioning.h"

#include <cstdint>
#include <cstdio>

namespace latentlens {

std::string Conditioning::idFor(const std::string& prompt, const std::string& negativePrompt, double guidanceScale) {
    if (prompt.empty() && negativePrompt.empty() && guidanceScale == 1.0) return {};
    char scale[32];
    std::snprintf(scale, sizeof scale, "%.9g", guidanceScale);
    // FNV-1a over the three fields, each followed by a unit separator so no two inputs collide by
    // shifting text from one field into the next.
    uint64_t hash = 14695981039346656037ull;
    for (const std::string* field : {&prompt, &negativePrompt}) {
        for (unsigned char c : *field) hash = (hash ^ c) * 1099511628211ull;
        hash = (hash ^ 0x1fu) * 1099511628211ull;
    }
    for (const char* c = scale; *c; ++c) hash = (hash ^ static_cast<unsigned char>(*c)) * 1099511628211ull;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return text;
}

}  // namespace latentlens
