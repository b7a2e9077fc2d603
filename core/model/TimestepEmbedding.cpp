#include "core/model/TimestepEmbedding.h"

#include <cmath>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {

TimestepProjectionImpl::TimestepProjectionImpl(const UNet2DConfig& config)
    : type_(config.timeEmbeddingType),
      channels_(config.blockOutChannels.at(0)),
      outputDim_(config.timeEmbeddingType == "fourier" ? 2 * channels_ : channels_),
      flipSinToCos_(config.flipSinToCos),
      freqShift_(config.freqShift) {
    if (type_ == "fourier") {
        weight_ = register_parameter("weight", torch::zeros({channels_}), /*requires_grad=*/false);
    } else if (type_ == "learned") {
        weight_ = register_parameter("weight", torch::zeros({*config.numTrainTimesteps, channels_}), /*requires_grad=*/false);
    }
}

TimestepProjectionImpl::TimestepProjectionImpl(int64_t channels, bool flipSinToCos, double freqShift)
    : type_("positional"), channels_(channels), outputDim_(channels), flipSinToCos_(flipSinToCos), freqShift_(freqShift) {}

torch::Tensor TimestepProjectionImpl::forward(const torch::Tensor& timesteps) const {
    if (type_ == "learned") {
        return torch::embedding(weight_, timesteps.to(torch::kLong));
    }
    if (type_ == "fourier") {
        // GaussianFourierProjection(log=True, flip_sin_to_cos=False): in the weight's dtype.
        auto x = torch::log(timesteps.to(weight_.dtype()));
        auto projected = x.unsqueeze(1) * weight_.unsqueeze(0) * 2 * M_PI;
        return torch::cat({torch::sin(projected), torch::cos(projected)}, -1);
    }
    // get_timestep_embedding, step for step in float32.
    const int64_t half = channels_ / 2;
    auto exponent = -std::log(10000.0) * torch::arange(0, half, torch::TensorOptions().dtype(torch::kFloat32).device(timesteps.device()));
    exponent = exponent / (static_cast<double>(half) - freqShift_);
    auto frequencies = torch::exp(exponent);
    auto angles = timesteps.to(torch::kFloat32).unsqueeze(1) * frequencies.unsqueeze(0);
    auto embedding = torch::cat({torch::sin(angles), torch::cos(angles)}, -1);
    if (flipSinToCos_) {
        embedding = torch::cat({embedding.slice(1, half), embedding.slice(1, 0, half)}, -1);
    }
    if (channels_ % 2 == 1) {
        embedding = torch::constant_pad_nd(embedding, {0, 1, 0, 0});
    }
    return embedding;
}

torch::Tensor broadcastTimesteps(const torch::Tensor& timesteps, int64_t batch, torch::Device device) {
    auto t = timesteps.to(device);
    if (t.dim() == 0) t = t.unsqueeze(0);
    if (t.dim() != 1 || (t.size(0) != 1 && t.size(0) != batch)) {
        throw Error("timesteps must be a scalar or have one entry per sample (batch " + std::to_string(batch) +
                    "), got shape " + shapeText(timesteps.sizes()));
    }
    return t.size(0) == batch ? t : t.expand({batch});
}

TimestepEmbeddingImpl::TimestepEmbeddingImpl(int64_t inChannels, int64_t embedDim, Activation activation)
    : activation_(activation) {
    linear1_ = register_module("linear_1", Linear(inChannels, embedDim));
    linear2_ = register_module("linear_2", Linear(embedDim, embedDim));
}

torch::Tensor TimestepEmbeddingImpl::forward(const torch::Tensor& projected) {
    return linear2_->forward(activate(activation_, linear1_->forward(projected)));
}

}  // namespace latentlens
