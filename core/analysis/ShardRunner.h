#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/Progress.h"
#include "core/analysis/JobStore.h"
#include "core/analysis/SweepShard.h"

namespace latentlens {

// How one shard's run went.
struct ShardRunSummary {
    int64_t jobs = 0;      // of the whole sweep
    int64_t owned = 0;     // this shard's
    int64_t skipped = 0;   // owned, already in the store (an earlier run of the shard)
    int64_t computed = 0;  // owned and computed now
    double seconds = 0.0;  // wall time of the computed ones
};

// Computes job j of a sweep (its index in `keys`) and returns what to store.
using SweepJobCompute = std::function<JobStore::Values(size_t job, const Progress& progress)>;

// Runs the jobs of `keys` (the sweep's fixed order) that `shard` owns and `store` lacks, storing
// each as soon as it is done; a cancel leaves the finished ones stored. Progress runs over the
// owned jobs still to do, each job's share equal.
ShardRunSummary runShard(const std::vector<std::string>& keys, const SweepShard& shard, const JobStore& store,
                         const SweepJobCompute& compute, const Progress& progress = {});

}  // namespace latentlens
