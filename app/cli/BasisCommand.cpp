#include <cstdio>
#include <optional>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/geometry/DirectionSpace.h"
#include "core/sampling/DdimSampler.h"
#include "io/BasisFile.h"
#include "io/DirectionSheet.h"
#include "io/MaskFile.h"
#include "io/NpyFile.h"

namespace latentlens::cli {

void addBasisCommand(CLI::App& app) {
    struct Options : CommonOptions, PromptOptions {
        int64_t seed = -1;
        std::string xt;
        std::string image;
        int64_t t = 600;
        int64_t k = 10;
        std::string block = "mid";
        std::string method = "default";
        double tolerance = 1e-3;
        int64_t maxProducts = 0;
        int64_t blockSize = 0;
        int64_t steps = 50;
        uint64_t basisSeed = 0;
        std::string warmStart;
        std::optional<std::string> editPrompt;
        std::string mask;
        int64_t nullRank = 5;
        std::string out;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand(
        "basis", "Top-k directions of the pullback metric at x_t: singular vectors of J = dh/dx_t (h: a block's output)");
    auto* seed = command->add_option("--seed", options->seed, "x_t of the generation from this noise seed");
    auto* xt = command->add_option("--xt", options->xt, "x_t from a .npy (C, S, S) or (1, C, S, S)")->check(CLI::ExistingFile);
    auto* image = command->add_option("--image", options->image, "x_t by DDIM-inverting this image to t")->check(CLI::ExistingFile);
    seed->excludes(xt)->excludes(image);
    xt->excludes(image);
    command->add_option("--t", options->t, "timestep")->capture_default_str();
    command->add_option("--k", options->k, "number of directions")->check(CLI::Range(1, 100000))->capture_default_str();
    command->add_option("--block", options->block, "mid, down.N or up.N")->capture_default_str();
    command->add_option("--method", options->method, "default (block Krylov) or power (the paper's iteration)")
        ->check(CLI::IsMember({"default", "krylov", "power"}))
        ->capture_default_str();
    command->add_option("--tol", options->tolerance, "relative residual ‖JᵀJv − σ²v‖/σ1² to reach")->capture_default_str();
    command->add_option("--max-products", options->maxProducts, "budget of Jacobian-vector products (0: automatic)");
    command->add_option("--block-size", options->blockSize, "vectors per Krylov block (0: automatic)");
    command->add_option("--steps", options->steps, "DDIM steps of a full trajectory (to reach x_t)")->capture_default_str();
    command->add_option("--basis-seed", options->basisSeed, "seed of the solver's start vectors")->capture_default_str();
    command->add_option("--warm-start", options->warmStart,
                        "start from the directions of this basis folder (e.g. the same sample at a nearby t)")
        ->check(CLI::ExistingDirectory);
    command->add_option("--mask", options->mask,
                        "local edit: directions that change this image's white region (LOCO Edit: the Jacobian of "
                        "the predicted x0 inside the mask, off the outside's top directions)")
        ->check(CLI::ExistingFile);
    auto* nullRank = command->add_option("--null-rank", options->nullRank,
                                         "with --mask: outside directions projected off, so the outside barely moves (0: none)")
                         ->check(CLI::Range(0, 1000))
                         ->capture_default_str();
    command->add_option("--out", options->out, "output folder: sigma.npy, v.npy, u.npy, xt.npy, basis.json, directions.png")
        ->required();
    // Text-conditioned models: --prompt (with --negative-prompt and --guidance) makes x_t, the
    // inversion runs the prompt alone; J is taken under the prompt's embedding without guidance, as
    // the official code does, or under --edit-prompt (the paper's weakly supervised edits).
    options->PromptOptions::addTo(*command);
    command->add_option("--edit-prompt", options->editPrompt,
                        "text-conditioned models: the prompt J is taken under (default: --prompt)");
    options->CommonOptions::addTo(*command);
    command->callback([options, nullRank] {
        if (nullRank->count() > 0 && options->mask.empty()) {
            throw Error("--null-rank: it applies to masked directions; give the mask with --mask mask.png");
        }
        if (options->seed < 0 && options->xt.empty() && options->image.empty()) {
            throw Error("basis: say where x_t comes from: --seed S, --xt xt.npy or --image in.png");
        }
        const auto block = BlockId::parse(options->block);
        DirectionSpace space = DirectionSpace::pullback(block);
        if (!options->mask.empty() && options->block != "mid") {
            throw Error("--mask: masked directions are those of the predicted x0, not of a block; drop --block");
        }
        auto model = options->loadModel();
        if (options->editPrompt && !model->textEncoder()) {
            throw Error("--edit-prompt: model " + model->name() + " takes no prompt");
        }
        const auto sampling = options->PromptOptions::conditioning(*model);  // checks the prompt flags
        torch::Tensor x;
        if (!options->xt.empty()) {
            x = readLatents(options->xt, *model);
            if (x.size(0) != 1) throw Error(options->xt + ": holds " + std::to_string(x.size(0)) + " samples; basis needs one");
        } else if (!options->image.empty()) {
            const auto x0 = readImageOrLatents(options->image, *model);
            DdimSampler sampler(*model, options->steps, std::nullopt, model->condition(options->prompt));
            x = sampler.invert(x0, options->t, false, loggingProgress()).result;
        } else {
            DdimSampler sampler(*model, options->steps, std::nullopt, sampling);
            auto noise = sampler.noise(static_cast<uint64_t>(options->seed), 1);
            x = sampler.descend(noise, sampler.startTimestep(), options->t, false, loggingProgress()).result;
        }
        if (!options->mask.empty()) {
            const auto imageShape = model->imageShape();
            auto loaded = readMask(options->mask, static_cast<int>(imageShape[1]), static_cast<int>(imageShape[2]));
            if (!loaded.note.empty()) spdlog::warn("{}: {}", options->mask, loaded.note);
            checkMaskIsPartial(loaded.mask, options->mask);
            space = DirectionSpace::posteriorMean(loaded.mask, options->nullRank);
        }
        const auto jacobianPrompt = model->condition(options->editPrompt.value_or(options->prompt));
        BasisOptions basisOptions;
        basisOptions.k = options->k;
        basisOptions.method = options->method == "power" ? "power" : "krylov";
        basisOptions.tolerance = options->tolerance;
        basisOptions.maxProducts = options->maxProducts;
        basisOptions.blockSize = options->blockSize;
        basisOptions.seed = options->basisSeed;
        if (!options->warmStart.empty()) {
            const auto previous = readBasis(options->warmStart);
            if (previous.v.numel() != previous.k * x.numel()) {
                throw Error(options->warmStart + ": its directions have the shape of another model's x_t; --warm-start "
                            "needs a basis of this model");
            }
            basisOptions.start = previous.v;
        }
        auto basis = findBasis(*model, x, options->t, space, jacobianPrompt, basisOptions, loggingProgress());
        if (model->textEncoder()) {
            basis.jacobianPrompt = options->editPrompt.value_or(options->prompt);
            basis.samplingPrompt = options->prompt;
            // An inverted image's x_t came from the prompt alone, without guidance.
            const bool inverted = !options->image.empty();
            basis.negativePrompt = inverted ? std::string() : options->negativePrompt;
            basis.guidance = inverted ? 1.0 : sampling.guidanceScale;
        }
        writeBasis(options->out, basis);
        writeDirectionSheet(std::filesystem::path(options->out) / "directions.png", basis.v, basis.sigma);
        std::printf("%s basis, k=%lld at t=%lld (%s): %lld Jacobian products in %d iterations, %.3f s, worst residual %.2e%s\n",
                    basis.method.c_str(), static_cast<long long>(basis.k), static_cast<long long>(basis.timestep),
                    basis.block.c_str(), static_cast<long long>(basis.products()), basis.iterations, basis.wallSeconds,
                    basis.worstResidual(), basis.converged ? "" : " (budget reached before the tolerance)");
        if (basis.isMasked()) {
            std::printf("masked (%.1f%% of the image), %lld outside directions projected off\n",
                        100.0 * basis.mask.mean().item<double>(), static_cast<long long>(basis.nullRank));
        }
        std::printf("sigma:");
        for (int64_t i = 0; i < basis.k; ++i) std::printf(" %.4g", basis.sigma[i].item<double>());
        std::printf("\nwrote %s\n", options->out.c_str());
    });
}

}  // namespace latentlens::cli
