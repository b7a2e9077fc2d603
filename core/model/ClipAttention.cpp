#include "core/model/ClipAttention.h"

#include <cmath>
#include <limits>

#include <torch/torch.h>

namespace latentlens {

ClipAttentionImpl::ClipAttentionImpl(int64_t hiddenSize, int64_t heads)
    : hiddenSize_(hiddenSize), heads_(heads), headDim_(hiddenSize / heads) {
    qProj_ = register_module("q_proj", torch::nn::Linear(hiddenSize_, hiddenSize_));
    kProj_ = register_module("k_proj", torch::nn::Linear(hiddenSize_, hiddenSize_));
    vProj_ = register_module("v_proj", torch::nn::Linear(hiddenSize_, hiddenSize_));
    outProj_ = register_module("out_proj", torch::nn::Linear(hiddenSize_, hiddenSize_));
}

torch::Tensor ClipAttentionImpl::forward(const torch::Tensor& x, bool causal) {
    const int64_t batch = x.size(0), length = x.size(1);
    // (N, L, heads*d) → (N, heads, L, d)
    const auto splitHeads = [&](const torch::Tensor& t) {
        return t.reshape({batch, length, heads_, headDim_}).transpose(1, 2);
    };
    auto q = splitHeads(qProj_->forward(x));
    auto k = splitHeads(kProj_->forward(x));
    auto v = splitHeads(vProj_->forward(x));

    auto scores = torch::matmul(q, k.transpose(-1, -2)) * std::pow(static_cast<double>(headDim_), -0.5);
    if (causal) {
        // Row i keeps columns 0..i; the diagonal is never masked, so no row is all -inf.
        auto future = torch::ones({length, length}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).triu(1);
        scores = scores.masked_fill(future, -std::numeric_limits<double>::infinity());
    }
    const bool halfPrecision = scores.scalar_type() == torch::kHalf || scores.scalar_type() == torch::kBFloat16;
    auto probabilities = halfPrecision ? torch::softmax(scores.to(torch::kFloat32), -1).to(scores.scalar_type())
                                       : torch::softmax(scores, -1);
    auto attended = torch::matmul(probabilities, v).transpose(1, 2).reshape({batch, length, hiddenSize_});
    return outProj_->forward(attended);
}

}  // namespace latentlens
