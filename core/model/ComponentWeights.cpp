#include "core/model/ComponentWeights.h"

#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/FileSystem.h"

namespace latentlens {
namespace fs = std::filesystem;

fs::path findComponentWeights(const fs::path& folder, const std::string& stem, const std::string& variant) {
    const fs::path plain = folder / (stem + ".safetensors");
    const fs::path half = folder / (stem + ".fp16.safetensors");
    if (!variant.empty()) {
        const fs::path wanted = folder / (stem + "." + variant + ".safetensors");
        if (isRegularFile(wanted)) return wanted;
        if (isRegularFile(plain)) {
            spdlog::warn("{}: no {} weights ({}); using {}", folder.string(), variant, wanted.filename().string(),
                         plain.filename().string());
            return plain;
        }
    } else {
        if (isRegularFile(plain)) return plain;
        if (isRegularFile(half)) {
            spdlog::info("{}: only the fp16 weights are here; loading {}", folder.string(), half.filename().string());
            return half;
        }
    }
    std::vector<std::string> pickles = {stem + ".bin", stem + ".fp16.bin"};
    if (stem != "pytorch_model") pickles.push_back("pytorch_model.bin");
    for (const auto& name : pickles) {
        if (isRegularFile(folder / name)) {
            throw Error((folder / name).string() +
                        ": this is a PyTorch pickle checkpoint; LatentLens reads safetensors only (pickle files can run "
                        "code). Convert it once with diffusers/transformers: from_pretrained(folder)"
                        ".save_pretrained(folder, safe_serialization=True)");
        }
    }
    const fs::path looked = variant.empty() ? plain : folder / (stem + "." + variant + ".safetensors");
    throw Error(folder.string() + ": no " + looked.filename().string() + " in this folder");
}

}  // namespace latentlens
