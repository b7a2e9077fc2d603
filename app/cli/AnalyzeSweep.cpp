#include "app/cli/AnalyzeSweep.h"

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/AnalyzeOutput.h"
#include "app/cli/CliSupport.h"
#include "core/Error.h"
#include "core/analysis/CoarseToFine.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/PromptSimilarity.h"
#include "core/analysis/SampleSimilarity.h"
#include "core/analysis/TextDependence.h"
#include "core/analysis/TimestepSimilarity.h"
#include "core/analysis/TimestepSweep.h"

namespace latentlens::cli {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr int kPlanFormat = 1;
constexpr const char* kPlanFile = "sweep.json";

std::string text(const json& settings, const char* name) { return settings.at(name).get<std::string>(); }
std::vector<int64_t> timestepsOf(const json& settings) { return settings.at("timesteps").get<std::vector<int64_t>>(); }
std::vector<uint64_t> seedsOf(const json& settings) { return settings.at("seeds").get<std::vector<uint64_t>>(); }
std::vector<std::string> promptsOf(const json& settings) {
    return settings.at("prompts").get<std::vector<std::string>>();
}

// The first place two JSON values differ, as a path ("settings.k"), or "" when equal.
std::string firstDifference(const json& a, const json& b, const std::string& path) {
    if (a.is_object() && b.is_object()) {
        for (const auto& [key, value] : a.items()) {
            const auto where = path.empty() ? key : path + "." + key;
            if (!b.contains(key)) return where;
            auto inner = firstDifference(value, b.at(key), where);
            if (!inner.empty()) return inner;
        }
        for (const auto& [key, value] : b.items()) {
            if (!a.contains(key)) return path.empty() ? key : path + "." + key;
        }
        return {};
    }
    return a == b ? std::string() : (path.empty() ? std::string("(the whole plan)") : path);
}

// Where two plans differ: a setting's path ("settings.k"), the report's context line last (it
// restates the other settings), or "" when they are the same plan.
std::string planDifference(const SweepPlan& a, const SweepPlan& b) {
    auto withoutContext = [](json plan) {
        plan["settings"].erase("context");
        return plan;
    };
    auto difference = firstDifference(withoutContext(a.toJson()), withoutContext(b.toJson()), "");
    return difference.empty() ? firstDifference(a.toJson(), b.toJson(), "") : difference;
}

SweepPlan readPlanFile(const fs::path& folder) {
    const auto file = folder / kPlanFile;
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": not found; is " + folder.string() + " the --out folder of an analyze run?");
    json plan;
    try {
        in >> plan;
    } catch (const json::exception& error) {
        throw Error(file.string() + ": not valid JSON (" + error.what() + ")");
    }
    return SweepPlan::fromJson(plan, file.string());
}

void writeAtomically(const fs::path& file, const std::string& contents) {
    auto temporary = file;
    temporary += ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary);
        out << contents;
        out.close();
        if (!out) throw Error(temporary.string() + ": cannot write");
    }
    std::error_code error;
    fs::rename(temporary, file, error);
    if (error) throw Error(file.string() + ": cannot write (" + error.message() + ")");
}

// Records the plan, or checks the folder's plan equals it.
void recordPlan(const fs::path& folder, const SweepPlan& plan) {
    const auto file = folder / kPlanFile;
    if (fs::exists(file)) {
        const auto existing = readPlanFile(folder);
        const auto difference = planDifference(existing, plan);
        if (!difference.empty()) {
            throw Error(file.string() + ": this folder holds a sweep of other settings (" + difference +
                        " differs); use another --out folder, or delete this one to start over");
        }
        return;
    }
    writeAtomically(file, plan.toJson().dump(1) + "\n");
}

PullbackBasis loadBasis(const JobStore& store, const std::string& key) {
    return basisFromValues(store.load(key), store.fileOf(key).string());
}

void checkComplete(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    std::vector<size_t> missing;
    for (size_t j = 0; j < plan.keys.size(); ++j) {
        if (!store.has(plan.keys[j])) missing.push_back(j);
    }
    if (missing.empty()) return;
    const auto& example = plan.keys[missing.front()];
    throw Error(folder.string() + ": " + std::to_string(missing.size()) + " of the sweep's " +
                std::to_string(plan.keys.size()) + " jobs are not done (first: " + example +
                ", job " + std::to_string(missing.front() + 1) +
                " in the sweep's order); run the shards that hold them (again), then merge");
}

