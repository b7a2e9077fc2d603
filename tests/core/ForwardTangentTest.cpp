// The layers that take their own forward-mode tangent (Conv2d, Linear, GroupNorm, SiLU) against
// LibTorch's generic forward-mode AD of the same computation, float64: with a different primal
// in each row, and inside a SharedPrimalScope with one primal repeated (where they compute it
// once). And the reverse-mode graph a JacobianOperator keeps between calls.
#include <functional>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/geometry/FeatureJacobian.h"
#include "core/geometry/ForwardAdLevel.h"
#include "core/model/Activation.h"
#include "core/model/Conv2d.h"
#include "core/model/ForwardTangent.h"
#include "core/model/GroupNorm.h"
#include "core/model/Linear.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::relativeError;
using Layer = std::function<torch::Tensor(const torch::Tensor&)>;

struct PrimalAndTangent {
    torch::Tensor primal, tangent;
};

PrimalAndTangent pushForward(const Layer& layer, const torch::Tensor& x, const torch::Tensor& v, bool shared) {
    torch::NoGradGuard noGrad;
    ForwardAdLevel level;
    std::optional<SharedPrimalScope> scope;
    if (shared) scope.emplace();
    auto y = layer(level.makeDual(x, v));
    return {level.primal(y), level.tangent(y)};
}

// `ours` and `reference` compute the same function; ours takes its tangent itself.
void expectSameTangents(const Layer& ours, const Layer& reference, std::vector<int64_t> shape) {
    auto generator = at::detail::createCPUGenerator(11);
    auto distinct = at::randn(shape, generator, torch::kFloat64);
    shape[0] = 1;
    auto repeated = at::randn(shape, generator, torch::kFloat64).expand(distinct.sizes()).contiguous();
    auto v = at::randn(distinct.sizes(), generator, torch::kFloat64);
    for (bool shared : {false, true}) {
        const auto& x = shared ? repeated : distinct;
        const auto expected = pushForward(reference, x, v, false);
        const auto actual = pushForward(ours, x, v, shared);
        ASSERT_TRUE(actual.tangent.defined());
        EXPECT_EQ(actual.tangent.sizes(), expected.tangent.sizes());
        EXPECT_LE(relativeError(actual.tangent, expected.tangent), 1e-12) << (shared ? "shared primal" : "distinct primals");
        EXPECT_LE(relativeError(actual.primal, expected.primal), 1e-12) << (shared ? "shared primal" : "distinct primals");
    }
}

TEST(ForwardTangent, Conv2dTakesOneConvolutionPerTangent) {
    torch::manual_seed(1);
    for (auto options : {torch::nn::Conv2dOptions(4, 6, 3).padding(1), torch::nn::Conv2dOptions(4, 4, 3).stride(2).padding(1),
                         torch::nn::Conv2dOptions(4, 6, 1).bias(false)}) {
        Conv2d conv(options);
        conv->to(torch::kFloat64);
        expectSameTangents([&](const torch::Tensor& x) { return conv->forward(x); },
                           [&](const torch::Tensor& x) { return conv->torch::nn::Conv2dImpl::forward(x); }, {3, 4, 8, 8});
    }
}

TEST(ForwardTangent, LinearTakesOneMatrixProductPerTangent) {
    torch::manual_seed(2);
    for (bool bias : {true, false}) {
        Linear linear(torch::nn::LinearOptions(5, 7).bias(bias));
        linear->to(torch::kFloat64);
        expectSameTangents([&](const torch::Tensor& x) { return linear->forward(x); },
                           [&](const torch::Tensor& x) { return linear->torch::nn::LinearImpl::forward(x); }, {3, 6, 5});
    }
}

TEST(ForwardTangent, GroupNormTakesItsClosedFormDerivative) {
    GroupNorm norm(4, 8, 1e-5);
    torch::manual_seed(3);
    norm->to(torch::kFloat64);
    for (auto& p : norm->parameters()) {
        torch::NoGradGuard noGrad;
        p.normal_();
    }
    const auto weight = norm->named_parameters()["weight"], bias = norm->named_parameters()["bias"];
    const auto definition = [&](const torch::Tensor& x) {  // GroupNorm written out: what LibTorch's AD differentiates
        auto grouped = x.reshape({x.size(0), 4, -1});
        auto centered = grouped - grouped.mean(-1, true);
        auto normalized = (centered * torch::rsqrt((centered * centered).mean(-1, true) + 1e-5)).reshape(x.sizes());
        return normalized * weight.reshape({1, 8, 1, 1}) + bias.reshape({1, 8, 1, 1});
    };
    expectSameTangents([&](const torch::Tensor& x) { return norm->forward(x); }, definition, {3, 8, 5, 5});
}

TEST(ForwardTangent, SiluTakesItsDerivativeOnThePrimalRows) {
    expectSameTangents([](const torch::Tensor& x) { return activate(Activation::SiLU, x); },
                       [](const torch::Tensor& x) { return torch::silu(x); }, {3, 4, 6, 6});
}

// Jᵀ·U keeps the graph of f at k copies of x_t for the next call of width k; calls of other
// widths, in any order, give what a fresh operator gives.
TEST(ForwardTangent, ReverseProductsReuseTheirGraphAcrossCalls) {
    auto model = DiffusionPipeline::load(test::fixtureDir("ddpm-rgb16"), ModelOptions{torch::kFloat64, c10::Device(c10::kCPU)});
    auto generator = at::detail::createCPUGenerator(4);
    auto x = at::randn({1, 3, 16, 16}, generator, torch::kFloat64);
    FeatureJacobian kept(*model, x, 400);
    std::vector<torch::Tensor> blocks;
    for (int64_t width : {3, 3, 2, 3}) blocks.push_back(at::randn({width, kept.outputDim()}, generator, torch::kFloat64));
    for (const auto& U : blocks) {
        FeatureJacobian fresh(*model, x, 400);
        EXPECT_LE(relativeError(kept.vjp(U), fresh.vjp(U)), 1e-13);
    }
    EXPECT_EQ(kept.vjpCount(), 11);
}

}  // namespace
}  // namespace latentlens
