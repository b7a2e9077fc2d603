#include "core/pipeline/PipelineLoader.h"

#include <system_error>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/Runtime.h"
#include "core/config/JsonConfigReader.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/pipeline/IdentityCodec.h"
#include "core/pipeline/UNet2DDenoiser.h"

namespace latentlens {
namespace fs = std::filesystem;
namespace {

bool isFile(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec);
}

// "_class_name" of a diffusers JSON file, or "" if the file or the key is absent. A file that does
// not parse says nothing here: the part that needs it reports the problem (model_index.json is
// needed by nothing yet).
std::string classNameIn(const fs::path& file, const std::string& what) {
    if (!isFile(file)) return {};
    try {
        const auto json = readJsonConfigFile(file, what);
        const auto found = json.is_object() ? json.find("_class_name") : json.end();
        return found != json.end() && found->is_string() ? found->get<std::string>() : std::string();
    } catch (const Error& e) {
        spdlog::debug("{}", e.what());
        return {};
    }
}

[[noreturn]] void notSupportedYet(const fs::path& folder, const std::string& className) {
    throw Error(folder.string() + ": " + className +
                " is not supported yet; LatentLens runs unconditional UNet2DModel pipelines (DDPM/DDIM) for now");
}

}  // namespace

std::shared_ptr<DiffusionPipeline> PipelineLoader::load(const fs::path& path, const ModelOptions& options) {
    if (options.dtype != c10::kFloat && options.dtype != c10::kDouble) {
        throw Error("models run in float32 or float64, not " + dtypeName(options.dtype));
    }
    const auto pipelineClass = classNameIn(path / "model_index.json", "pipeline index");
    if (pipelineClass.rfind("StableDiffusion", 0) == 0) notSupportedYet(path, pipelineClass);
    for (const auto& config : {path / "config.json", path / "unet" / "config.json"}) {
        if (classNameIn(config, "model config") == "UNet2DConditionModel") notSupportedYet(path, "UNet2DConditionModel");
    }

    auto folder = ModelFolder::resolve(path);
    const auto config = UNet2DConfig::load(folder.config);
    SchedulerConfig schedulerConfig;
    if (folder.schedulerConfig.empty()) {
        spdlog::warn("{}: no scheduler_config.json found; using DDIM defaults (linear betas 1e-4..0.02, 1000 steps)",
                     folder.root.string());
    } else {
        schedulerConfig = SchedulerConfig::load(folder.schedulerConfig);
    }
    auto denoiser = UNet2DDenoiser::load(config, folder.weights, options);
    auto codec = std::make_shared<IdentityCodec>(denoiser->latentShape());
    return std::make_shared<DiffusionPipeline>(std::move(folder), std::move(denoiser), std::move(codec), nullptr,
                                               DdimScheduler(schedulerConfig));
}

}  // namespace latentlens
