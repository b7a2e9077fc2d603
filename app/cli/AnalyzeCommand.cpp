// latentlens-cli analyze: the latent-geometry analyses of Park et al. (2023), each writing CSV
// tables, PNG plots and a report.md into --out. Every analysis is a sweep of basis jobs (see
// AnalyzeSweep.h): --shard I/N runs one share of them, `analyze merge` finishes.
#include <fstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/AnalyzeOutput.h"
#include "app/cli/AnalyzeSweep.h"
#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/ProgressRange.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/PromptSimilarity.h"
#include "core/analysis/SeedTrajectories.h"
#include "core/analysis/TimestepSweep.h"

namespace latentlens::cli {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

// Options every analysis takes: the model, the sweep of timesteps, the basis, --shard and --out.
struct AnalyzeOptions : CommonOptions {
    std::vector<int64_t> timesteps;
    int count = 10;
    double from = 0.9;
    double to = 0.1;
    int64_t k = 10;
    double tolerance = 1e-3;
    int64_t maxProducts = 0;
    uint64_t basisSeed = 0;
    int64_t steps = 50;
    std::string shard = "1/1";
    std::string out;

    void addTo(CLI::App& command, bool explicitTimesteps = true) {
        CommonOptions::addTo(command);
        if (explicitTimesteps) {
            command.add_option("--t", timesteps, "explicit timesteps (overrides --count/--from/--to)")->delimiter(',');
        }
        command.add_option("--count", count, "number of timesteps of the sweep")->check(CLI::Range(1, 1000))->capture_default_str();
        command.add_option("--from", from, "first timestep as a fraction of T")->check(CLI::Range(0.0, 0.999))->capture_default_str();
        command.add_option("--to", to, "last timestep as a fraction of T")->check(CLI::Range(0.0, 0.999))->capture_default_str();
        command.add_option("--k", k, "directions per basis")->check(CLI::Range(1, 100000))->capture_default_str();
        command.add_option("--tol", tolerance, "basis solver tolerance ‖JᵀJv − σ²v‖/σ1²")->capture_default_str();
        command.add_option("--max-products", maxProducts, "budget of Jacobian products per basis (0: automatic)");
        command.add_option("--basis-seed", basisSeed, "seed of the solver's start vectors")->capture_default_str();
        command.add_option("--steps", steps, "DDIM steps of a full trajectory (to reach x_t)")->check(CLI::Range(1, 100000))->capture_default_str();
        command.add_option("--shard", shard,
                           "run only shard I of N of the sweep's jobs (1-based); finish with `analyze merge`")
            ->capture_default_str();
        command.add_option("--out", out, "output folder (created): CSV, PNG, report.md, sweep.json and jobs/")->required();
    }

    SweepOptions sweep() const {
        SweepOptions options;
        options.timesteps = timesteps;
        options.count = count;
        options.from = from;
        options.to = to;
        options.basis.k = k;
        options.basis.tolerance = tolerance;
        options.basis.maxProducts = maxProducts;
        options.basis.seed = basisSeed;
        options.steps = steps;
        return options;
    }

    SweepShard parsedShard() const { return SweepShard::parse(shard); }

    fs::path outputFolder() const {
        fs::path folder(out);
        std::error_code error;
        fs::create_directories(folder, error);
        if (error || !fs::is_directory(folder)) throw Error(out + ": cannot create the output folder");
        return folder;
    }

    void checkK(const DiffusionPipeline& model) const {
        const auto shape = model.latentShape();
        if (k > shape[0] * shape[1] * shape[2]) {
            throw Error("--k " + std::to_string(k) + " exceeds the input dimension of model " + model.name());
        }
    }

    // The settings every job depends on (a shard with other settings cannot join the sweep).
    json settings(const DiffusionPipeline& model, const std::vector<int64_t>& resolved) const {
        return json{{"model", model.name()},
                    {"modelFolder", fs::absolute(model.folder().root).lexically_normal().string()},
                    {"dtype", dtype},
                    {"variant", variant},
                    {"timesteps", resolved},
                    {"k", k},
                    {"tolerance", tolerance},
                    {"maxProducts", maxProducts},
                    {"basisSeed", basisSeed},
                    {"steps", steps}};
    }