std::string finishCoarseToFine(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    const auto& s = plan.settings;
    std::vector<PullbackBasis> bases;
    for (auto t : timestepsOf(s)) bases.push_back(loadBasis(store, timestepKey(t)));
    auto result = coarseToFine(bases);
    writeCoarseToFine(folder, result, text(s, "context"));
    char line[256];
    std::snprintf(line, sizeof(line), "coarse-to-fine, %zu timesteps: mean frequency %.3f at t=%lld, %.3f at t=%lld",
                  result.timesteps.size(), result.averageFrequency[0].item<double>(),
                  static_cast<long long>(result.timesteps.front()), result.averageFrequency[-1].item<double>(),
                  static_cast<long long>(result.timesteps.back()));
    return line;
}

SweepBases sampleBasesOf(const json& settings, const JobStore& store, std::optional<int64_t> model) {
    SweepBases sweep;
    sweep.modelName = model ? settings.at("models").at(*model).get<std::string>() : text(settings, "model");
    sweep.timesteps = model ? settings.at("modelTimesteps").at(*model).get<std::vector<int64_t>>() : timestepsOf(settings);
    sweep.seeds = seedsOf(settings);
    for (auto t : sweep.timesteps) {
        std::vector<PullbackBasis> atTimestep;
        for (auto seed : sweep.seeds) {
            atTimestep.push_back(loadBasis(store, model ? modelSampleKey(*model, seed, t) : sampleKey(seed, t)));
        }
        sweep.bases.push_back(std::move(atTimestep));
    }
    return sweep;
}

std::string finishSimilarity(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    auto result = sampleSimilarity(sampleBasesOf(plan.settings, store, std::nullopt));
    writeSampleSimilarity(folder, result, text(plan.settings, "context"));
    char line[256];
    std::snprintf(line, sizeof(line), "similarity of %zu samples: X %.3f at t=%lld, %.3f at t=%lld; H %.3f, %.3f",
                  result.seeds.size(), result.meanXSimilarity[0].item<double>(),
                  static_cast<long long>(result.timesteps.front()), result.meanXSimilarity[-1].item<double>(),
                  static_cast<long long>(result.timesteps.back()), result.meanHSimilarity[0].item<double>(),
                  result.meanHSimilarity[-1].item<double>());
    return line;
}

std::string finishTimesteps(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    std::vector<PullbackBasis> bases;
    for (auto t : timestepsOf(plan.settings)) bases.push_back(loadBasis(store, timestepKey(t)));
    auto result = timestepSimilarity(bases);
    writeTimestepSimilarity(folder, result, text(plan.settings, "context"));
    const auto T = static_cast<int64_t>(result.timesteps.size());
    char line[256];
    std::snprintf(line, sizeof(line), "timesteps, %lld x %lld: X similarity of t=%lld and t=%lld %.3f",
                  static_cast<long long>(T), static_cast<long long>(T), static_cast<long long>(result.timesteps.front()),
                  static_cast<long long>(result.timesteps.back()), result.xSimilarity[0][T - 1].item<double>());
    return line;
}

std::string finishCurvedness(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    const auto& s = plan.settings;
    const auto timesteps = timestepsOf(s);
    const auto segments = s.at("segments").get<int64_t>();
    std::vector<CurvednessPath> paths;
    for (auto t : timesteps) {
        std::vector<torch::Tensor> spaces;
        double length = 0.0;
        for (int64_t j = 0; j <= segments; ++j) {
            auto values = store.load(pointKey(t, j));
            spaces.push_back(basisFromValues(values, store.fileOf(pointKey(t, j)).string()).v);
            length = values.at("euclidean_length").item<double>();
        }
        paths.push_back(curvednessOfSpaces(spaces, length));
    }
    auto result = curvednessSweepOf(text(s, "model"), timesteps, s.at("seedA").get<uint64_t>(),
                                    s.at("seedB").get<uint64_t>(), std::move(paths));
    writeCurvedness(folder, result, text(s, "context"));
    char line[256];
    std::snprintf(line, sizeof(line), "curvedness: %.4f rad/unit at t=%lld, %.4f at t=%lld",
                  result.curvedness[0].item<double>(), static_cast<long long>(result.timesteps.front()),
                  result.curvedness[-1].item<double>(), static_cast<long long>(result.timesteps.back()));
    return line;
}

std::string finishCompare(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    const auto& s = plan.settings;
    std::vector<SampleSimilarity> results;
    for (int64_t m = 0; m < 2; ++m) results.push_back(sampleSimilarity(sampleBasesOf(s, store, m)));
    writeComparison(folder, results, s.at("trainTimesteps").get<std::vector<int64_t>>(), text(s, "context"));
    std::string line;
    for (const auto& r : results) {
        char part[256];
        std::snprintf(part, sizeof(part), "%s%s: mean X similarity %.3f (random %.4f)", line.empty() ? "" : "\n",
                      r.modelName.c_str(), r.meanXSimilarity.mean().item<double>(),
                      static_cast<double>(r.k) / static_cast<double>(r.xDim));
        line += part;
    }
    return line;
}

