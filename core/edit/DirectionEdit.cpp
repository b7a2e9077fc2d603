#include "core/edit/DirectionEdit.h"

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

double editUnit(const torch::Tensor& xt) { return xt.to(torch::kFloat64).norm().item<double>() / 20.0; }

void checkBasisFits(const PullbackBasis& basis, const DiffusionPipeline& model, int64_t timestep) {
    const auto shape = model.latentShape();
    if (!basis.v.defined() || basis.v.dim() != 4 || basis.v.sizes().slice(1).vec() != shape) {
        throw Error("the basis was computed for inputs of another shape than model " + model.name() + "'s (" +
                    std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ", " + std::to_string(shape[2]) + ")");
    }
    if (!basis.modelName.empty() && basis.modelName != model.name()) {
        throw Error("the basis belongs to model " + basis.modelName + ", not " + model.name());
    }
    if (basis.timestep != timestep) {
        throw Error("the basis was computed at t = " + std::to_string(basis.timestep) + ", not at t = " +
                    std::to_string(timestep) + "; directions change with t");
    }
}

torch::Tensor shiftAlongDirections(const torch::Tensor& xt, const PullbackBasis& basis,
                                   const std::vector<int64_t>& indices, const std::vector<double>& alphas) {
    if (indices.size() != alphas.size()) {
        throw Error("give one strength per direction (" + std::to_string(indices.size()) + " directions, " +
                    std::to_string(alphas.size()) + " strengths)");
    }
    const auto sampleShape = basis.v.sizes().slice(1);
    const bool batched = xt.dim() == 4;
    if ((batched ? xt.sizes().slice(1) : xt.sizes()) != sampleShape || (batched && xt.size(0) != 1)) {
        throw Error("x_t does not have the shape of the basis directions");
    }
    const double unit = editUnit(xt);
    auto shift = torch::zeros(sampleShape, torch::kFloat64);
    for (size_t i = 0; i < indices.size(); ++i) {
        if (indices[i] < 0 || indices[i] >= basis.k) {
            throw Error("direction " + std::to_string(indices[i]) + " does not exist: the basis has directions 0.." +
                        std::to_string(basis.k - 1));
        }
        shift += alphas[i] * unit * basis.v[indices[i]];
    }
    return xt + shift.to(xt.options()).reshape(xt.sizes());
}

torch::Tensor shiftAlongEachDirection(const torch::Tensor& xt, const PullbackBasis& basis, double alpha) {
    std::vector<torch::Tensor> shifted;
    for (int64_t i = 0; i < basis.k; ++i) {
        for (double sign : {-1.0, 1.0}) {
            auto x = shiftAlongDirections(xt, basis, {i}, {sign * alpha});
            shifted.push_back(x.dim() == 3 ? x.unsqueeze(0) : x);
        }
    }
    return torch::cat(shifted, 0);
}

}  // namespace latentlens