    std::string context(const DiffusionPipeline& model, const std::string& samples) const {
        return "Model " + model.name() + " (" + model.folder().root.string() + "), " + samples + ", k=" +
               std::to_string(k) + ", basis of the mid block's features (tolerance " + cell(tolerance) + "), " +
               std::to_string(steps) + "-step DDIM trajectory to reach x_t.";
    }
};

// The prompts of the one-prompt analyses on text-conditioned models: x_t sampled under --prompt
// (negative prompt, guidance), J under --prompt alone.
struct PromptedAnalyzeOptions : AnalyzeOptions, PromptOptions {
    void addTo(CLI::App& command, bool explicitTimesteps = true) {
        AnalyzeOptions::addTo(command, explicitTimesteps);
        PromptOptions::addTo(command);
    }
    // Sets the sweep's conditionings and records them in `settings`.
    SweepOptions conditionedSweep(const DiffusionPipeline& model, json& settings) const {
        auto options = sweep();
        options.sampling = conditioning(model);
        options.jacobian = model.condition(prompt);
        if (model.textEncoder()) {
            settings["prompt"] = prompt;
            settings["negativePrompt"] = negativePrompt;
            settings["guidance"] = options.sampling.guidanceScale;
        }
        return options;
    }
    std::string promptContext(const DiffusionPipeline& model) const {
        if (!model.textEncoder()) return {};
        return " x_t sampled under the prompt \"" + prompt + "\" (negative \"" + negativePrompt + "\", guidance " +
               cell(guidance.value_or(7.5)) + "); J under the prompt alone, without guidance.";
    }
};

// The flags the two text analyses share: how z_t is sampled (negative prompt, guidance) and for
// which seeds.
struct TextAnalyzeOptions : AnalyzeOptions {
    std::string promptFile;
    std::string negativePrompt;
    double guidance = 7.5;
    uint64_t seed = 0;
    int samples = 1;

    void addTo(CLI::App& command) {
        command.add_option("--negative-prompt", negativePrompt, "negative prompt of the sampling");
        command.add_option("--guidance", guidance, "guidance scale of the sampling")
            ->check(CLI::Range(0.0, 100.0))
            ->capture_default_str();
        command.add_option("--seed", seed, "first noise seed (samples use seed, seed+1, ...)")->capture_default_str();
        command.add_option("--samples", samples, "number of samples (z_t) per prompt the results are averaged over")
            ->check(CLI::Range(1, 10000))
            ->capture_default_str();
        AnalyzeOptions::addTo(command);
    }

    std::vector<uint64_t> seeds() const;

    // The plan of `analysis` with the prompts, seeds and sampling settings recorded.
    SweepPlan textPlan(const std::string& analysis, const DiffusionPipeline& model, const std::vector<int64_t>& timesteps,
                       const std::vector<std::string>& prompts) const {
        SweepPlan plan{analysis, settings(model, timesteps), {}};
        plan.settings["prompts"] = prompts;
        plan.settings["seeds"] = seeds();
        plan.settings["negativePrompt"] = negativePrompt;
        plan.settings["guidance"] = guidance;
        return plan;
    }
};

std::vector<uint64_t> seedRange(uint64_t first, int count) {
    std::vector<uint64_t> seeds;
    for (int i = 0; i < count; ++i) seeds.push_back(first + static_cast<uint64_t>(i));
    return seeds;
}

std::vector<uint64_t> TextAnalyzeOptions::seeds() const { return seedRange(seed, samples); }

// One line a prompt; blank lines and lines starting with '#' are skipped. Errors name the file.
std::vector<std::string> readPromptFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot read the prompt file");
    std::vector<std::string> prompts;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        prompts.push_back(line.substr(first, line.find_last_not_of(" \t") - first + 1));
    }
    if (prompts.empty()) throw Error(path + ": no prompts (one prompt a line)");
    return prompts;
}

void requireTextEncoder(const DiffusionPipeline& model, const std::string& analysis) {
    if (!model.textEncoder()) {
        throw Error("analyze " + analysis + ": model " + model.name() + " takes no prompt (it needs a text-conditioned "
                    "pipeline such as Stable Diffusion)");
    }
}

