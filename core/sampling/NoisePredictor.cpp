#include "core/sampling/NoisePredictor.h"

#include <torch/torch.h>

namespace latentlens {

torch::Tensor NoisePredictor::predict(const torch::Tensor& x, int64_t timestep) const {
    return predict(x, torch::tensor(timestep, torch::kLong));
}

}  // namespace latentlens