PromptSweepBases promptBasesOf(const json& settings, const JobStore& store, bool emptyPrompt) {
    PromptSweepBases bases;
    const auto prompts = promptsOf(settings);
    for (auto t : timestepsOf(settings)) {
        std::vector<std::vector<PullbackBasis>> atTimestep;
        for (size_t p = 0; p < prompts.size(); ++p) {
            std::vector<PullbackBasis> underPrompt;
            for (auto seed : seedsOf(settings)) {
                const auto P = static_cast<int64_t>(p);
                underPrompt.push_back(loadBasis(store, emptyPrompt ? emptyPromptKey(P, seed, t) : promptKey(P, seed, t)));
            }
            atTimestep.push_back(std::move(underPrompt));
        }
        bases.push_back(std::move(atTimestep));
    }
    return bases;
}

std::string finishPrompts(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    const auto& s = plan.settings;
    const auto embeddings = store.load(kTextEmbeddingsKey).at("pooled");
    auto result = promptSimilarity(timestepsOf(s), promptsOf(s), seedsOf(s), promptBasesOf(s, store, false), embeddings);
    writePromptSimilarity(folder, result, text(s, "context"), text(s, "referencePrompt"));
    char line[256];
    std::snprintf(line, sizeof(line),
                  "prompts, %zu x %zu: mean X similarity %.3f at t=%lld, %.3f at t=%lld; r with text similarity %.2f, %.2f",
                  result.prompts.size(), result.prompts.size(), result.meanXSimilarity[0].item<double>(),
                  static_cast<long long>(result.timesteps.front()), result.meanXSimilarity[-1].item<double>(),
                  static_cast<long long>(result.timesteps.back()), result.xCorrelation[0].item<double>(),
                  result.xCorrelation[-1].item<double>());
    return line;
}

std::string finishTextDependence(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    const auto& s = plan.settings;
    auto result = textDependence(timestepsOf(s), promptsOf(s), seedsOf(s), promptBasesOf(s, store, false),
                                 promptBasesOf(s, store, true));
    writeTextDependence(folder, result, text(s, "context"));
    char line[256];
    std::snprintf(line, sizeof(line), "text dependence: X distance to the empty prompt %.3f at t=%lld, %.3f at t=%lld",
                  result.meanXDistance[0].item<double>(), static_cast<long long>(result.timesteps.front()),
                  result.meanXDistance[-1].item<double>(), static_cast<long long>(result.timesteps.back()));
    return line;
}

using Finisher = std::string (*)(const fs::path&, const SweepPlan&, const JobStore&);
Finisher finisherOf(const std::string& analysis) {
    if (analysis == "coarse-to-fine") return finishCoarseToFine;
    if (analysis == "similarity") return finishSimilarity;
    if (analysis == "timesteps") return finishTimesteps;
    if (analysis == "curvedness") return finishCurvedness;
    if (analysis == "compare") return finishCompare;
    if (analysis == "prompts") return finishPrompts;
    if (analysis == "text-dependence") return finishTextDependence;
    return nullptr;
}

// Copies the job files of `from` that `to` lacks (under a temporary name, then renamed).
int64_t copyMissingJobs(const JobStore& from, const JobStore& to, const SweepPlan& plan) {
    int64_t copied = 0;
    for (const auto& key : plan.keys) {
        if (to.has(key) || !from.has(key)) continue;
        auto temporary = to.fileOf(key);
        temporary += ".tmp-" + std::to_string(::getpid());
        std::error_code error;
        fs::copy_file(from.fileOf(key), temporary, fs::copy_options::overwrite_existing, error);
        if (!error) fs::rename(temporary, to.fileOf(key), error);
        if (error) throw Error(to.fileOf(key).string() + ": cannot copy the job result (" + error.message() + ")");
        ++copied;
    }
    return copied;
}

}  // namespace

json SweepPlan::toJson() const {
    return json{{"format", kPlanFormat}, {"analysis", analysis}, {"settings", settings}, {"jobs", keys}};
}

SweepPlan SweepPlan::fromJson(const json& plan, const std::string& where) {
    try {
        if (plan.at("format").get<int>() != kPlanFormat) {
            throw Error(where + ": sweep format " + plan.at("format").dump() + ", this build reads " +
                        std::to_string(kPlanFormat));
        }
        SweepPlan result{plan.at("analysis").get<std::string>(), plan.at("settings"),
                         plan.at("jobs").get<std::vector<std::string>>()};
        if (!finisherOf(result.analysis)) throw Error(where + ": unknown analysis \"" + result.analysis + "\"");
        return result;
    } catch (const json::exception& error) {
        throw Error(where + ": not a sweep plan (" + error.what() + ")");
    }
}

