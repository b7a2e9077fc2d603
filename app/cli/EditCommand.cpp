#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/EditPreview.h"
#include "core/edit/GuidanceEdit.h"
#include "core/sampling/DdimSampler.h"
#include "io/BasisFile.h"

namespace latentlens::cli {

torch::Tensor editLatent(DiffusionPipeline& model, const PullbackBasis& basis, const std::vector<int64_t>& directions,
                         const std::vector<double>& alphas, const std::string& mode, const GuidanceOptions& guidance) {
    checkBasisFits(basis, model, basis.timestep);
    if (!basis.xt.defined()) throw Error("the basis folder has no xt.npy: it does not say which x_t to edit");
    auto xt = basis.xt.to(model.tensorOptions()).unsqueeze(0);
    if (mode == "linear") return shiftAlongDirections(xt, basis, directions, alphas);
    // Guidance: one pass per direction, its α as the guidance strength s.
    for (size_t i = 0; i < directions.size(); ++i) {
        if (directions[i] < 0 || directions[i] >= basis.k) {
            throw Error("direction " + std::to_string(directions[i]) + " does not exist: the basis has directions 0.." +
                        std::to_string(basis.k - 1));
        }
        GuidanceOptions options = guidance;
        options.strength = alphas.at(i);
        xt = guidanceEdit(model, xt, basis.timestep, basis.v[directions[i]], options, loggingProgress());
    }
    return xt;
}

void addEditCommand(CLI::App& app) {
    struct Options : CommonOptions, EditPromptOptions {
        std::string basis;
        std::vector<int64_t> directions;
        std::vector<double> alphas;
        std::string mode = "linear";
        int64_t steps = 50;
        std::string out;
        std::string preview;
        double gamma = 0;
        int iterations = 16;
        int upscale = 1;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("edit", "Move x_t along basis directions and denoise to an edited x_0");
    command->add_option("--basis", options->basis, "basis folder written by `basis`")->required()->check(CLI::ExistingDirectory);
    command->add_option("--dir", options->directions, "direction indices, comma-separated (0 = largest σ)")
        ->required()
        ->delimiter(',');
    command->add_option("--alpha", options->alphas, "strengths, one per direction (unit: ‖x_t‖/20)")->required()->delimiter(',');
    command->add_option("--mode", options->mode, "linear (x_t + α·unit·v) or guidance (the paper's x-space guidance)")
        ->check(CLI::IsMember({"linear", "guidance"}))
        ->capture_default_str();
    command->add_option("--steps", options->steps, "DDIM steps of a full trajectory")->capture_default_str();
    auto* gamma = command->add_option(
        "--gamma", options->gamma,
        "guidance strength γ (default: the paper's schedule in t; text-conditioned models: 1, or 0.5 with an edit prompt)");
    auto* iterations = command->add_option(
        "--iterations", options->iterations, "guidance iterations n (default 16; text-conditioned models with an edit prompt: 64)");
    command->add_option("--out", options->out, "edited x_0 (.png/.jpg or .npy)")->required();
    command->add_option("--preview", options->preview, "also write the one-call x̂0 preview of the edited x_t");
    command->add_option("--upscale", options->upscale, "enlarge images by this integer factor")->check(CLI::Range(1, 64));
    options->EditPromptOptions::addTo(*command);
    options->CommonOptions::addTo(*command);
    command->callback([options, gamma, iterations] {
        auto model = options->loadModel();
        auto basis = readBasis(options->basis);
        options->defaultsFrom(basis, options->basis);
        const auto sampling = options->PromptOptions::conditioning(*model);
        GuidanceOptions guidance;
        guidance.conditioning = options->editConditioning(*model, basis, options->basis);
        if (options->gamma > 0) guidance.gamma = options->gamma;
        guidance.iterations = options->iterations;
        options->applyGuidanceDefaults(*model, guidance, gamma->count() > 0, iterations->count() > 0);
        auto edited = editLatent(*model, basis, options->directions, options->alphas, options->mode, guidance);
        DdimSampler sampler(*model, options->steps, std::nullopt, sampling);
        auto x0 = sampler.denoise(edited, basis.timestep, 0.0, 0, false, loggingProgress()).result;
        writeSamples(options->out, decodeLatents(*model, x0), options->upscale);
        if (!options->preview.empty()) {
            const auto preview = predictCleanImage(*model, edited, basis.timestep, sampling);
            writeSamples(options->preview, decodeLatents(*model, preview), options->upscale);
        }
    });
}

}  // namespace latentlens::cli
