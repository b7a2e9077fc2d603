#include "core/model/DiffusionModel.h"

#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Runtime.h"
#include "core/model/SafetensorsFile.h"

namespace latentlens {

DiffusionModel::DiffusionModel(ModelFolder folder, UNet2DModel unet, DdimScheduler scheduler, ModelOptions options)
    : folder_(std::move(folder)), unet_(std::move(unet)), scheduler_(std::move(scheduler)), options_(options) {}

std::shared_ptr<DiffusionModel> DiffusionModel::load(const std::filesystem::path& path, const ModelOptions& options) {
    if (options.dtype != c10::kFloat && options.dtype != c10::kDouble) {
        throw Error("models run in float32 or float64, not " + dtypeName(options.dtype));
    }
    auto folder = ModelFolder::resolve(path);
    auto config = UNet2DConfig::load(folder.config);
    SchedulerConfig schedulerConfig;
    if (folder.schedulerConfig.empty()) {
        spdlog::warn("{}: no scheduler_config.json found; using DDIM defaults (linear betas 1e-4..0.02, 1000 steps)",
                     folder.root.string());
    } else {
        schedulerConfig = SchedulerConfig::load(folder.schedulerConfig);
    }
    UNet2DModel unet(config);
    unet->to(options.device, options.dtype);
    {
        SafetensorsFile weights(folder.weights);
        unet->loadWeights(weights);
    }
    for (auto& parameter : unet->parameters()) parameter.set_requires_grad(false);
    unet->setSoftmaxInFloat32(options.softmaxInFloat32);
    unet->eval();
    spdlog::debug("loaded {} ({} parameters, {}, {})", folder.weights.string(), unet->parameterCount(),
                  dtypeName(options.dtype), options.device.str());
    return std::shared_ptr<DiffusionModel>(
        new DiffusionModel(std::move(folder), std::move(unet), DdimScheduler(schedulerConfig), options));
}

std::vector<int64_t> DiffusionModel::sampleShape() const {
    return {config().inChannels, config().sampleSize, config().sampleSize};
}

torch::TensorOptions DiffusionModel::tensorOptions() const {
    return torch::TensorOptions().dtype(options_.dtype).device(options_.device);
}

std::string DiffusionModel::describe() const {
    const auto& c = config();
    const auto& s = scheduler_.config();
    std::ostringstream out;
    const auto join = [](const auto& items) {
        std::ostringstream text;
        for (size_t i = 0; i < items.size(); ++i) text << (i ? ", " : "") << items[i];
        return text.str();
    };
    const auto h = unet_->featureShape(BlockId::mid());
    out << "model:       " << name() << " (" << folder_.root.string() << ")\n"
        << "weights:     " << folder_.weights.string() << "\n"
        << "class:       UNet2DModel, " << parameterCount() << " parameters, " << dtypeName(options_.dtype) << " on "
        << options_.device.str() << "\n"
        << "input:       " << c.inChannels << " x " << c.sampleSize << " x " << c.sampleSize << "\n"
        << "blocks:      down [" << join(c.downBlockTypes) << "], up [" << join(c.upBlockTypes) << "]\n"
        << "channels:    [" << join(c.blockOutChannels) << "], " << c.layersPerBlock << " layer(s) per block, "
        << c.normNumGroups << " norm groups, eps " << c.normEps << "\n"
        << "attention:   head dim " << (c.attentionHeadDim ? std::to_string(*c.attentionHeadDim) : "= channels")
        << ", mid-block attention " << (c.addAttention ? "on" : "off") << "\n"
        << "time:        " << c.timeEmbeddingType << " (flip_sin_to_cos " << (c.flipSinToCos ? "true" : "false")
        << ", freq_shift " << c.freqShift << "), resnet_time_scale_shift " << c.resnetTimeScaleShift << "\n"
        << "h (mid):     " << h[0] << " x " << h[1] << " x " << h[2] << " = " << h[0] * h[1] * h[2] << " dims\n"
        << "scheduler:   " << s.className << " -> DDIM, " << s.numTrainTimesteps << " train steps, "
        << (s.trainedBetas.empty() ? s.betaSchedule : std::string("trained")) << " betas " << s.betaStart << ".."
        << s.betaEnd << ", " << s.predictionType << " prediction, spacing " << s.timestepSpacing << ", clip_sample "
        << (s.clipSample ? "true" : "false") << ", set_alpha_to_one " << (s.setAlphaToOne ? "true" : "false") << "\n";
    return out.str();
}

}  // namespace latentlens