// A job computing the basis at a seed's x_t.
JobStore::Values basisJob(DiffusionPipeline& model, SeedTrajectories& trajectories, uint64_t seed, size_t t,
                          int64_t timestep, const BasisOptions& basis, const Conditioning& jacobian,
                          const Progress& progress) {
    auto x = trajectories.at(seed, t, progressRange(progress, 0.0, 0.1));
    return basisValues(basisAt(model, x, timestep, basis, progressRange(progress, 0.1, 1.0), jacobian));
}

}  // namespace

void addAnalyzeCommand(CLI::App& app) {
    auto* analyze = app.add_subcommand(
        "analyze", "Latent-geometry analyses over timesteps (Park et al. 2023): CSV, PNG plots and report.md");
    analyze->require_subcommand(1);

    // One sample over the sweep: coarse-to-fine and timesteps.
    for (const char* name : {"coarse-to-fine", "timesteps"}) {
        struct Options : PromptedAnalyzeOptions {
            uint64_t seed = 0;
        };
        const std::string analysis = name;
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            analysis, analysis == "coarse-to-fine"
                          ? "Power spectrum and mean frequency of one sample's latent basis v_i over t, and v_1 over t"
                          : "Similarity of one sample's tangent spaces at every pair of timesteps (t x t, in X and H)");
        command->add_option("--seed", options->seed, "noise seed of the sample")->capture_default_str();
        options->addTo(*command);
        command->callback([options, analysis] {
            auto model = options->loadModel();
            const auto shard = options->parsedShard();
            const auto folder = options->outputFolder();
            const auto timesteps = options->sweep().resolveTimesteps(*model);
            SweepPlan plan{analysis, options->settings(*model, timesteps), {}};
            const auto sweep = options->conditionedSweep(*model, plan.settings);
            plan.settings["seed"] = options->seed;
            plan.settings["context"] = options->context(*model, "seed " + std::to_string(options->seed)) +
                                       options->promptContext(*model);
            for (auto t : timesteps) plan.keys.push_back(timestepKey(t));
            SeedTrajectories trajectories(*model, timesteps, options->steps, sweep.sampling);
            runAnalysisSweep(folder, plan, shard, [&](size_t job, const Progress& progress) {
                return basisJob(*model, trajectories, options->seed, job, timesteps[job], sweep.basis, sweep.jacobian,
                                progress);
            });
        });
    }
    {
        struct Options : PromptedAnalyzeOptions {
            uint64_t seed = 0;
            int samples = 8;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "similarity", "Pairwise similarity of N samples' tangent spaces (in X and H) at each t");
        command->add_option("--seed", options->seed, "first noise seed (samples use seed, seed+1, ...)")->capture_default_str();
        command->add_option("--samples", options->samples, "number of samples")->check(CLI::Range(2, 10000))->capture_default_str();
        options->addTo(*command);
        command->callback([options] {
            auto model = options->loadModel();
            const auto shard = options->parsedShard();
            const auto folder = options->outputFolder();
            const auto timesteps = options->sweep().resolveTimesteps(*model);
            const auto seeds = seedRange(options->seed, options->samples);
            SweepPlan plan{"similarity", options->settings(*model, timesteps), {}};
            const auto sweep = options->conditionedSweep(*model, plan.settings);
            plan.settings["seeds"] = seeds;
            plan.settings["context"] = options->context(*model, std::to_string(options->samples) + " samples from seed " +
                                                                    std::to_string(options->seed)) +
                                       options->promptContext(*model);
            struct Job {
                uint64_t seed;
                size_t t;
            };
            std::vector<Job> jobs;
            for (size_t t = 0; t < timesteps.size(); ++t) {
                for (auto seed : seeds) {
                    jobs.push_back({seed, t});
                    plan.keys.push_back(sampleKey(seed, timesteps[t]));
                }
            }
            SeedTrajectories trajectories(*model, timesteps, options->steps, sweep.sampling);
            runAnalysisSweep(folder, plan, shard, [&](size_t j, const Progress& progress) {
                return basisJob(*model, trajectories, jobs[j].seed, jobs[j].t, timesteps[jobs[j].t], sweep.basis,
                                sweep.jacobian, progress);
            });
        });
    }
    {
        struct Options : PromptedAnalyzeOptions {
            uint64_t seedA = 0;
            uint64_t seedB = 1;
            int64_t segments = 8;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "curvedness", "How much the tangent space turns along the straight segment between two samples' x_t, per t");
        command->add_option("--seed-a", options->seedA, "noise seed of sample A")->capture_default_str();
        command->add_option("--seed-b", options->seedB, "noise seed of sample B")->capture_default_str();
        command->add_option("--segments", options->segments, "pieces M of the segment (M + 1 bases per t)")
            ->check(CLI::Range(1, 10000))
            ->capture_default_str();
        options->addTo(*command);
        command->callback([options] {
            if (options->seedA == options->seedB) {
                throw Error("curvedness needs two different seeds (both are " + std::to_string(options->seedA) + ")");
            }
            auto model = options->loadModel();
            const auto shard = options->parsedShard();
            const auto folder = options->outputFolder();
            const auto timesteps = options->sweep().resolveTimesteps(*model);
            const auto M = options->segments;
            SweepPlan plan{"curvedness", options->settings(*model, timesteps), {}};
            const auto sweep = options->conditionedSweep(*model, plan.settings);
            plan.settings["seedA"] = options->seedA;
            plan.settings["seedB"] = options->seedB;
            plan.settings["segments"] = M;
            plan.settings["context"] =
                options->context(*model, "seeds " + std::to_string(options->seedA) + " and " +
                                             std::to_string(options->seedB) + ", M=" + std::to_string(M) + " segments") +
                options->promptContext(*model);
            for (auto t : timesteps) {
                for (int64_t j = 0; j <= M; ++j) plan.keys.push_back(pointKey(t, j));
            }
            SeedTrajectories trajectories(*model, timesteps, options->steps, sweep.sampling);
            runAnalysisSweep(folder, plan, shard, [&](size_t job, const Progress& progress) {
                const auto t = job / static_cast<size_t>(M + 1);
                const auto j = static_cast<int64_t>(job % static_cast<size_t>(M + 1));
                auto xA = trajectories.at(options->seedA, t, progressRange(progress, 0.0, 0.05));
                auto xB = trajectories.at(options->seedB, t, progressRange(progress, 0.05, 0.1));
                auto values = basisValues(basisAt(*model, segmentPoint(xA, xB, M, j), timesteps[t], sweep.basis,
                                                  progressRange(progress, 0.1, 1.0), sweep.jacobian));
                values["euclidean_length"] =
                    torch::tensor((xB.to(torch::kFloat64) - xA.to(torch::kFloat64)).norm().item<double>(), torch::kFloat64);
                return values;
            });
        });
    }
    {
        struct Options : PromptedAnalyzeOptions {
            std::string modelB;
            uint64_t seed = 0;
            int samples = 8;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "compare", "Similarity across samples against t/T for two models side by side (--model and --model-b)");
        command->add_option("--model-b", options->modelB, "the second diffusers model folder")
            ->required()
            ->check(CLI::ExistingDirectory);
        command->add_option("--seed", options->seed, "first noise seed")->capture_default_str();
        command->add_option("--samples", options->samples, "samples per model")->check(CLI::Range(2, 10000))->capture_default_str();
        options->addTo(*command, /*explicitTimesteps=*/false);
        command->callback([options] {
            auto first = options->loadModel();
            auto second = DiffusionPipeline::load(options->modelB, ModelOptions{first->dtype(), first->device()});
            const auto shard = options->parsedShard();
            const auto folder = options->outputFolder();
            const std::vector<DiffusionPipeline*> models{first.get(), second.get()};
            const auto seeds = seedRange(options->seed, options->samples);
            SweepPlan plan{"compare", options->settings(*first, {}), {}};
            plan.settings.erase("timesteps");
            json perModel = json::array();
            std::vector<std::vector<int64_t>> timesteps;
            std::vector<SweepOptions> sweeps;
            std::vector<std::unique_ptr<SeedTrajectories>> trajectories;
            for (auto* model : models) {
                options->checkK(*model);
                timesteps.push_back(options->sweep().resolveTimesteps(*model));
                json modelSettings{{"model", model->name()},
                                   {"modelFolder", fs::absolute(model->folder().root).lexically_normal().string()}};
                // A pixel model beside an SD pipeline runs unconditioned; the prompt flags are still
                // refused when neither model takes a prompt.
                const bool conditioned = model->textEncoder() || (!first->textEncoder() && !second->textEncoder());
                sweeps.push_back(conditioned ? options->conditionedSweep(*model, modelSettings) : options->sweep());
                perModel.push_back(modelSettings);
                trajectories.push_back(
                    std::make_unique<SeedTrajectories>(*model, timesteps.back(), options->steps, sweeps.back().sampling));
            }
            plan.settings["perModel"] = perModel;
            plan.settings["models"] = {first->name(), second->name()};
            plan.settings["trainTimesteps"] = {first->numTrainTimesteps(), second->numTrainTimesteps()};
            plan.settings["seeds"] = seeds;
            plan.settings["modelTimesteps"] = timesteps;
            plan.settings["context"] = "Models " + first->name() + " and " + second->name() + ", " +
                                       std::to_string(options->samples) + " samples from seed " +
                                       std::to_string(options->seed) + ", k=" + std::to_string(options->k) + ", " +
                                       std::to_string(options->count) + " timesteps from " + cell(options->from) +
                                       "T to " + cell(options->to) + "T.";
            struct Job {
                size_t model;
                uint64_t seed;
                size_t t;
            };
            std::vector<Job> jobs;
            for (size_t m = 0; m < 2; ++m) {
                for (size_t t = 0; t < timesteps[m].size(); ++t) {
                    for (auto seed : seeds) {
                        jobs.push_back({m, seed, t});
                        plan.keys.push_back(modelSampleKey(static_cast<int64_t>(m), seed, timesteps[m][t]));
                    }
                }
            }
            runAnalysisSweep(folder, plan, shard, [&](size_t j, const Progress& progress) {
                const auto& job = jobs[j];
                return basisJob(*models[job.model], *trajectories[job.model], job.seed, job.t, timesteps[job.model][job.t],
                                sweeps[job.model].basis, sweeps[job.model].jacobian, progress);
            });
        });
    }
    {
        struct Options : TextAnalyzeOptions {
            std::string referencePrompt;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "prompts", "Tangent spaces of the same z_t under every pair of prompts, per t, against the prompts' text "
                       "similarity (text-conditioned models)");
        command->add_option("--prompts", options->promptFile, "text file, one prompt a line")
            ->required()
            ->check(CLI::ExistingFile);
        command->add_option("--reference-prompt", options->referencePrompt,
                            "the prompt z_t is sampled under (default: the file's first prompt)");
        options->addTo(*command);
        command->callback([options] {
            const auto prompts = readPromptFile(options->promptFile);
            if (prompts.size() < 2) throw Error(options->promptFile + ": comparing prompts needs at least two prompts");
            auto model = options->loadModel();
            requireTextEncoder(*model, "prompts");
            const auto shard = options->parsedShard();
            const auto folder = options->outputFolder();
            const auto timesteps = options->sweep().resolveTimesteps(*model);
            const auto seeds = options->seeds();
            const auto reference = options->referencePrompt.empty() ? prompts.front() : options->referencePrompt;
            auto plan = options->textPlan("prompts", *model, timesteps, prompts);
            plan.settings["referencePrompt"] = reference;
            plan.settings["context"] =
                options->context(*model, std::to_string(prompts.size()) + " prompts, " +
                                             std::to_string(options->samples) + " sample(s) from seed " +
                                             std::to_string(options->seed)) +
                " Every z_t is sampled under the reference prompt \"" + reference + "\" (negative \"" +
                options->negativePrompt + "\", guidance " + cell(options->guidance) +
                "); J is taken at that z_t under each prompt, without guidance.";
            auto sweep = options->sweep();
            const auto sampling = model->condition(reference, options->negativePrompt, options->guidance);
            std::vector<Conditioning> underPrompt;
            for (const auto& prompt : prompts) underPrompt.push_back(model->condition(prompt));
            struct Job {
                size_t prompt;
                uint64_t seed;
                size_t t;
            };
            std::vector<Job> jobs{{0, 0, 0}};  // job 0: the prompts' text embeddings
            plan.keys.push_back(kTextEmbeddingsKey);
            for (size_t t = 0; t < timesteps.size(); ++t) {
                for (size_t p = 0; p < prompts.size(); ++p) {
                    for (auto seed : seeds) {
                        jobs.push_back({p, seed, t});
                        plan.keys.push_back(promptKey(static_cast<int64_t>(p), seed, timesteps[t]));
                    }
                }
            }
            SeedTrajectories trajectories(*model, timesteps, options->steps, sampling);
            runAnalysisSweep(folder, plan, shard, [&](size_t j, const Progress& progress) -> JobStore::Values {
                if (j == 0) {
                    std::vector<torch::Tensor> pooled;
                    for (const auto& prompt : prompts) pooled.push_back(pooledPromptEmbedding(*model->textEncoder(), prompt));
                    return {{"pooled", torch::stack(pooled)}};
                }
                const auto& job = jobs[j];
                return basisJob(*model, trajectories, job.seed, job.t, timesteps[job.t], sweep.basis,
                                underPrompt[job.prompt], progress);
            });
        });
    }
    {
        struct Options : TextAnalyzeOptions {
            std::string prompt;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "text-dependence", "Distance between the tangent spaces under a prompt and under the empty prompt at the "
                               "same z_t, against t (text-conditioned models)");
        command->add_option("--prompt", options->prompt, "the prompt");
        command->add_option("--prompts", options->promptFile, "or a text file of prompts, one a line (results averaged)")
            ->check(CLI::ExistingFile);
        options->addTo(*command);
        command->callback([options] {
            if (options->promptFile.empty() == options->prompt.empty()) {
                throw Error("analyze text-dependence: give either --prompt or --prompts FILE");
            }
            const auto prompts =
                options->promptFile.empty() ? std::vector<std::string>{options->prompt} : readPromptFile(options->promptFile);
            auto model = options->loadModel();
            requireTextEncoder(*model, "text-dependence");
            const auto shard = options->parsedShard();
            const auto folder = options->outputFolder();
            const auto timesteps = options->sweep().resolveTimesteps(*model);
            const auto seeds = options->seeds();
            auto plan = options->textPlan("text-dependence", *model, timesteps, prompts);
            plan.settings["context"] =
                options->context(*model, std::to_string(prompts.size()) + " prompt(s), " +
                                             std::to_string(options->samples) + " sample(s) each from seed " +
                                             std::to_string(options->seed)) +
                " z_t is sampled under each prompt (negative \"" + options->negativePrompt + "\", guidance " +
                cell(options->guidance) + "); J is taken at that z_t under the prompt and under the empty prompt, "
                "without guidance.";
            auto sweep = options->sweep();
            const auto empty = model->condition("");
            std::vector<Conditioning> underPrompt;
            std::vector<std::unique_ptr<SeedTrajectories>> trajectories;
            for (const auto& prompt : prompts) {
                underPrompt.push_back(model->condition(prompt));
                trajectories.push_back(std::make_unique<SeedTrajectories>(
                    *model, timesteps, options->steps, model->condition(prompt, options->negativePrompt, options->guidance)));
            }
            struct Job {
                size_t prompt;
                uint64_t seed;
                size_t t;
                bool empty;
            };
            std::vector<Job> jobs;
            for (size_t t = 0; t < timesteps.size(); ++t) {
                for (size_t p = 0; p < prompts.size(); ++p) {
                    for (auto seed : seeds) {
                        for (bool isEmpty : {false, true}) {
                            jobs.push_back({p, seed, t, isEmpty});
                            const auto P = static_cast<int64_t>(p);
                            plan.keys.push_back(isEmpty ? emptyPromptKey(P, seed, timesteps[t])
                                                        : promptKey(P, seed, timesteps[t]));
                        }
                    }
                }
            }
            runAnalysisSweep(folder, plan, shard, [&](size_t j, const Progress& progress) {
                const auto& job = jobs[j];
                return basisJob(*model, *trajectories[job.prompt], job.seed, job.t, timesteps[job.t], sweep.basis,
                                job.empty ? empty : underPrompt[job.prompt], progress);
            });
        });
    }
    addAnalyzeMergeCommand(*analyze);
}

}  // namespace latentlens::cli
