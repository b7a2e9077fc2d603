#include "ui/JobTracker.h"

#include <algorithm>

namespace latentlens::ui {

JobTracker::JobTracker(const JobPolicy& policy) : policy_(policy) {}

uint64_t JobTracker::track(uint64_t job, JobKind kind) {
    lastTracked_ = std::max(lastTracked_, job);  // superseded below: everything up to this job
    for (int other = 0; other < kJobKindCount; ++other) {
        const auto otherKind = static_cast<JobKind>(other);
        if (otherKind != kind && policy_.rule(kind).supersedes.contains(otherKind)) supersede(otherKind);
    }
    pending_[job] = kind;
    auto& s = state(kind);
    s.latest = job;
    s.newest = std::max(s.newest, job);
    return job;
}

void JobTracker::ended(uint64_t job) { pending_.erase(job); }

std::optional<JobKind> JobTracker::kindOf(uint64_t job) const {
    const auto found = pending_.find(job);
    if (found == pending_.end()) return std::nullopt;
    return found->second;
}

bool JobTracker::isCurrent(uint64_t job) const {
    const auto kind = kindOf(job);
    if (!kind) return false;
    switch (policy_.rule(*kind).freshness) {
        case JobFreshness::LatestOnly: return state(*kind).latest == job;
        case JobFreshness::NewerThanShown: return job > state(*kind).floor;
        case JobFreshness::Every: return true;
    }
    return false;
}

bool JobTracker::isLatest(uint64_t job) const {
    const auto kind = kindOf(job);
    if (!kind || policy_.rule(*kind).freshness != JobFreshness::LatestOnly) return true;
    return state(*kind).latest == job;
}

bool JobTracker::isRunning(JobKind kind) const {
    const auto& s = state(kind);
    return s.newest != 0 && isPending(s.newest);
}

void JobTracker::shown(uint64_t job) {
    const auto kind = kindOf(job);
    if (!kind) return;
    auto& s = state(*kind);
    s.floor = std::max(s.floor, job);
}

void JobTracker::supersede(JobKind kind) {
    auto& s = state(kind);
    s.latest = 0;
    s.floor = std::max(s.floor, lastTracked_);
}

}  // namespace latentlens::ui
