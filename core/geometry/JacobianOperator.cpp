#include "core/geometry/JacobianOperator.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/geometry/ForwardAdLevel.h"
#include "core/model/ForwardTangent.h"

namespace latentlens {
namespace {

int64_t product(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

}  // namespace

JacobianOperator::JacobianOperator(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                                   Conditioning conditioning, std::vector<int64_t> outputShape, int64_t chunkSize)
    : model_(model),
      conditioning_(std::move(conditioning)),
      x_(x.dim() == 3 ? x.unsqueeze(0) : x),
      timestep_(timestep),
      chunkSize_(std::max<int64_t>(1, chunkSize)),
      inputShape_(model.latentShape()),
      outputShape_(std::move(outputShape)),
      inputDim_(product(inputShape_)),
      outputDim_(product(outputShape_)) {
    const auto& expected = inputShape_;
    if (x_.dim() != 4 || x_.size(0) != 1 || x_.size(1) != expected[0] || x_.size(2) != expected[1] ||
        x_.size(3) != expected[2]) {
        throw Error("the Jacobian is taken at one sample of shape (" + std::to_string(expected[0]) + ", " +
                    std::to_string(expected[1]) + ", " + std::to_string(expected[2]) + ")");
    }
    const int64_t last = model.numTrainTimesteps() - 1;
    if (timestep < 0 || timestep > last) {
        throw Error("timestep " + std::to_string(timestep) + " is outside 0.." + std::to_string(last));
    }
    x_ = x_.detach().to(model.tensorOptions());
}

std::vector<int64_t> JacobianOperator::batchShape(int64_t k) const {
    std::vector<int64_t> shape{k};
    shape.insert(shape.end(), inputShape_.begin(), inputShape_.end());
    return shape;
}

torch::Tensor JacobianOperator::forwardProducts(const BatchFunction& f, const torch::Tensor& V) const {
    const int64_t k = V.size(0);
    const auto shape = batchShape(k);
    torch::NoGradGuard noGrad;
    ForwardAdLevel level;
    SharedPrimalScope sharedPrimal;  // every row is x_t: the layers compute its primal once
    auto primal = x_.expand(shape).contiguous();
    auto tangent = V.to(model_.tensorOptions()).reshape(shape).contiguous();
    auto result = level.tangent(f(level.makeDual(primal, tangent)));
    if (!result.defined()) return torch::zeros({k, outputDim_}, torch::kFloat64);  // f does not depend on x
    return result.reshape({k, outputDim_}).to(torch::kCPU, torch::kFloat64);
}

torch::Tensor JacobianOperator::reverseProducts(const BatchFunction& f, const torch::Tensor& U) const {
    const int64_t k = U.size(0);
    torch::AutoGradMode enableGrad(true);
    // The graph of f at k copies of x_t is the same for every U: built once, kept for the next
    // call of the same width (a solver's every block), and only the backward pass is repeated.
    if (!kept_.output.defined() || kept_.rows != k) {
        kept_ = {};  // its activations go before the next graph's come
        auto input = x_.expand(batchShape(k)).contiguous().requires_grad_(true);
        auto output = f(input);
        kept_ = {k, input, output};
    }
    auto cotangent = U.to(model_.tensorOptions()).reshape(kept_.output.sizes());
    auto grads = torch::autograd::grad({kept_.output}, {kept_.input}, {cotangent},
                                       /*retain_graph=*/true);
    return grads[0].reshape({k, inputDim_}).to(torch::kCPU, torch::kFloat64);
}

torch::Tensor JacobianOperator::inChunks(const torch::Tensor& rows, int64_t resultWidth, ChunkProduct product,
                                         int64_t& count, const Progress& progress) const {
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < rows.size(0); start += chunkSize_) {
        progress.throwIfCancelled();
        auto chunk = rows.slice(0, start, std::min(start + chunkSize_, rows.size(0)));
        parts.push_back((this->*product)(chunk, progress));
        count += chunk.size(0);
    }
    return parts.empty() ? torch::zeros({0, resultWidth}, torch::kFloat64) : torch::cat(parts);
}

torch::Tensor JacobianOperator::jvp(const torch::Tensor& V, const Progress& progress) const {
    if (V.dim() != 2 || V.size(1) != inputDim_) throw Error("J·V needs V of shape (k, " + std::to_string(inputDim_) + ")");
    return inChunks(V, outputDim_, &JacobianOperator::jvpChunk, jvpCount_, progress);
}

torch::Tensor JacobianOperator::vjp(const torch::Tensor& U, const Progress& progress) const {
    if (U.dim() != 2 || U.size(1) != outputDim_) throw Error("Jᵀ·U needs U of shape (k, " + std::to_string(outputDim_) + ")");
    return inChunks(U, inputDim_, &JacobianOperator::vjpChunk, vjpCount_, progress);
}

}  // namespace latentlens
