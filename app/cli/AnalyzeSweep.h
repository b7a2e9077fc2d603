#pragma once

// How `latentlens-cli analyze` runs: every analysis is a sweep of jobs (one basis each, in a fixed
// order) whose results go into <out>/jobs (see JobStore); the analysis proper (CSV, plots,
// report.md) is computed from the stored jobs once all are there. With --shard I/N a process
// runs only its share and leaves the rest to the other shards; `analyze merge` then finishes the
// analysis from their folders. The whole run is the same path with one shard, so the merged
// files equal an unsharded run's.

#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "core/analysis/JobStore.h"
#include "core/analysis/ShardRunner.h"
#include "core/analysis/SweepShard.h"

namespace latentlens::cli {

// What a sweep is: the analysis, every setting its jobs' results depend on and its finishing
// step reads (the model's name, timesteps, seeds, prompts, the report's context line, ...), and
// the jobs' keys in their fixed order. Written to <out>/sweep.json.
struct SweepPlan {
    std::string analysis;
    nlohmann::json settings;
    std::vector<std::string> keys;

    nlohmann::json toJson() const;
    static SweepPlan fromJson(const nlohmann::json& json, const std::string& where);
};

// Job keys (file names of the job results).
std::string timestepKey(int64_t timestep);
std::string sampleKey(uint64_t seed, int64_t timestep);
std::string modelSampleKey(int64_t model, uint64_t seed, int64_t timestep);
std::string pointKey(int64_t timestep, int64_t point);
std::string promptKey(int64_t prompt, uint64_t seed, int64_t timestep);
std::string emptyPromptKey(int64_t prompt, uint64_t seed, int64_t timestep);
constexpr const char* kTextEmbeddingsKey = "text-embeddings";

// Records the plan in <folder>/sweep.json (or checks that the one there is the same: an Error
// naming the file and the first setting that differs otherwise), runs the shard's jobs that are
// not stored yet, then finishes the analysis if the shard is the whole sweep, or prints how far
// the shard got and what to run next. Prints the result line.
void runAnalysisSweep(const std::filesystem::path& folder, const SweepPlan& plan, const SweepShard& shard,
                      const SweepJobCompute& compute);

// Writes the analysis's CSV, PNG and report.md into `folder` from the stored jobs; Error naming
// the folder and the missing jobs when some are not there. Returns the result line to print.
std::string finishAnalysis(const std::filesystem::path& folder, const SweepPlan& plan, const JobStore& store);

// `analyze merge OUT...`.
void addAnalyzeMergeCommand(CLI::App& analyze);

}  // namespace latentlens::cli
