#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace latentlens {

// One part of a sweep split over machines: shard `index` of `count` (1-based, as `--shard I/N`
// and Slurm's array indices read) takes the jobs j with j mod count = index − 1 of the sweep's
// fixed job order, so every job belongs to exactly one shard and neighbouring jobs (which cost
// alike) spread evenly.
struct SweepShard {
    int64_t index = 1;
    int64_t count = 1;

    // "I/N" with 1 ≤ I ≤ N; anything else throws Error quoting the text.
    static SweepShard parse(const std::string& text);

    bool isWhole() const { return count == 1; }
    bool owns(size_t job) const { return static_cast<int64_t>(job % static_cast<size_t>(count)) == index - 1; }
    std::string name() const { return std::to_string(index) + "/" + std::to_string(count); }
};

}  // namespace latentlens
