#include "core/model/ForwardTangent.h"

#include <torch/torch.h>

namespace latentlens {
namespace {

thread_local bool sharedPrimal = false;
constexpr int64_t kLevel = 0;

}  // namespace

SharedPrimalScope::SharedPrimalScope() : previous_(sharedPrimal) { sharedPrimal = true; }

SharedPrimalScope::~SharedPrimalScope() { sharedPrimal = previous_; }

bool SharedPrimalScope::active() { return sharedPrimal; }

DualParts DualParts::of(const torch::Tensor& x) {
    if (!x._fw_grad(kLevel).defined()) return {x, torch::Tensor()};
    auto [primal, tangent] = at::_unpack_dual(x, kLevel);
    return {primal, tangent};
}

torch::Tensor DualParts::primalRows() const {
    return sharedPrimal && primal.size(0) > 1 ? primal.slice(0, 0, 1) : primal;
}

torch::Tensor DualParts::pack(const torch::Tensor& primalOutputRows, const torch::Tensor& tangentOutput) const {
    auto primalOutput = primalOutputRows;
    if (primalOutputRows.size(0) != tangentOutput.size(0)) {
        auto sizes = tangentOutput.sizes().vec();
        primalOutput = primalOutputRows.expand(sizes).contiguous();
    }
    return at::_make_dual(primalOutput, tangentOutput.contiguous(), kLevel);
}

}  // namespace latentlens
