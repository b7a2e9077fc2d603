#include "core/geometry/DirectionSpace.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/ProgressRange.h"
#include "core/geometry/FeatureJacobian.h"
#include "core/geometry/NullSpaceJacobian.h"
#include "core/geometry/PosteriorMeanJacobian.h"

namespace latentlens {

DirectionSpace DirectionSpace::pullback(std::optional<BlockId> block) {
    DirectionSpace space;
    space.block = block;
    return space;
}

DirectionSpace DirectionSpace::posteriorMean(torch::Tensor mask, int64_t nullRank) {
    DirectionSpace space;
    space.kind = Kind::PosteriorMean;
    space.mask = std::move(mask);
    space.nullRank = nullRank;
    return space;
}

DirectionSpace DirectionSpace::of(const PullbackBasis& basis) {
    if (basis.kind == PullbackBasis::kPosteriorMean) return posteriorMean(basis.mask, basis.nullRank);
    return pullback(BlockId::parse(basis.block));
}

torch::Tensor maskOnLatentGrid(const DiffusionPipeline& model, const torch::Tensor& mask) {
    if (!mask.defined() || mask.dim() != 2) throw Error("a mask is one (height, width) plane");
    const auto latent = model.latentShape();
    const auto image = model.imageShape();
    const int64_t h = mask.size(0), w = mask.size(1);
    auto values = mask.to(torch::kCPU, torch::kFloat64);
    if (!torch::isfinite(values).all().item<bool>() || values.min().item<double>() < 0 ||
        values.max().item<double>() > 1) {
        throw Error("mask values must lie in [0, 1] (1 = edit)");
    }
    if (h == latent[1] && w == latent[2]) return values;
    if (h * latent[2] != w * latent[1] || h % latent[1] != 0 || w % latent[2] != 0) {
        throw Error("the mask is " + std::to_string(h) + "×" + std::to_string(w) + "; this model's images are " +
                    std::to_string(image[1]) + "×" + std::to_string(image[2]));
    }
    // The mean over each latent cell: the fraction of the cell that is painted.
    return torch::adaptive_avg_pool2d(values.unsqueeze(0).unsqueeze(0), {latent[1], latent[2]})[0][0];
}

void checkMaskIsPartial(const torch::Tensor& mask, const std::string& what) {
    // Half an 8-bit gray level: anything fainter reads as unpainted.
    constexpr double kFaint = 0.5 / 255.0;
    if (!mask.defined() || mask.numel() == 0 || mask.max().item<double>() < kFaint) {
        throw Error(what + ": the mask is empty (all black); paint white where the edit should act");
    }
    if (mask.min().item<double>() > 1.0 - kFaint) {
        throw Error(what + ": the mask covers the whole image (all white), so nothing is kept; paint only the "
                    "region to edit, or find directions without a mask");
    }
}

std::unique_ptr<JacobianOperator> jacobianOf(const DiffusionPipeline& model, const torch::Tensor& x,
                                             int64_t timestep, const DirectionSpace& space,
                                             const Conditioning& conditioning) {
    if (space.kind == DirectionSpace::Kind::Pullback) {
        return std::make_unique<FeatureJacobian>(model, x, timestep, space.block, 32, conditioning);
    }
    auto weight = space.mask.defined() ? maskOnLatentGrid(model, space.mask) : torch::Tensor();
    return std::make_unique<PosteriorMeanJacobian>(model, x, timestep, weight, 32, conditioning);
}

PullbackBasis findBasis(const DiffusionPipeline& model, const torch::Tensor& x, int64_t timestep,
                        const DirectionSpace& space, const Conditioning& conditioning, const BasisOptions& options,
                        const Progress& progress) {
    if (space.kind == DirectionSpace::Kind::Pullback || !space.mask.defined()) {
        auto jacobian = jacobianOf(model, x, timestep, space, conditioning);
        auto basis = solvePullbackBasis(*jacobian, options, progress);
        if (space.kind == DirectionSpace::Kind::PosteriorMean) basis.kind = PullbackBasis::kPosteriorMean;
        return basis;
    }
    const auto started = std::chrono::steady_clock::now();
    const auto inside = maskOnLatentGrid(model, space.mask);
    if (inside.max().item<double>() <= 0) throw Error("the mask is empty: paint the region the edit should change");
    const auto outside = 1.0 - inside;
    if (space.nullRank < 0) throw Error("the null-space rank must be 0 or more");

    torch::Tensor excluded;
    std::vector<double> outsideSigma;
    int64_t jvpProducts = 0, vjpProducts = 0, nullRank = 0;
    double insideShare = 0.0;
    if (space.nullRank > 0 && outside.max().item<double>() > 0) {
        nullRank = space.nullRank;
        insideShare = static_cast<double>(nullRank) / static_cast<double>(nullRank + options.k);
        PosteriorMeanJacobian jOut(model, x, timestep, outside, 32, conditioning);
        BasisOptions outsideOptions = options;
        outsideOptions.k = nullRank;
        outsideOptions.start = torch::Tensor();
        auto top = solvePullbackBasis(jOut, outsideOptions, progressRange(progress, 0.0, insideShare));
        excluded = top.v;
        outsideSigma.assign(top.sigma.data_ptr<double>(), top.sigma.data_ptr<double>() + top.k);
        jvpProducts += top.jvpProducts;
        vjpProducts += top.vjpProducts;
    }
    PosteriorMeanJacobian jIn(model, x, timestep, inside, 32, conditioning);
    NullSpaceJacobian restricted(jIn, excluded);
    if (restricted.inputDim() - nullRank < options.k) {
        throw Error("k = " + std::to_string(options.k) + " directions and " + std::to_string(nullRank) +
                    " excluded ones exceed this model's " + std::to_string(restricted.inputDim()) + " dimensions");
    }
    auto basis = solvePullbackBasis(restricted, options, progressRange(progress, insideShare, 1.0));
    // The solver's Ritz vectors lie in the null space up to its tolerance; make it exact.
    auto rows = restricted.project(basis.v.reshape({basis.k, -1}));
    rows = rows / rows.norm(2, 1, true).clamp_min(1e-300);
    basis.v = rows.reshape(basis.v.sizes()).contiguous();

    basis.kind = PullbackBasis::kPosteriorMean;
    basis.mask = space.mask.to(torch::kCPU, torch::kFloat64).contiguous();
    basis.nullRank = nullRank;
    basis.outsideSigma = std::move(outsideSigma);
    basis.jvpProducts += jvpProducts;
    basis.vjpProducts += vjpProducts;
    basis.wallSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::debug("masked basis k={} at t={} ({:.0f}% of the image, {} outside directions excluded): {} products, {:.3f} s",
                  basis.k, timestep, 100.0 * inside.mean().item<double>(), nullRank, basis.products(),
                  basis.wallSeconds);
    return basis;
}

}  // namespace latentlens