std::string timestepKey(int64_t timestep) { return "t" + std::to_string(timestep); }
std::string sampleKey(uint64_t seed, int64_t timestep) { return "s" + std::to_string(seed) + "-" + timestepKey(timestep); }
std::string modelSampleKey(int64_t model, uint64_t seed, int64_t timestep) {
    return "m" + std::to_string(model) + "-" + sampleKey(seed, timestep);
}
std::string pointKey(int64_t timestep, int64_t point) { return timestepKey(timestep) + "-j" + std::to_string(point); }
std::string promptKey(int64_t prompt, uint64_t seed, int64_t timestep) {
    return "p" + std::to_string(prompt) + "-" + sampleKey(seed, timestep);
}
std::string emptyPromptKey(int64_t prompt, uint64_t seed, int64_t timestep) {
    return promptKey(prompt, seed, timestep) + "-empty";
}

std::string finishAnalysis(const fs::path& folder, const SweepPlan& plan, const JobStore& store) {
    checkComplete(folder, plan, store);
    auto finisher = finisherOf(plan.analysis);
    if (!finisher) throw Error("internal: no finishing step for analysis " + plan.analysis);
    return finisher(folder, plan, store);
}

void runAnalysisSweep(const fs::path& folder, const SweepPlan& plan, const SweepShard& shard,
                      const SweepJobCompute& compute) {
    recordPlan(folder, plan);
    JobStore store(folder);
    auto summary = runShard(plan.keys, shard, store, compute, loggingProgress());
    if (summary.computed > 0) {
        spdlog::info("{} bases in {:.1f} s ({:.2f} s per basis)", summary.computed, summary.seconds,
                     summary.seconds / static_cast<double>(summary.computed));
    }
    if (shard.isWhole()) {
        std::printf("%s (%.1f s)\nwrote %s\n", finishAnalysis(folder, plan, store).c_str(), summary.seconds,
                    folder.string().c_str());
        return;
    }
    std::printf("shard %s: %lld of its %lld jobs computed, %lld already done (the sweep has %lld; %.1f s)\n"
                "when every shard is done: latentlens-cli analyze merge %s\n",
                shard.name().c_str(), static_cast<long long>(summary.computed), static_cast<long long>(summary.owned),
                static_cast<long long>(summary.skipped), static_cast<long long>(summary.jobs), summary.seconds,
                folder.string().c_str());
}

void addAnalyzeMergeCommand(CLI::App& analyze) {
    struct Options {
        std::vector<std::string> folders;
        std::string out;
        bool verbose = false;
    };
    auto options = std::make_shared<Options>();
    auto* command = analyze.add_subcommand(
        "merge", "Finish a sharded analysis: gather the shards' job results (one shared --out or one folder each) "
                 "and write its CSV, plots and report.md");
    command->add_option("folders", options->folders, "the shards' --out folders (the same plan in each)")
        ->required()
        ->check(CLI::ExistingDirectory);
    command->add_option("--out", options->out, "write the merged results here (default: the first folder)");
    command->add_flag("-v,--verbose", options->verbose, "debug logging");
    command->callback([options] {
        configureLogging(options->verbose);
        const fs::path target = options->out.empty() ? fs::path(options->folders.front()) : fs::path(options->out);
        const auto plan = readPlanFile(options->folders.front());
        for (size_t i = 1; i < options->folders.size(); ++i) {
            const auto other = readPlanFile(options->folders[i]);
            const auto difference = planDifference(plan, other);
            if (!difference.empty()) {
                throw Error((fs::path(options->folders[i]) / kPlanFile).string() + ": a sweep of other settings than " +
                            (fs::path(options->folders.front()) / kPlanFile).string() + " (" + difference + " differs)");
            }
        }
        std::error_code error;
        fs::create_directories(target, error);
        if (!fs::is_directory(target)) throw Error(target.string() + ": cannot create the output folder");
        recordPlan(target, plan);
        JobStore store(target);
        int64_t copied = 0;
        for (const auto& folder : options->folders) {
            if (fs::equivalent(folder, target)) continue;
            copied += copyMissingJobs(JobStore(folder), store, plan);
        }
        if (copied > 0) spdlog::info("gathered {} job results into {}", copied, (target / "jobs").string());
        std::printf("%s\nmerged %zu jobs into %s\n", finishAnalysis(target, plan, store).c_str(), plan.keys.size(),
                    target.string().c_str());
    });
}

}  // namespace latentlens::cli
