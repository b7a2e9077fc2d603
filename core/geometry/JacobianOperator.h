#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/Progress.h"
#include "core/pipeline/Conditioning.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

// A Jacobian J = ∂f/∂x_t of some output f of the network at one point x_t and timestep t, used only
// through products: J·V (forward-mode AD) and Jᵀ·U (reverse mode), each batched over a block of
// vectors and chunked to bound memory. J itself is never formed. The basis solvers take any kind:
// FeatureJacobian (f = a block's output h, the paper's pullback), PosteriorMeanJacobian (f = x̂0,
// optionally under a mask) and NullSpaceJacobian (another Jacobian restricted to a subspace).
class JacobianOperator {
public:
    virtual ~JacobianOperator() = default;
    JacobianOperator(const JacobianOperator&) = delete;
    JacobianOperator& operator=(const JacobianOperator&) = delete;

    int64_t inputDim() const { return inputDim_; }    // C·H·W of x_t
    int64_t outputDim() const { return outputDim_; }  // dim f
    const std::vector<int64_t>& inputShape() const { return inputShape_; }  // (C, H, W)
    const std::vector<int64_t>& outputShape() const { return outputShape_; }
    int64_t timestep() const { return timestep_; }
    const DiffusionPipeline& model() const { return model_; }
    const Conditioning& conditioning() const { return conditioning_; }
    // The point x_t, (1, C, H, W) in the model's dtype.
    const torch::Tensor& point() const { return x_; }
    // What f is, as a basis records it: a block's name ("mid", "down.2") or "x0".
    virtual std::string outputName() const = 0;

    // V: (k, inputDim) → J·V as (k, outputDim), in float64. Checks the cancel flag between chunks.
    torch::Tensor jvp(const torch::Tensor& V, const Progress& progress = {}) const;
    // U: (k, outputDim) → Jᵀ·U as (k, inputDim), in float64.
    torch::Tensor vjp(const torch::Tensor& U, const Progress& progress = {}) const;

    // Vectors pushed through J (jvp) and Jᵀ (vjp) so far.
    int64_t jvpCount() const { return jvpCount_; }
    int64_t vjpCount() const { return vjpCount_; }

protected:
    // x: (1, C, H, W) or (C, H, W), a latent of the pipeline's latentShape(); throws Error for
    // another shape or a timestep outside the schedule.
    JacobianOperator(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                     Conditioning conditioning, std::vector<int64_t> outputShape, int64_t chunkSize);

    // One chunk (c ≤ chunkSize rows, float64 CPU) through J or Jᵀ, in float64 CPU.
    virtual torch::Tensor jvpChunk(const torch::Tensor& V, const Progress& progress) const = 0;
    virtual torch::Tensor vjpChunk(const torch::Tensor& U, const Progress& progress) const = 0;

    // (k, C, H, W): the shape of a batch of k inputs.
    std::vector<int64_t> batchShape(int64_t k) const;

    // What a kind differentiates: a batch of inputs (k, C, H, W) in the model's dtype → the batch
    // of outputs (k, ...), with everything differentiable.
    using BatchFunction = std::function<torch::Tensor(const torch::Tensor&)>;
    // J·V of f at point() by forward mode (point() repeated k times, tangents V), and Jᵀ·U by
    // reverse mode; rows float64 CPU in and out. f must be the same function on every call:
    // reverse mode keeps the graph of f at k copies of point() for the next call of width k.
    torch::Tensor forwardProducts(const BatchFunction& f, const torch::Tensor& V) const;
    torch::Tensor reverseProducts(const BatchFunction& f, const torch::Tensor& U) const;

private:
    // rows pushed through `product` chunk by chunk (checking the cancel flag), counted in `count`.
    using ChunkProduct = torch::Tensor (JacobianOperator::*)(const torch::Tensor&, const Progress&) const;
    torch::Tensor inChunks(const torch::Tensor& rows, int64_t resultWidth, ChunkProduct product, int64_t& count,
                           const Progress& progress) const;

    const DiffusionPipeline& model_;
    Conditioning conditioning_;
    torch::Tensor x_;
    int64_t timestep_;
    int64_t chunkSize_;
    std::vector<int64_t> inputShape_;
    std::vector<int64_t> outputShape_;
    int64_t inputDim_;
    int64_t outputDim_;
    mutable int64_t jvpCount_ = 0;
    mutable int64_t vjpCount_ = 0;
    // reverseProducts' graph of f at `rows` copies of x_t (its activations stay in memory).
    struct ReverseGraph {
        int64_t rows = 0;
        torch::Tensor input, output;
    };
    mutable ReverseGraph kept_;
};

}  // namespace latentlens
