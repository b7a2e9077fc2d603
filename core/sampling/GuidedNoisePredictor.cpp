#include "core/sampling/GuidedNoisePredictor.h"

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {
namespace {

// Embeddings of 1 row for the whole batch, or N rows, as (N, ...) for a batch of n.
torch::Tensor rowsFor(const torch::Tensor& embeddings, int64_t n) {
    if (embeddings.size(0) == n) return embeddings;
    if (embeddings.size(0) != 1) {
        throw Error("prompt embeddings have " + std::to_string(embeddings.size(0)) + " rows for a batch of " +
                    std::to_string(n));
    }
    std::vector<int64_t> shape = embeddings.sizes().vec();
    shape[0] = n;
    return embeddings.expand(shape);
}

}  // namespace

GuidedNoisePredictor::GuidedNoisePredictor(std::shared_ptr<const Denoiser> denoiser, Conditioning conditioning)
    : denoiser_(std::move(denoiser)), conditioning_(std::move(conditioning)) {
    if (!denoiser_) throw Error("a noise predictor needs a denoiser");
    if (conditioning_.needsGuidance() && conditioning_.isUnconditional()) {
        throw Error("guidance needs conditional embeddings beside the unconditional ones");
    }
}

torch::Tensor GuidedNoisePredictor::predict(const torch::Tensor& x, const torch::Tensor& timesteps) const {
    if (!conditioning_.needsGuidance()) return denoiser_->predict(x, timesteps, conditioning_);
    const int64_t n = x.size(0);
    Conditioning both = conditioning_;
    both.embeddings = torch::cat({rowsFor(conditioning_.unconditionalEmbeddings, n), rowsFor(conditioning_.embeddings, n)});
    both.unconditionalEmbeddings = torch::Tensor();
    both.guidanceScale = 1.0;
    const auto t = timesteps.numel() > 1 ? torch::cat({timesteps.reshape({-1}), timesteps.reshape({-1})}) : timesteps;
    const auto output = denoiser_->predict(torch::cat({x, x}), t, both);
    const auto unconditional = output.slice(0, 0, n);
    const auto conditional = output.slice(0, n, 2 * n);
    return unconditional + conditioning_.guidanceScale * (conditional - unconditional);
}

}  // namespace latentlens
