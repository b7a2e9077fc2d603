#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/ParallelTransport.h"
#include "core/geometry/DirectionSpace.h"
#include "core/sampling/DdimSampler.h"
#include "io/BasisFile.h"
#include "io/FrameExport.h"
#include "io/NpyFile.h"

namespace latentlens::cli {

void addTransportCommand(CLI::App& app) {
    struct Options : CommonOptions, EditPromptOptions {
        std::string from;
        int64_t toSeed = 1;
        int64_t direction = 0;
        int64_t steps = 50;
        double alpha = 2.0;
        std::string out;
    };
    auto options = std::make_shared<Options>();
    auto* command = app.add_subcommand("transport", "Parallel-transport a direction from one sample to another (same t)");
    command->add_option("--from", options->from, "basis folder of sample A")->required()->check(CLI::ExistingDirectory);
    command->add_option("--to-seed", options->toSeed, "sample B: x_t of this seed's generation")->required();
    command->add_option("--dir", options->direction, "direction index of A to transport")->capture_default_str();
    command->add_option("--steps", options->steps, "DDIM steps of a full trajectory")->capture_default_str();
    command->add_option("--alpha", options->alpha, "strength of the preview edits at B (−α, 0, +α)")->capture_default_str();
    command->add_option("--out", options->out, "output folder: direction.npy, xt.npy, transport.json, edit.png, basis/")->required();
    // Text-conditioned models: B is sampled (and its previews denoised) under --prompt with its
    // guidance; J at B is taken under the prompt A's basis was found under (--edit-prompt, default
    // --prompt), which must be that basis's prompt.
    options->EditPromptOptions::addTo(*command);
    options->CommonOptions::addTo(*command);
    command->callback([options] {
        auto model = options->loadModel();
        auto source = readBasis(options->from);
        checkBasisFits(source, *model, source.timestep);
        options->defaultsFrom(source, options->from);
        const auto sampling = options->PromptOptions::conditioning(*model);
        const auto jacobianPrompt = options->editConditioning(*model, source, options->from);
        DdimSampler sampler(*model, options->steps, std::nullopt, sampling);
        auto xB = sampler.descend(sampler.noise(static_cast<uint64_t>(options->toSeed), 1), sampler.startTimestep(),
                                  source.timestep, false, loggingProgress())
                      .result;
        // B's own basis in the same space as A's (a masked basis: under the same mask).
        const auto space = DirectionSpace::of(source);
        BasisOptions basisOptions;
        basisOptions.k = source.k;
        auto basisB = findBasis(*model, xB, source.timestep, space, jacobianPrompt, basisOptions, loggingProgress());
        const auto jacobianB = jacobianOf(*model, xB, source.timestep, space, jacobianPrompt);
        auto moved = transportDirection(source, options->direction, *jacobianB, &basisB);

        const std::filesystem::path out(options->out);
        writeBasis(out / "basis", basisB);
        writeNpy(out / "direction.npy", moved.v);
        writeNpy(out / "xt.npy", xB[0].cpu());
        nlohmann::json report{{"from", options->from},
                              {"direction", options->direction},
                              {"to_seed", options->toSeed},
                              {"timestep", source.timestep},
                              {"nearest_index", moved.nearestIndex},
                              {"nearest_cosine", moved.nearestCosine}};
        std::ofstream(out / "transport.json") << report.dump(2) << '\n';
        // B edited along the transported direction: −α, 0, +α.
        PullbackBasis single = basisB;
        single.k = 1;
        single.v = moved.v.unsqueeze(0);
        std::vector<torch::Tensor> frames;
        for (double alpha : {-options->alpha, 0.0, options->alpha}) {
            auto edited = shiftAlongDirections(xB, single, {0}, {alpha});
            frames.push_back(decodeLatents(*model, sampler.denoise(edited, source.timestep).result)[0].cpu());
        }
        writeStrip(out / "edit.png", frames, 4);
        std::printf("transported v%lld from %s to seed %lld at t=%lld: nearest own direction of B is v%lld (|cos| %.3f)\n",
                    static_cast<long long>(options->direction + 1), options->from.c_str(),
                    static_cast<long long>(options->toSeed), static_cast<long long>(source.timestep),
                    static_cast<long long>(moved.nearestIndex + 1), moved.nearestCosine);
    });
}

}  // namespace latentlens::cli
