#include "core/model/Attention.h"

#include <cmath>

#include <torch/torch.h>

namespace latentlens {

AttentionImpl::AttentionImpl(const AttentionOptions& options) : options_(options) {
    const int64_t inner = options.heads * options.headDim;
    const int64_t contextDim = options.crossAttentionDim > 0 ? options.crossAttentionDim : options.queryDim;
    toQ_ = register_module("to_q", torch::nn::Linear(torch::nn::LinearOptions(options.queryDim, inner).bias(options.bias)));
    toK_ = register_module("to_k", torch::nn::Linear(torch::nn::LinearOptions(contextDim, inner).bias(options.bias)));
    toV_ = register_module("to_v", torch::nn::Linear(torch::nn::LinearOptions(contextDim, inner).bias(options.bias)));
    outProjection_ = torch::nn::Linear(inner, options.queryDim);
    toOut_ = register_module("to_out", torch::nn::ModuleList(outProjection_));
}

bool AttentionImpl::castsToFloat32(torch::ScalarType dtype) const {
    return softmaxInFloat32_ || dtype == torch::kHalf || dtype == torch::kBFloat16;
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& context) {
    const auto& source = context.defined() ? context : x;
    const int64_t batch = x.size(0), queries = x.size(1), keys = source.size(1);
    const int64_t heads = options_.heads, headDim = options_.headDim;
    // (B, L, heads*d) → (B*heads, L, d)
    const auto splitHeads = [&](const torch::Tensor& t, int64_t length) {
        return t.reshape({batch, length, heads, headDim}).permute({0, 2, 1, 3}).reshape({batch * heads, length, headDim});
    };
    auto q = splitHeads(toQ_->forward(x), queries);
    auto k = splitHeads(toK_->forward(source), keys);
    auto v = splitHeads(toV_->forward(source), keys);

    const auto dtype = x.scalar_type();
    if (options_.upcastAttention && castsToFloat32(dtype)) {
        q = q.to(torch::kFloat32);
        k = k.to(torch::kFloat32);
    }
    auto scores = torch::bmm(q, k.transpose(1, 2)) * std::pow(static_cast<double>(headDim), -0.5);
    if (options_.upcastSoftmax && castsToFloat32(dtype)) scores = scores.to(torch::kFloat32);
    auto probabilities = torch::softmax(scores, -1).to(dtype);
    auto attended = torch::bmm(probabilities, v);  // (B*heads, N, d)
    attended = attended.reshape({batch, heads, queries, headDim}).permute({0, 2, 1, 3}).reshape({batch, queries, heads * headDim});
    return outProjection_->forward(attended);
}

}  // namespace latentlens
