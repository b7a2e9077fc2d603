#include "core/edit/ParallelTransport.h"

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

TransportedDirection transportDirection(const PullbackBasis& source, int64_t index, const JacobianOperator& target,
                                        const PullbackBasis* targetBasis, const Progress& progress) {
    if (index < 0 || index >= source.k) {
        throw Error("direction " + std::to_string(index) + " does not exist: the basis has directions 0.." +
                    std::to_string(source.k - 1));
    }
    if (source.timestep != target.timestep() || source.block != target.outputName()) {
        throw Error("parallel transport needs both samples at the same t and block (source: t = " +
                    std::to_string(source.timestep) + ", " + source.block + "; target: t = " +
                    std::to_string(target.timestep()) + ", " + target.outputName() + ")");
    }
    if (source.u.size(1) != target.outputDim()) throw Error("the source basis has another H-space dimension");
    auto pulled = target.vjp(source.u[index].unsqueeze(0), progress)[0];  // J_Bᵀ u_i
    auto norm = pulled.norm().item<double>();
    if (norm == 0) throw Error("the target Jacobian annihilates this direction; nothing to transport");
    auto v = pulled / norm;
    auto sourceV = source.v[index].reshape({-1}).to(torch::kFloat64);
    if (v.dot(sourceV).item<double>() < 0) v = -v;
    TransportedDirection result;
    result.v = v.reshape(target.inputShape());
    if (targetBasis) {
        auto cosines = targetBasis->v.reshape({targetBasis->k, -1}).to(torch::kFloat64).matmul(v).abs();
        result.nearestIndex = cosines.argmax().item<int64_t>();
        result.nearestCosine = cosines.max().item<double>();
    }
    return result;
}

}  // namespace latentlens
