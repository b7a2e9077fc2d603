#pragma once

#include <cstdint>

#include <torch/types.h>

namespace latentlens {

// Forward-mode tangents through the networks' heavy layers, computed directly.
//
// LibTorch 1.13 pushes a forward-mode tangent through a convolution or a linear layer with two
// extra products (one against the weight's zero tangent), and GroupNorm, which has no forward
// formula there, through a dozen elementwise ops. Conv2d, Linear, GroupNorm and SiLU (activate)
// instead unpack the dual input, take the tangent themselves (one product without bias;
// GroupNorm's closed-form derivative; silu' of the primal) and pack the result again. Every
// other op keeps LibTorch's own formula.
//
// A SharedPrimalScope says more: within it (on this thread) every forward-mode batch is one
// point repeated, one tangent per row, as JacobianOperator's J·V is. Those layers then compute
// the primal on the first row only and repeat it, so a block of b tangents costs one primal
// pass plus b tangent passes instead of b of each.
//
// Forward mode uses level 0 only (LibTorch 1.13 has no nested levels).
class SharedPrimalScope {
public:
    SharedPrimalScope();
    ~SharedPrimalScope();
    SharedPrimalScope(const SharedPrimalScope&) = delete;
    SharedPrimalScope& operator=(const SharedPrimalScope&) = delete;

    // Whether the innermost scope on this thread is open.
    static bool active();

private:
    bool previous_;
};

// A tensor split into its primal and its forward-mode tangent (undefined if it carries none).
struct DualParts {
    torch::Tensor primal;
    torch::Tensor tangent;

    static DualParts of(const torch::Tensor& x);
    bool hasTangent() const { return tangent.defined(); }
    // The primal rows a layer has to compute: the first row inside a SharedPrimalScope, else all.
    torch::Tensor primalRows() const;
    // A layer's output from its primal rows (repeated to the batch if only the first was
    // computed) and the output tangent.
    torch::Tensor pack(const torch::Tensor& primalOutputRows, const torch::Tensor& tangentOutput) const;
};

}  // namespace latentlens
