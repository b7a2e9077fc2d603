#include "core/analysis/TextSweeps.h"

#include <memory>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/ProgressRange.h"
#include "core/analysis/SeedTrajectories.h"

namespace latentlens {
namespace {

void requireText(const DiffusionPipeline& model, const std::vector<std::string>& prompts, size_t least) {
    if (!model.textEncoder()) {
        throw Error("model " + model.name() + " takes no prompt: the text analyses need a text-conditioned pipeline");
    }
    if (prompts.size() < least) {
        throw Error("the analysis needs at least " + std::to_string(least) + " prompt" + (least > 1 ? "s" : ""));
    }
}

// Calls job(t, p, n, progress) for every timestep, prompt and seed, in that order, with equal
// shares of `progress`.
template <typename Job>
void forEachJob(size_t T, size_t P, size_t N, const Progress& progress, const Job& job) {
    const auto total = static_cast<double>(T * P * N);
    size_t done = 0;
    for (size_t t = 0; t < T; ++t) {
        for (size_t p = 0; p < P; ++p) {
            for (size_t n = 0; n < N; ++n) {
                progress.throwIfCancelled();
                job(t, p, n, progressRange(progress, done / total, (done + 1) / total));
                ++done;
            }
        }
    }
}

}  // namespace

PromptSimilarity promptSimilarityOver(DiffusionPipeline& model, const std::vector<std::string>& prompts,
                                      const std::vector<uint64_t>& seeds, const SweepOptions& options,
                                      const Progress& progress) {
    requireText(model, prompts, 2);
    const auto timesteps = options.resolveTimesteps(model);
    std::vector<Conditioning> underPrompt;
    std::vector<torch::Tensor> pooled;
    for (const auto& prompt : prompts) {
        underPrompt.push_back(model.condition(prompt));
        pooled.push_back(pooledPromptEmbedding(*model.textEncoder(), prompt));
    }
    SeedTrajectories trajectories(model, timesteps, options.steps, options.sampling);
    PromptSweepBases bases(timesteps.size(), std::vector<std::vector<PullbackBasis>>(prompts.size()));
    forEachJob(timesteps.size(), prompts.size(), seeds.size(), progress,
               [&](size_t t, size_t p, size_t n, const Progress& part) {
                   auto x = trajectories.at(seeds[n], t, progressRange(part, 0.0, 0.1));
                   bases[t][p].push_back(basisAt(model, x, timesteps[t], options.basis, progressRange(part, 0.1, 1.0),
                                                 underPrompt[p]));
                   part.report(1.0, "basis under prompt " + std::to_string(p + 1) + " at t=" + std::to_string(timesteps[t]));
               });
    return promptSimilarity(timesteps, prompts, seeds, bases, torch::stack(pooled));
}

TextDependence textDependenceOver(DiffusionPipeline& model, const std::vector<std::string>& prompts,
                                  const std::vector<uint64_t>& seeds, const SweepOptions& options,
                                  const std::string& negativePrompt, double guidance, const Progress& progress) {
    requireText(model, prompts, 1);
    const auto timesteps = options.resolveTimesteps(model);
    const auto empty = model.condition("");
    std::vector<Conditioning> underPrompt;
    std::vector<std::unique_ptr<SeedTrajectories>> trajectories;
    for (const auto& prompt : prompts) {
        underPrompt.push_back(model.condition(prompt));
        trajectories.push_back(std::make_unique<SeedTrajectories>(model, timesteps, options.steps,
                                                                  model.condition(prompt, negativePrompt, guidance)));
    }
    const std::vector<std::vector<PullbackBasis>> perPrompt(prompts.size());
    PromptSweepBases withPrompt(timesteps.size(), perPrompt), withoutPrompt(timesteps.size(), perPrompt);
    forEachJob(timesteps.size(), prompts.size(), seeds.size(), progress,
               [&](size_t t, size_t p, size_t n, const Progress& part) {
                   auto x = trajectories[p]->at(seeds[n], t, progressRange(part, 0.0, 0.1));
                   withPrompt[t][p].push_back(basisAt(model, x, timesteps[t], options.basis,
                                                      progressRange(part, 0.1, 0.55), underPrompt[p]));
                   withoutPrompt[t][p].push_back(basisAt(model, x, timesteps[t], options.basis,
                                                         progressRange(part, 0.55, 1.0), empty));
                   part.report(1.0, "prompt " + std::to_string(p + 1) + " at t=" + std::to_string(timesteps[t]));
               });
    return textDependence(timesteps, prompts, seeds, withPrompt, withoutPrompt);
}

}  // namespace latentlens
