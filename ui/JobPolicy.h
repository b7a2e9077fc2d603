#pragma once

#include <array>

#include "ui/JobKind.h"

namespace latentlens::ui {

// How a job's results go stale, per kind (JobTracker).
enum class JobFreshness : uint8_t {
    LatestOnly,      // only the newest request's result is wanted (an image, a basis, ...)
    NewerThanShown,  // any result newer than the last one shown (slider-drag previews at 60 Hz)
    Every,           // every result is wanted (exports, analyses)
};

// What a new job of one kind does to the others: the supersede/stop policy as data.
struct JobRule {
    JobKinds drops;       // queued, not yet started jobs of these kinds are dropped (their result would be stale)
    JobKinds stops;       // a running job of these kinds is stopped at its next U-Net call
    JobKinds supersedes;  // results still in flight of these kinds (besides its own) are no longer wanted
    JobFreshness freshness = JobFreshness::LatestOnly;
};

// The rule of every job kind, shared by the workers' JobQueue and the window's JobTracker.
class JobPolicy {
public:
    // The rules of the desktop app:
    //   - the same kind drops the queued one (every export asked for is written); a running image,
    //     timestep, basis or final edit is stopped;
    //   - a timestep also drops and stops a basis: directions belong to one timestep (a live update
    //     of the directions follows the new timestep). It drops a queued live update but lets a
    //     running one (a tenth of a second) finish, to be shown before the new timestep: while
    //     the timestep is dragged, the cards keep changing instead of every update being stopped
    //     by the next move. A live update drops, stops and supersedes a basis (the refinement of
    //     the previous one), and a basis (find or refine) a live update;
    //   - a preview (slider drag) or final edit (slider release) also drops queued previews and final
    //     edits and stops a running final edit: only the latest slider values matter; a preview is
    //     never stopped, so a quick preview is never wasted, and the two supersede each other's
    //     results;
    //   - a new image or session drops and stops timestep, basis, preview and final-edit jobs;
    //   - loading a model drops a queued load; analyses run one at a time, each to its end.
    static const JobPolicy& standard();

    explicit JobPolicy(const std::array<JobRule, kJobKindCount>& rules) : rules_(rules) {}

    const JobRule& rule(JobKind kind) const { return rules_[static_cast<int>(kind)]; }
    // Whether a new job of kind `next` drops a queued job of kind `queued`.
    bool drops(JobKind next, JobKind queued) const { return rule(next).drops.contains(queued); }
    // Whether a new job of kind `next` stops a running job of kind `running`.
    bool stops(JobKind next, JobKind running) const { return rule(next).stops.contains(running); }

private:
    std::array<JobRule, kJobKindCount> rules_;
};

}  // namespace latentlens::ui
