#include "core/analysis/CoarseToFine.h"

#include <torch/torch.h>

#include "core/Error.h"
#include "core/analysis/RadialSpectrum.h"

namespace latentlens {

CoarseToFine coarseToFine(const std::vector<PullbackBasis>& bases) {
    if (bases.empty()) throw Error("coarse-to-fine needs at least one basis");
    const auto shape = bases.front().v.sizes().vec();
    CoarseToFine result;
    std::vector<torch::Tensor> spectra, frequencies, sigmas, firsts;
    for (const auto& basis : bases) {
        if (basis.v.sizes().vec() != shape) throw Error("coarse-to-fine needs bases of the same k and sample shape");
        result.timesteps.push_back(basis.timestep);
        std::vector<torch::Tensor> directionSpectra;
        std::vector<double> directionFrequencies;
        for (int64_t i = 0; i < basis.v.size(0); ++i) {
            directionSpectra.push_back(radialPowerSpectrum(basis.v[i]));
            directionFrequencies.push_back(meanFrequency(basis.v[i]));
        }
        spectra.push_back(torch::stack(directionSpectra));
        frequencies.push_back(torch::tensor(directionFrequencies, torch::kFloat64));
        sigmas.push_back(basis.sigma.to(torch::kCPU, torch::kFloat64));
        firsts.push_back(basis.v[0].to(torch::kCPU, torch::kFloat64));
    }
    result.spectra = torch::stack(spectra);
    result.meanSpectrum = result.spectra.mean(1);
    result.meanFrequency = torch::stack(frequencies);
    result.averageFrequency = result.meanFrequency.mean(1);
    result.sigma = torch::stack(sigmas);
    result.firstDirection = torch::stack(firsts);
    return result;
}

}  // namespace latentlens
