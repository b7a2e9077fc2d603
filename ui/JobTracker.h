#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "ui/JobKind.h"
#include "ui/JobPolicy.h"

namespace latentlens::ui {

// The window's side of the jobs it submitted (GUI thread only, Qt-free): which are still pending,
// what each is for, and whether a result that arrives is still wanted, by the kind's JobFreshness
// and `supersedes` rules in the JobPolicy:
//   - LatestOnly: only the newest tracked job of the kind (until supersede(kind));
//   - NewerThanShown: any job newer than the last one shown() and than the last supersede(kind);
//   - Every: always.
class JobTracker {
public:
    explicit JobTracker(const JobPolicy& policy = JobPolicy::standard());

    // A job just submitted; returns `job`. It becomes the newest of its kind and makes results of
    // the kinds its rule supersedes stale.
    uint64_t track(uint64_t job, JobKind kind);
    // The job's end (the worker's jobEnded): it is no longer pending.
    void ended(uint64_t job);

    bool isPending(uint64_t job) const { return pending_.count(job) != 0; }
    bool isIdle() const { return pending_.empty(); }
    // The kind of a pending job.
    std::optional<JobKind> kindOf(uint64_t job) const;
    // Whether a pending job's result is still wanted (false for jobs not tracked or ended).
    bool isCurrent(uint64_t job) const;
    // Whether no newer request of its kind replaced a pending job (LatestOnly: isCurrent; the others:
    // always): what a "Cancelled" notice is about.
    bool isLatest(uint64_t job) const;
    // Whether the newest job of `kind` is still pending (e.g. a model is being loaded).
    bool isRunning(JobKind kind) const;
    // A result of `job` was shown: older NewerThanShown results of its kind are stale now.
    void shown(uint64_t job);
    // Every job of `kind` tracked so far is stale: what is in flight belongs to a view left behind.
    void supersede(JobKind kind);

private:
    struct KindState {
        uint64_t latest = 0;  // LatestOnly: the one wanted job (0: none)
        uint64_t floor = 0;   // NewerThanShown: jobs up to this one are stale
        uint64_t newest = 0;  // the newest job tracked (whether or not still wanted)
    };

    KindState& state(JobKind kind) { return kinds_[static_cast<int>(kind)]; }
    const KindState& state(JobKind kind) const { return kinds_[static_cast<int>(kind)]; }

    const JobPolicy& policy_;
    std::unordered_map<uint64_t, JobKind> pending_;
    std::array<KindState, kJobKindCount> kinds_{};
    uint64_t lastTracked_ = 0;
};

}  // namespace latentlens::ui
