#include "core/model/Attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <torch/torch.h>

namespace latentlens {
namespace {

// Largest score tensor computed at once (16 Mi elements: 64 MiB in float32, one head of SD at 64²).
constexpr int64_t kMaxScoreElements = int64_t(1) << 24;

}  // namespace

AttentionImpl::AttentionImpl(const AttentionOptions& options) : options_(options) {
    const int64_t inner = options.heads * options.headDim;
    const int64_t contextDim = options.crossAttentionDim > 0 ? options.crossAttentionDim : options.queryDim;
    toQ_ = register_module("to_q", Linear(torch::nn::LinearOptions(options.queryDim, inner).bias(options.bias)));
    toK_ = register_module("to_k", Linear(torch::nn::LinearOptions(contextDim, inner).bias(options.bias)));
    toV_ = register_module("to_v", Linear(torch::nn::LinearOptions(contextDim, inner).bias(options.bias)));
    outProjection_ = Linear(inner, options.queryDim);
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
    const double scale = std::pow(static_cast<double>(headDim), -0.5);
    const bool upcastScores = options_.upcastSoftmax && castsToFloat32(dtype);
    const auto attend = [&](const torch::Tensor& qs, const torch::Tensor& ks, const torch::Tensor& vs) {
        // scale · q kᵀ in one pass (diffusers' baddbmm with beta 0).
        auto scores = torch::baddbmm(torch::empty({qs.size(0), qs.size(1), ks.size(1)}, qs.options()), qs,
                                     ks.transpose(1, 2), /*beta=*/0.0, /*alpha=*/scale);
        if (upcastScores) scores = scores.to(torch::kFloat32);
        return torch::bmm(torch::softmax(scores, -1).to(dtype), vs);
    };
    // Attention slicing (as diffusers' enable_attention_slicing): the (B*heads, N, M) scores of
    // SD's 64² level at 512 px are 1 GiB; computed a few heads at a time they stay under
    // kMaxScoreElements, the same arithmetic per head.
    const int64_t rows = q.size(0);
    const int64_t sliceRows = std::max<int64_t>(1, kMaxScoreElements / std::max<int64_t>(1, queries * keys));
    torch::Tensor attended;  // (B*heads, N, d)
    if (sliceRows >= rows) {
        attended = attend(q, k, v);
    } else {
        std::vector<torch::Tensor> parts;
        for (int64_t begin = 0; begin < rows; begin += sliceRows) {
            const int64_t end = std::min(rows, begin + sliceRows);
            parts.push_back(attend(q.slice(0, begin, end), k.slice(0, begin, end), v.slice(0, begin, end)));
        }
        attended = torch::cat(parts);
    }
    attended = attended.reshape({batch, heads, queries, headDim}).permute({0, 2, 1, 3}).reshape({batch, queries, heads * headDim});
    return outProjection_->forward(attended);
}

}  // namespace latentlens
