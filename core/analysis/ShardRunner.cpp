#include "core/analysis/ShardRunner.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "core/ProgressRange.h"

namespace latentlens {

ShardRunSummary runShard(const std::vector<std::string>& keys, const SweepShard& shard, const JobStore& store,
                         const SweepJobCompute& compute, const Progress& progress) {
    ShardRunSummary summary;
    summary.jobs = static_cast<int64_t>(keys.size());
    std::vector<size_t> todo;
    for (size_t j = 0; j < keys.size(); ++j) {
        if (!shard.owns(j)) continue;
        ++summary.owned;
        if (store.has(keys[j])) {
            ++summary.skipped;
        } else {
            todo.push_back(j);
        }
    }
    if (summary.skipped > 0) {
        spdlog::info("shard {}: {} of its {} jobs are already in {}, skipped", shard.name(), summary.skipped,
                     summary.owned, store.folder().string());
    }
    const auto start = std::chrono::steady_clock::now();
    const auto count = static_cast<double>(todo.size());
    for (size_t i = 0; i < todo.size(); ++i) {
        progress.throwIfCancelled();
        const double from = static_cast<double>(i) / count;
        const double to = static_cast<double>(i + 1) / count;
        const auto& key = keys[todo[i]];
        const auto jobStart = std::chrono::steady_clock::now();
        store.save(key, compute(todo[i], progressRange(progress, from, to)));
        ++summary.computed;
        spdlog::debug("job {} ({} of {}) in {:.2f} s", key, i + 1, todo.size(),
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - jobStart).count());
        progress.report(to, "job " + std::to_string(i + 1) + " of " + std::to_string(todo.size()) + ": " + key);
    }
    summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return summary;
}

}  // namespace latentlens
