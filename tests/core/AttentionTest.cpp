// Attention (the transformer blocks' diffusers Attention) against the classic AttnProcessor
// formula written out here, on a sequence long enough (4096 tokens, scores of 4096² per head)
// that the module computes its heads in slices: the sliced result equals the one-shot formula
// to 1e-12 in float64 (the same arithmetic per head).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/model/Attention.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

torch::Tensor classicAttention(AttentionImpl& attention, const AttentionOptions& o, const torch::Tensor& x) {
    auto params = attention.named_parameters();
    const auto q = torch::matmul(x, params["to_q.weight"].t());
    const auto k = torch::matmul(x, params["to_k.weight"].t());
    const auto v = torch::matmul(x, params["to_v.weight"].t());
    const int64_t b = x.size(0), n = x.size(1);
    const auto heads = [&](const torch::Tensor& t) { return t.reshape({b, n, o.heads, o.headDim}).permute({0, 2, 1, 3}); };
    const auto scores = torch::matmul(heads(q), heads(k).transpose(-1, -2)) / std::sqrt(static_cast<double>(o.headDim));
    const auto attended = torch::matmul(torch::softmax(scores, -1), heads(v));  // (B, heads, N, d)
    const auto merged = attended.permute({0, 2, 1, 3}).reshape({b, n, o.heads * o.headDim});
    return torch::matmul(merged, params["to_out.0.weight"].t()) + params["to_out.0.bias"];
}

TEST(Attention, LongSequencesAreComputedInHeadSlicesWithTheSameResult) {
    torch::manual_seed(3);
    AttentionOptions options;
    options.queryDim = 8;
    options.heads = 2;
    options.headDim = 4;
    Attention attention(options);
    attention->to(torch::kFloat64);
    torch::NoGradGuard noGrad;
    for (int64_t tokens : {64, 4096}) {  // 4096: 2 heads × 4096² scores, above the one-shot limit
        SCOPED_TRACE(tokens);
        const auto x = torch::randn({1, tokens, 8}, torch::kFloat64);
        EXPECT_LE(test::relativeError(attention->forward(x, {}), classicAttention(*attention, options, x)), 1e-12);
    }
}

}  // namespace
}  // namespace latentlens
