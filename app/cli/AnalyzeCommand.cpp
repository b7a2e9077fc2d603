// latentlens-cli analyze: the latent-geometry analyses of Park et al. (2023), each writing CSV
// tables, PNG plots and a report.md into --out.
#include <chrono>
#include <cstdio>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/AnalyzeOutput.h"
#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/analysis/CoarseToFine.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/SampleSimilarity.h"
#include "core/analysis/TimestepSimilarity.h"
#include "core/analysis/TimestepSweep.h"

namespace latentlens::cli {
namespace fs = std::filesystem;
namespace {

// Options every analysis takes: the model, the sweep of timesteps, the basis and --out.
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
        command.add_option("--out", out, "output folder (created): CSV, PNG and report.md")->required();
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

    fs::path outputFolder() const {
        fs::path folder(out);
        std::error_code error;
        fs::create_directories(folder, error);
        if (error || !fs::is_directory(folder)) throw Error(out + ": cannot create the output folder");
        return folder;
    }

    std::string context(const DiffusionPipeline& model, const std::string& samples) const {
        return "Model " + model.name() + " (" + model.folder().root.string() + "), " + samples + ", k=" +
               std::to_string(k) + ", basis of the mid block's features (tolerance " + cell(tolerance) + "), " +
               std::to_string(steps) + "-step DDIM trajectory to reach x_t.";
    }
};

std::vector<uint64_t> seedRange(uint64_t first, int count) {
    std::vector<uint64_t> seeds;
    for (int i = 0; i < count; ++i) seeds.push_back(first + static_cast<uint64_t>(i));
    return seeds;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

void addAnalyzeCommand(CLI::App& app) {
    auto* analyze = app.add_subcommand(
        "analyze", "Latent-geometry analyses over timesteps (Park et al. 2023): CSV, PNG plots and report.md");
    analyze->require_subcommand(1);

    {
        struct Options : AnalyzeOptions {
            uint64_t seed = 0;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "coarse-to-fine", "Power spectrum and mean frequency of one sample's latent basis v_i over t, and v_1 over t");
        command->add_option("--seed", options->seed, "noise seed of the sample")->capture_default_str();
        options->addTo(*command);
        command->callback([options] {
            const auto start = std::chrono::steady_clock::now();
            auto model = options->loadModel();
            const auto folder = options->outputFolder();
            auto sweep = computeSweepBases(*model, {options->seed}, options->sweep(), loggingProgress());
            auto result = coarseToFine(sweep.sampleBases(0));
            writeCoarseToFine(folder, result, options->context(*model, "seed " + std::to_string(options->seed)));
            std::printf("coarse-to-fine, %zu timesteps: mean frequency %.3f at t=%lld, %.3f at t=%lld (%.1f s)\nwrote %s\n",
                        result.timesteps.size(), result.averageFrequency[0].item<double>(),
                        static_cast<long long>(result.timesteps.front()), result.averageFrequency[-1].item<double>(),
                        static_cast<long long>(result.timesteps.back()), secondsSince(start), options->out.c_str());
        });
    }
    {
        struct Options : AnalyzeOptions {
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
            const auto start = std::chrono::steady_clock::now();
            auto model = options->loadModel();
            const auto folder = options->outputFolder();
            auto sweep = computeSweepBases(*model, seedRange(options->seed, options->samples), options->sweep(), loggingProgress());
            auto result = sampleSimilarity(sweep);
            writeSampleSimilarity(folder, result,
                                  options->context(*model, std::to_string(options->samples) + " samples from seed " +
                                                               std::to_string(options->seed)));
            std::printf("similarity of %d samples: X %.3f at t=%lld, %.3f at t=%lld; H %.3f, %.3f (%.1f s)\nwrote %s\n",
                        options->samples, result.meanXSimilarity[0].item<double>(),
                        static_cast<long long>(result.timesteps.front()), result.meanXSimilarity[-1].item<double>(),
                        static_cast<long long>(result.timesteps.back()), result.meanHSimilarity[0].item<double>(),
                        result.meanHSimilarity[-1].item<double>(), secondsSince(start), options->out.c_str());
        });
    }
    {
        struct Options : AnalyzeOptions {
            uint64_t seed = 0;
        };
        auto options = std::make_shared<Options>();
        auto* command = analyze->add_subcommand(
            "timesteps", "Similarity of one sample's tangent spaces at every pair of timesteps (t x t, in X and H)");
        command->add_option("--seed", options->seed, "noise seed of the sample")->capture_default_str();
        options->addTo(*command);
        command->callback([options] {
            const auto start = std::chrono::steady_clock::now();
            auto model = options->loadModel();
            const auto folder = options->outputFolder();
            auto sweep = computeSweepBases(*model, {options->seed}, options->sweep(), loggingProgress());
            auto result = timestepSimilarity(sweep.sampleBases(0));
            writeTimestepSimilarity(folder, result, options->context(*model, "seed " + std::to_string(options->seed)));
            const auto T = static_cast<int64_t>(result.timesteps.size());
            std::printf("timesteps, %lld x %lld: X similarity of t=%lld and t=%lld %.3f (%.1f s)\nwrote %s\n",
                        static_cast<long long>(T), static_cast<long long>(T), static_cast<long long>(result.timesteps.front()),
                        static_cast<long long>(result.timesteps.back()), result.xSimilarity[0][T - 1].item<double>(),
                        secondsSince(start), options->out.c_str());
        });
    }
    {
        struct Options : AnalyzeOptions {
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
            const auto start = std::chrono::steady_clock::now();
            auto model = options->loadModel();
            const auto folder = options->outputFolder();
            auto result = curvednessOverTimesteps(*model, options->seedA, options->seedB, options->segments,
                                                  options->sweep(), loggingProgress());
            writeCurvedness(folder, result,
                            options->context(*model, "seeds " + std::to_string(options->seedA) + " and " +
                                                         std::to_string(options->seedB) + ", M=" +
                                                         std::to_string(options->segments) + " segments"));
            std::printf("curvedness: %.4f rad/unit at t=%lld, %.4f at t=%lld (%.1f s)\nwrote %s\n",
                        result.curvedness[0].item<double>(), static_cast<long long>(result.timesteps.front()),
                        result.curvedness[-1].item<double>(), static_cast<long long>(result.timesteps.back()),
                        secondsSince(start), options->out.c_str());
        });
    }
    {
        struct Options : AnalyzeOptions {
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
            const auto start = std::chrono::steady_clock::now();
            auto first = options->loadModel();
            auto second = DiffusionPipeline::load(options->modelB, ModelOptions{first->dtype(), first->device()});
            const auto folder = options->outputFolder();
            std::vector<SampleSimilarity> results;
            std::vector<int64_t> trainTimesteps;
            for (auto* model : {first.get(), second.get()}) {
                if (options->k > model->latentShape()[0] * model->latentShape()[1] * model->latentShape()[2]) {
                    throw Error("--k " + std::to_string(options->k) + " exceeds the input dimension of model " + model->name());
                }
                spdlog::info("similarity of {} samples on {}", options->samples, model->name());
                auto sweep = computeSweepBases(*model, seedRange(options->seed, options->samples), options->sweep(),
                                               loggingProgress());
                results.push_back(sampleSimilarity(sweep));
                trainTimesteps.push_back(model->scheduler().numTrainTimesteps());
            }
            writeComparison(folder, results, trainTimesteps,
                            "Models " + first->name() + " and " + second->name() + ", " + std::to_string(options->samples) +
                                " samples from seed " + std::to_string(options->seed) + ", k=" + std::to_string(options->k) +
                                ", " + std::to_string(options->count) + " timesteps from " + cell(options->from) +
                                "T to " + cell(options->to) + "T.");
            for (const auto& r : results) {
                std::printf("%s: mean X similarity %.3f (random %.4f)\n", r.modelName.c_str(),
                            r.meanXSimilarity.mean().item<double>(), static_cast<double>(r.k) / r.xDim);
            }
            std::printf("(%.1f s)\nwrote %s\n", secondsSince(start), options->out.c_str());
        });
    }
}

}  // namespace latentlens::cli
