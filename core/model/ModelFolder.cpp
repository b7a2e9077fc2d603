#include "core/model/ModelFolder.h"

#include <cstdlib>
#include <system_error>
#include <vector>

#include <unistd.h>

#include "core/Error.h"
#include "core/FileSystem.h"
#include "core/model/ComponentWeights.h"

namespace latentlens {
namespace fs = std::filesystem;
namespace {


fs::path executableDir() {
    std::vector<char> buffer(4096);
    const ssize_t length = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
    if (length <= 0) return {};
    return fs::path(std::string(buffer.data(), static_cast<size_t>(length))).parent_path();
}

}  // namespace

ModelFolder ModelFolder::resolve(const fs::path& folder, const std::string& variant) {
    std::error_code ec;
    if (!fs::exists(folder, ec)) throw Error(folder.string() + ": no such model folder");
    if (!fs::is_directory(folder, ec)) {
        throw Error(folder.string() + ": a model is a folder (config.json + diffusion_pytorch_model.safetensors), not a file");
    }
    ModelFolder result;
    result.root = folder;
    fs::path unetDir;
    if (isRegularFile(folder / "config.json")) {
        unetDir = folder;
    } else if (isRegularFile(folder / "unet" / "config.json")) {
        unetDir = folder / "unet";
    } else {
        throw Error(folder.string() + ": not a diffusers model folder (no config.json here or in unet/)");
    }
    result.config = unetDir / "config.json";
    result.weights = findComponentWeights(unetDir, "diffusion_pytorch_model", variant);
    for (const auto& candidate : {unetDir / "scheduler_config.json", unetDir / "scheduler" / "scheduler_config.json",
                                  unetDir.parent_path() / "scheduler" / "scheduler_config.json"}) {
        if (isRegularFile(candidate)) {
            result.schedulerConfig = candidate;
            break;
        }
    }
    auto canonical = fs::weakly_canonical(folder, ec);
    result.name = (ec ? folder : canonical).filename().string();
    if (result.name == "unet") result.name = (ec ? folder : canonical).parent_path().filename().string();
    return result;
}

fs::path ModelFolder::defaultModelPath() {
    if (const char* env = std::getenv("LATENTLENS_MODEL_DIR"); env && *env) return fs::path(env);
    std::vector<fs::path> candidates;
    const auto exeDir = executableDir();
    if (!exeDir.empty()) candidates.push_back(exeDir.parent_path() / "share" / "latentlens" / "models" / "fmnist32");
    candidates.push_back(fs::path(LATENTLENS_INSTALL_MODEL_DIR) / "fmnist32");
    candidates.push_back(fs::path(LATENTLENS_SOURCE_MODEL_DIR) / "fmnist32");
    for (const auto& candidate : candidates) {
        if (isRegularFile(candidate / "config.json")) return candidate;
    }
    throw Error("the embedded default model (fmnist32) was not found; looked in " + candidates.back().string() +
                " and the install location; pass --model DIR");
}

}  // namespace latentlens
