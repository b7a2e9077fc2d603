#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <QTest>

#include <c10/util/Exception.h>

#include "UiTestRegistry.h"
#include "core/Error.h"
#include "core/Progress.h"
#include "ui/JobQueue.h"

using latentlens::ui::JobEnd;
using latentlens::ui::JobKind;
using latentlens::ui::JobOutcome;
using latentlens::ui::JobPolicy;
using latentlens::ui::JobQueue;

namespace {

// A job body that runs until its queue's cancel flag is set (as the core checks it between U-Net
// calls), or fails the test after 10 s.
JobQueue::Body untilCancelled(JobQueue& queue, std::atomic<bool>& running) {
    return [&queue, &running](uint64_t) {
        latentlens::Progress progress;
        progress.cancelFlag = &queue.cancelFlag();
        running = true;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            progress.throwIfCancelled();
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        throw std::runtime_error("never cancelled");
    };
}

void waitFor(const std::atomic<bool>& flag) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!flag && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

}  // namespace

// The worker's job queue and its policy table, without threads of Qt: a new drag supersedes an
// old preview, cancel stops the running job, every job ends exactly once, one error mapping.
class JobQueueTest : public QObject {
    Q_OBJECT
private slots:
    void newDragSupersedesQueuedPreview() {
        JobQueue queue;
        std::vector<uint64_t> ran;
        const auto body = [&ran](uint64_t id) { ran.push_back(id); };
        const auto old = queue.submit(JobKind::Preview, "drag 1", body);
        const auto release = queue.submit(JobKind::FinalEdit, "release", body);
        const auto drag = queue.submit(JobKind::Preview, "drag 2", body);
        QCOMPARE(queue.runNext()->end, JobEnd::Dropped);
        QCOMPARE(queue.runNext()->end, JobEnd::Dropped);
        const auto last = queue.runNext();
        QVERIFY(last);
        QCOMPARE(last->id, drag);
        QCOMPARE(last->end, JobEnd::Finished);
        QVERIFY(!queue.runNext());
        QVERIFY(ran == std::vector<uint64_t>{drag});
        QVERIFY(old < release && release < drag);
    }

    void newDragStopsRunningFinalEditButNotAPreview() {
        JobQueue queue;
        std::atomic<bool> running{false};
        queue.submit(JobKind::FinalEdit, "release", untilCancelled(queue, running));
        std::optional<JobOutcome> outcome;
        std::thread worker([&] { outcome = queue.runNext(); });
        waitFor(running);
        queue.submit(JobKind::Preview, "drag", [](uint64_t) {});
        worker.join();
        QVERIFY(outcome);
        QCOMPARE(outcome->end, JobEnd::Cancelled);
        QCOMPARE(queue.runNext()->end, JobEnd::Finished);

        // A running preview runs to its end while newer drags queue up: a quick preview is never wasted.
        std::atomic<bool> release{false};
        std::atomic<bool> previewing{false};
        queue.submit(JobKind::Preview, "drag 1", [&](uint64_t) {
            previewing = true;
            waitFor(release);
            latentlens::Progress progress;
            progress.cancelFlag = &queue.cancelFlag();
            progress.throwIfCancelled();
        });
        std::thread second([&] { outcome = queue.runNext(); });
        waitFor(previewing);
        queue.submit(JobKind::Preview, "drag 2", [](uint64_t) {});
        QVERIFY(!queue.cancelFlag().load());
        release = true;
        second.join();
        QCOMPARE(outcome->end, JobEnd::Finished);
        QCOMPARE(queue.runNext()->end, JobEnd::Finished);
    }

