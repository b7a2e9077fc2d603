#include "core/pipeline/PipelineLoader.h"

#include <system_error>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/FileSystem.h"
#include "core/Runtime.h"
#include "core/config/JsonConfigReader.h"
#include "core/pipeline/AutoencoderKLCodec.h"
#include "core/pipeline/ClipTextEncoder.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/pipeline/IdentityCodec.h"
#include "core/pipeline/StableDiffusionFolder.h"
#include "core/pipeline/UNet2DConditionDenoiser.h"
#include "core/pipeline/UNet2DDenoiser.h"

namespace latentlens {
namespace fs = std::filesystem;
namespace {


// "_class_name" of a diffusers JSON file, or "" if the file or the key is absent. A file that does
// not parse says nothing here: the part that needs it reports the problem (model_index.json is
// needed by nothing yet).
std::string classNameIn(const fs::path& file, const std::string& what) {
    if (!isRegularFile(file)) return {};
    try {
        const auto json = readJsonConfigFile(file, what);
        const auto found = json.is_object() ? json.find("_class_name") : json.end();
        return found != json.end() && found->is_string() ? found->get<std::string>() : std::string();
    } catch (const Error& e) {
        spdlog::debug("{}", e.what());
        return {};
    }
}

std::shared_ptr<DiffusionPipeline> loadStableDiffusion(const fs::path& path, const ModelOptions& options) {
    const auto sd = StableDiffusionFolder::resolve(path);
    // Everything cheap is read first, so a bad config fails before any weights are loaded.
    const auto schedulerConfig = SchedulerConfig::load(sd.schedulerConfig);
    auto folder = ModelFolder::resolve(path, options.variant);
    auto denoiser = UNet2DConditionDenoiser::load(sd.unet, options);
    auto codec = AutoencoderKLCodec::load(sd.vae, options, denoiser->latentShape());
    auto textEncoder = ClipTextEncoder::load(sd.tokenizer, sd.textEncoder, options);
    const auto width = textEncoder->embeddingShape()[1];
    if (width != denoiser->contextDim()) {
        throw Error((sd.textEncoder / "config.json").string() + ": the text encoder's hidden size " +
                    std::to_string(width) + " differs from the UNet's cross_attention_dim " +
                    std::to_string(denoiser->contextDim()) + " (" + (sd.unet / "config.json").string() + ")");
    }
    if (schedulerConfig.className != "DDIMScheduler") {
        spdlog::info("{}: {} config, run as DDIM (as DDIMScheduler.from_config reads it)", sd.schedulerConfig.string(),
                     schedulerConfig.className);
    }
    return std::make_shared<DiffusionPipeline>(std::move(folder), std::move(denoiser), std::move(codec),
                                               std::move(textEncoder), DdimScheduler(schedulerConfig));
}

}  // namespace

std::shared_ptr<DiffusionPipeline> PipelineLoader::load(const fs::path& path, const ModelOptions& options) {
    checkComputeDtype(options.dtype, options.device, path.string());
    if (StableDiffusionFolder::isStableDiffusion(path)) return loadStableDiffusion(path, options);
    for (const auto& config : {path / "config.json", path / "unet" / "config.json"}) {
        if (classNameIn(config, "model config") == "UNet2DConditionModel") {
            throw Error(path.string() + ": a UNet2DConditionModel needs its pipeline (VAE, text encoder, tokenizer, "
                        "scheduler): open the Stable Diffusion pipeline folder with model_index.json");
        }
    }

    auto folder = ModelFolder::resolve(path, options.variant);
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
