#pragma once

#include <sstream>
#include <string>

namespace latentlens {

// The items (anything `<<` prints: names, numbers) written one after another with `separator`
// between them: {"a", "b"} → "a, b".
template <class Items>
std::string joinedText(const Items& items, const std::string& separator = ", ") {
    std::ostringstream text;
    bool first = true;
    for (const auto& item : items) {
        if (!first) text << separator;
        text << item;
        first = false;
    }
    return text.str();
}

}  // namespace latentlens