    void cancelStopsTheRunningJobAndDropsTheQueue() {
        JobQueue queue;
        std::atomic<bool> running{false};
        const auto basis = queue.submit(JobKind::Basis, "find directions", untilCancelled(queue, running));
        bool exported = false;
        const auto export_ = queue.submit(JobKind::Export, "export", [&](uint64_t) { exported = true; });
        std::optional<JobOutcome> outcome;
        std::thread worker([&] { outcome = queue.runNext(); });
        waitFor(running);
        QVERIFY(!queue.cancelFlag().load());  // an export does not stop a basis
        queue.cancel();
        worker.join();
        QCOMPARE(outcome->id, basis);
        QCOMPARE(outcome->end, JobEnd::Cancelled);
        const auto dropped = queue.runNext();
        QCOMPARE(dropped->id, export_);
        QCOMPARE(dropped->end, JobEnd::Dropped);
        QVERIFY(!exported);
        // The flag is reset for the next job: it runs.
        queue.submit(JobKind::Export, "export again", [&](uint64_t) { exported = true; });
        QCOMPARE(queue.runNext()->end, JobEnd::Finished);
        QVERIFY(exported);
    }

    void newImageDropsWhatItMakesStaleAndKeepsTheRest() {
        JobQueue queue;
        const auto nothing = [](uint64_t) {};
        std::map<uint64_t, JobKind> kinds;
        for (JobKind kind : {JobKind::LoadModel, JobKind::Timestep, JobKind::Export, JobKind::Basis, JobKind::Preview,
                             JobKind::FinalEdit, JobKind::Session, JobKind::Image, JobKind::Follow})
            kinds[queue.submit(kind, "job", nothing)] = kind;
        queue.submit(JobKind::Image, "new image", nothing);
        std::map<JobKind, JobEnd> ends;
        while (auto outcome = queue.runNext()) {
            if (kinds.count(outcome->id)) ends[kinds[outcome->id]] = outcome->end;
        }
        QCOMPARE(ends[JobKind::LoadModel], JobEnd::Finished);
        QCOMPARE(ends[JobKind::Export], JobEnd::Finished);
        for (JobKind kind : {JobKind::Timestep, JobKind::Basis, JobKind::Preview, JobKind::FinalEdit, JobKind::Session,
                             JobKind::Image, JobKind::Follow})
            QCOMPARE(ends[kind], JobEnd::Dropped);
    }

    void policyTableMatchesTheDocumentedRules() {
        const auto& policy = JobPolicy::standard();
        QVERIFY(!policy.drops(JobKind::Export, JobKind::Export));  // every export asked for is written
        QVERIFY(policy.drops(JobKind::LoadModel, JobKind::LoadModel));
        QVERIFY(!policy.stops(JobKind::LoadModel, JobKind::LoadModel));
        QVERIFY(policy.stops(JobKind::Timestep, JobKind::Timestep));
        QVERIFY(policy.stops(JobKind::Timestep, JobKind::Basis));  // directions belong to one timestep
        QVERIFY(policy.drops(JobKind::Timestep, JobKind::Basis));
        QVERIFY(!policy.stops(JobKind::Basis, JobKind::Timestep));
        // A running live update finishes (to be shown before the timestep that follows it), a
        // queued one is dropped; live updates and bases (find, refine) replace each other.
        QVERIFY(!policy.stops(JobKind::Timestep, JobKind::Follow));
        QVERIFY(policy.drops(JobKind::Timestep, JobKind::Follow));
        QVERIFY(policy.stops(JobKind::Follow, JobKind::Basis));
        QVERIFY(policy.rule(JobKind::Follow).supersedes.contains(JobKind::Basis));
        QVERIFY(policy.stops(JobKind::Basis, JobKind::Follow));
        QVERIFY(policy.stops(JobKind::Image, JobKind::Follow));
        QVERIFY(!policy.stops(JobKind::Preview, JobKind::Preview));
        QVERIFY(policy.stops(JobKind::Session, JobKind::Basis));
        QVERIFY(!policy.stops(JobKind::Image, JobKind::Export));
        QVERIFY(!policy.stops(JobKind::Image, JobKind::LoadModel));
        QVERIFY(!policy.drops(JobKind::Analysis, JobKind::Analysis));
        QVERIFY(!policy.stops(JobKind::Analysis, JobKind::Analysis));
    }

