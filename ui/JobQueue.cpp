#include "ui/JobQueue.h"

#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/Progress.h"

namespace latentlens::ui {

JobQueue::JobQueue(const JobPolicy& policy) : policy_(policy) {}

uint64_t JobQueue::submit(JobKind kind, std::string description, Body body) {
    std::lock_guard lock(mutex_);
    const uint64_t id = ++lastId_;
    for (auto& queued : queue_) {
        if (policy_.drops(kind, queued.kind)) queued.dropped = true;  // superseded before it started
    }
    if (running_ && policy_.stops(kind, *running_)) cancelFlag_.store(true);
    queue_.push_back(Job{id, kind, std::move(description), std::move(body), false});
    return id;
}

void JobQueue::cancel() {
    std::lock_guard lock(mutex_);
    for (auto& queued : queue_) queued.dropped = true;
    cancelFlag_.store(true);
}

size_t JobQueue::queued() const {
    std::lock_guard lock(mutex_);
    return queue_.size();
}

std::optional<JobOutcome> JobQueue::runNext(const std::function<void(uint64_t, const std::string&)>& started) {
    Job job;
    {
        std::lock_guard lock(mutex_);
        if (queue_.empty()) return std::nullopt;
        job = std::move(queue_.front());
        queue_.pop_front();
        // A cancel() from now on stops this job; one before it dropped the job.
        if (!job.dropped) {
            cancelFlag_.store(false);
            running_ = job.kind;
        }
    }
    JobOutcome outcome{job.id, job.kind, job.description, JobEnd::Finished, {}};
    if (job.dropped) {
        spdlog::debug("job {} ({}) dropped before it started", job.id, job.description);
        outcome.end = JobEnd::Dropped;
        return outcome;
    }
    spdlog::debug("job {}: {}", job.id, job.description);
    if (started) started(job.id, job.description);
    try {
        job.body(job.id);
    } catch (const Cancelled&) {
        spdlog::debug("job {} cancelled", job.id);
        outcome.end = JobEnd::Cancelled;
    } catch (const Error& e) {
        spdlog::debug("{}: {}", job.description, e.what());  // the window reports it
        outcome.end = JobEnd::Failed;
        outcome.message = e.what();
    } catch (const c10::Error& e) {
        spdlog::error("{}: LibTorch: {}", job.description, e.what_without_backtrace());
        outcome.end = JobEnd::Failed;
        outcome.message = std::string("LibTorch: ") + e.what_without_backtrace();
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", job.description, e.what());
        outcome.end = JobEnd::Failed;
        outcome.message = e.what();
    }
    {
        std::lock_guard lock(mutex_);
        running_.reset();
    }
    return outcome;
}

}  // namespace latentlens::ui
