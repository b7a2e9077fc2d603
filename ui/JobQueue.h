#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "ui/JobKind.h"
#include "ui/JobPolicy.h"

namespace latentlens::ui {

// How a job ended; every submitted job ends exactly once.
enum class JobEnd : uint8_t {
    Finished,   // its body returned
    Failed,     // its body threw; `message` says why
    Cancelled,  // stopped while running (cancel() or a newer job; latentlens::Cancelled)
    Dropped,    // superseded or cancelled before it started: its body never ran
};

struct JobOutcome {
    uint64_t id = 0;
    JobKind kind = JobKind::Export;
    std::string description;
    JobEnd end = JobEnd::Finished;
    std::string message;  // Failed: a person-readable reason (latentlens::Error's message, "LibTorch: ...")
};

// The jobs of one worker thread, run one at a time in request order, with the supersede/stop rules
// of a JobPolicy: submit() drops queued jobs a new one makes stale and stops such a running job (its
// cancel flag, checked by the core between U-Net calls). Qt-free: submit() and cancel() may be
// called from any thread, runNext() from the worker thread only. The one mapping of a job's
// exceptions to its end lives here, for every worker.
class JobQueue {
public:
    using Body = std::function<void(uint64_t id)>;

    explicit JobQueue(const JobPolicy& policy = JobPolicy::standard());

    // Queues a job and returns its id (1, 2, ...; increasing).
    uint64_t submit(JobKind kind, std::string description, Body body);
    // Drops every queued job and stops the running one.
    void cancel();
    // The running job's cancel flag (for latentlens::Progress::cancelFlag).
    const std::atomic<bool>& cancelFlag() const { return cancelFlag_; }
    // Takes the next job and runs it: calls `started` (id, description) first unless it was dropped,
    // then its body, and returns how it ended. Empty when nothing is queued.
    std::optional<JobOutcome> runNext(const std::function<void(uint64_t, const std::string&)>& started = {});
    // Queued jobs, dropped ones included (they still have to end).
    size_t queued() const;

private:
    struct Job {
        uint64_t id = 0;
        JobKind kind = JobKind::Export;
        std::string description;
        Body body;
        bool dropped = false;
    };

    const JobPolicy& policy_;
    mutable std::mutex mutex_;
    std::deque<Job> queue_;
    std::optional<JobKind> running_;
    uint64_t lastId_ = 0;
    std::atomic<bool> cancelFlag_{false};
};

}  // namespace latentlens::ui
