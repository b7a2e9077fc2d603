#include "core/model/AttentionBlock.h"

#include <cmath>

#include <torch/torch.h>

namespace latentlens {

AttentionBlockImpl::AttentionBlockImpl(int64_t channels, int64_t headDim, int64_t groups, double eps,
                                       double rescaleOutputFactor)
    : channels_(channels), heads_(channels / headDim), headDim_(headDim), rescaleOutputFactor_(rescaleOutputFactor) {
    if (groups > 0) groupNorm_ = register_module("group_norm", GroupNorm(groups, channels, eps));
    toQ_ = register_module("to_q", Linear(channels, heads_ * headDim_));
    toK_ = register_module("to_k", Linear(channels, heads_ * headDim_));
    toV_ = register_module("to_v", Linear(channels, heads_ * headDim_));
    outProjection_ = Linear(heads_ * headDim_, channels);
    toOut_ = register_module("to_out", torch::nn::ModuleList(outProjection_));
}

torch::Tensor AttentionBlockImpl::forward(const torch::Tensor& x) {
    const int64_t batch = x.size(0), height = x.size(2), width = x.size(3);
    const int64_t positions = height * width;
    auto h = groupNorm_ ? groupNorm_->forward(x) : x;
    h = h.reshape({batch, channels_, positions}).transpose(1, 2);  // (B, HW, C)

    // (B, HW, heads*d) → (B*heads, HW, d)
    const auto splitHeads = [&](const torch::Tensor& t) {
        return t.reshape({batch, positions, heads_, headDim_}).permute({0, 2, 1, 3}).reshape({batch * heads_, positions, headDim_});
    };
    auto q = splitHeads(toQ_->forward(h));
    auto k = splitHeads(toK_->forward(h));
    auto v = splitHeads(toV_->forward(h));

    auto scores = torch::bmm(q, k.transpose(1, 2)) * std::pow(static_cast<double>(headDim_), -0.5);
    // diffusers' upcast_softmax computes the softmax in float32: that raises half precision and
    // (through .float()) also lowers float64. softmaxInFloat32_ reproduces that; without it,
    // float64 stays float64 (exact to float64 rounding, as finite differences need).
    const bool toFloat32 = softmaxInFloat32_ || scores.scalar_type() == torch::kHalf || scores.scalar_type() == torch::kBFloat16;
    auto probabilities = toFloat32 ? torch::softmax(scores.to(torch::kFloat32), -1).to(x.scalar_type()) : torch::softmax(scores, -1);
    auto attended = torch::bmm(probabilities, v);  // (B*heads, HW, d)
    attended = attended.reshape({batch, heads_, positions, headDim_}).permute({0, 2, 1, 3}).reshape({batch, positions, heads_ * headDim_});
    auto out = outProjection_->forward(attended).transpose(1, 2).reshape({batch, channels_, height, width});
    out = out + x;
    return rescaleOutputFactor_ == 1.0 ? out : out / rescaleOutputFactor_;
}

std::string AttentionBlockImpl::legacyParameterName(const std::string& name) {
    static const std::pair<const char*, const char*> renamed[] = {
        {"to_q.", "query."}, {"to_k.", "key."}, {"to_v.", "value."}, {"to_out.0.", "proj_attn."}};
    for (const auto& [current, legacy] : renamed) {
        const std::string prefix = current;
        if (name.compare(0, prefix.size(), prefix) == 0) return legacy + name.substr(prefix.size());
    }
    return "";
}

void setAttentionSoftmaxInFloat32(torch::nn::Module& model, bool enabled) {
    for (const auto& module : model.modules(/*include_self=*/false)) {
        if (auto* attention = dynamic_cast<AttentionBlockImpl*>(module.get())) attention->setSoftmaxInFloat32(enabled);
    }
}

}  // namespace latentlens
