#include <QTest>

#include "UiTestRegistry.h"
#include "ui/JobTracker.h"

using latentlens::ui::JobKind;
using latentlens::ui::JobTracker;

// The window's bookkeeping of its jobs: which results are stale, by the kinds' rules in JobPolicy.
class JobTrackerTest : public QObject {
    Q_OBJECT
private slots:
    void olderRequestOfTheSameKindIsStale() {
        JobTracker jobs;
        jobs.track(1, JobKind::Image);
        jobs.track(2, JobKind::Image);
        QVERIFY(!jobs.isCurrent(1));
        QVERIFY(!jobs.isLatest(1));  // its "Cancelled" is not worth a notice
        QVERIFY(jobs.isCurrent(2));
        jobs.track(3, JobKind::Timestep);  // other kinds do not touch it
        QVERIFY(jobs.isCurrent(2));
        QVERIFY(jobs.isCurrent(3));
        jobs.ended(2);
        QVERIFY(!jobs.isCurrent(2));  // ended: nothing more of it is expected
        QVERIFY(!jobs.isPending(2));
        QVERIFY(!jobs.isCurrent(99));  // never tracked
    }

    void newDragSupersedesTheReleaseAndTheReleaseEarlierDrags() {
        JobTracker jobs;
        jobs.track(1, JobKind::Preview);
        jobs.track(2, JobKind::Preview);
        QVERIFY(jobs.isCurrent(1));  // previews: any result newer than the one shown
        QVERIFY(jobs.isCurrent(2));
        jobs.shown(2);
        QVERIFY(!jobs.isCurrent(1));  // arriving after a newer one was shown
        jobs.track(3, JobKind::Preview);
        jobs.track(4, JobKind::FinalEdit);  // release: the previews asked for before it are stale
        QVERIFY(!jobs.isCurrent(3));
        QVERIFY(jobs.isLatest(3));  // but a cancelled preview still says "Cancelled"
        QVERIFY(jobs.isCurrent(4));
        jobs.track(5, JobKind::Preview);  // a new drag: the release's result changes nothing
        QVERIFY(!jobs.isCurrent(4));
        QVERIFY(jobs.isCurrent(5));
        jobs.track(6, JobKind::FinalEdit);
        QVERIFY(jobs.isCurrent(6));
        QVERIFY(!jobs.isCurrent(5));
    }

    void supersedeMakesEverythingInFlightStale() {
        JobTracker jobs;
        jobs.track(1, JobKind::Timestep);
        jobs.track(2, JobKind::Preview);
        jobs.track(3, JobKind::FinalEdit);
        jobs.supersede(JobKind::Timestep);  // the view was left
        jobs.supersede(JobKind::Preview);
        jobs.supersede(JobKind::FinalEdit);
        QVERIFY(!jobs.isCurrent(1));
        QVERIFY(!jobs.isCurrent(2));
        QVERIFY(!jobs.isCurrent(3));
        jobs.track(4, JobKind::Timestep);
        jobs.track(5, JobKind::Preview);
        QVERIFY(jobs.isCurrent(4));
        QVERIFY(jobs.isCurrent(5));
    }

    void exportsAndAnalysesAreAlwaysWanted() {
        JobTracker jobs;
        jobs.track(1, JobKind::Export);
        jobs.track(2, JobKind::Export);
        jobs.supersede(JobKind::Export);
        QVERIFY(jobs.isCurrent(1));
        QVERIFY(jobs.isCurrent(2));
        jobs.track(3, JobKind::Analysis);
        QVERIFY(jobs.isCurrent(3));
    }

    void pendingAndIdle() {
        JobTracker jobs;
        QVERIFY(jobs.isIdle());
        QVERIFY(!jobs.isRunning(JobKind::LoadModel));
        jobs.track(1, JobKind::LoadModel);
        jobs.track(2, JobKind::Basis);
        QVERIFY(!jobs.isIdle());
        QVERIFY(jobs.isRunning(JobKind::LoadModel));
        QVERIFY(jobs.kindOf(2) == JobKind::Basis);
        jobs.ended(1);
        QVERIFY(!jobs.isRunning(JobKind::LoadModel));
        QVERIFY(!jobs.kindOf(1));
        jobs.ended(2);
        jobs.ended(2);  // a second end changes nothing
        QVERIFY(jobs.isIdle());
    }
};

LATENTLENS_UI_TEST(JobTrackerTest);
#include "JobTrackerTest.moc"
