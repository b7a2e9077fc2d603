#include "core/geometry/PullbackBasis.h"

#include <algorithm>

namespace latentlens {

double PullbackBasis::worstResidual() const {
    return residuals.empty() ? 0.0 : *std::max_element(residuals.begin(), residuals.end());
}

}  // namespace latentlens