    void errorsMapToOneReadableMessage() {
        JobQueue queue;
        queue.submit(JobKind::Export, "a", [](uint64_t) { throw latentlens::Error("model.json: no such file"); });
        queue.submit(JobKind::Export, "b", [](uint64_t) { TORCH_CHECK(false, "shape mismatch"); });
        queue.submit(JobKind::Export, "c", [](uint64_t) { throw std::runtime_error("out of range"); });
        queue.submit(JobKind::Export, "d", [](uint64_t) { throw latentlens::Cancelled(); });
        const auto a = queue.runNext();
        QCOMPARE(a->end, JobEnd::Failed);
        QCOMPARE(QString::fromStdString(a->message), QStringLiteral("model.json: no such file"));
        const auto b = queue.runNext();
        QCOMPARE(b->end, JobEnd::Failed);
        QVERIFY2(b->message.rfind("LibTorch: ", 0) == 0, b->message.c_str());
        QVERIFY2(b->message.find("shape mismatch") != std::string::npos, b->message.c_str());
        QVERIFY2(b->message.find("Exception raised from") == std::string::npos, "no backtrace in the message");
        const auto c = queue.runNext();
        QCOMPARE(c->end, JobEnd::Failed);
        QCOMPARE(QString::fromStdString(c->message), QStringLiteral("out of range"));
        const auto d = queue.runNext();
        QCOMPARE(d->end, JobEnd::Cancelled);
        QVERIFY(d->message.empty());
    }

    // Jobs of every kind, some failing or cancelled, submitted from the GUI side while the worker
    // runs them: each id ends exactly once, and `started` comes only for jobs that ran.
    void everyJobEndsExactlyOnce() {
        JobQueue queue;
        constexpr int kJobs = 400;
        std::atomic<bool> submitting{true};
        std::map<uint64_t, int> ends;
        std::map<uint64_t, int> starts;
        std::map<uint64_t, JobEnd> endOf;
        std::thread worker([&] {
            while (true) {
                auto outcome =
                    queue.runNext([&](uint64_t id, const std::string&) { ++starts[id]; });
                if (outcome) {
                    ++ends[outcome->id];
                    endOf[outcome->id] = outcome->end;
                } else if (!submitting) {
                    break;
                } else {
                    std::this_thread::yield();
                }
            }
        });
        std::vector<uint64_t> ids;
        for (int i = 0; i < kJobs; ++i) {
            const auto kind = static_cast<JobKind>(i % latentlens::ui::kJobKindCount);
            ids.push_back(queue.submit(kind, "job", [i, &queue](uint64_t) {
                latentlens::Progress progress;
                progress.cancelFlag = &queue.cancelFlag();
                if (i % 7 == 0) throw latentlens::Error("failed");
                if (i % 11 == 0) TORCH_CHECK(false, "libtorch failed");
                std::this_thread::sleep_for(std::chrono::microseconds(200));
                progress.throwIfCancelled();
            }));
            if (i % 50 == 24) queue.cancel();  // the last one at i = 374: exports and analyses after it run
            if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::microseconds(100));
        }
        submitting = false;
        worker.join();
        QCOMPARE(int(ends.size()), kJobs);
        int dropped = 0;
        for (uint64_t id : ids) {
            QCOMPARE(ends[id], 1);
            const bool ran = endOf[id] != JobEnd::Dropped;
            QCOMPARE(starts.count(id), size_t(ran ? 1 : 0));
            if (!ran) ++dropped;
        }
        QVERIFY(dropped > 0);  // the policy and the cancels dropped some
        QVERIFY(dropped < kJobs);
        for (uint64_t id = ids.back() - 24; id <= ids.back(); ++id) {  // after the last cancel
            const auto kind = static_cast<JobKind>((id - 1) % latentlens::ui::kJobKindCount);
            if (kind == JobKind::Export || kind == JobKind::Analysis) QVERIFY(endOf[id] != JobEnd::Dropped);
        }
        QCOMPARE(queue.queued(), size_t(0));
    }
};

LATENTLENS_UI_TEST(JobQueueTest);
#include "JobQueueTest.moc"
