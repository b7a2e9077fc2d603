#include <QSignalSpy>
#include <QTest>

#include "UiTestRegistry.h"
#include "ui/AnalysisWindowWorker.h"

using latentlens::ui::AnalysisRequest;
using latentlens::ui::AnalysisWindowWorker;

// The Analysis window's worker on its JobQueue, run on this thread (its queued runNext calls come
// with the event loop): every analysis ends exactly once, with the shared error mapping.
class AnalysisWindowWorkerTest : public QObject {
    Q_OBJECT
private slots:
    void cancelledBeforeItStartedStillEnds() {
        AnalysisWindowWorker worker;
        QSignalSpy cancelled(&worker, &AnalysisWindowWorker::cancelled);
        QSignalSpy failed(&worker, &AnalysisWindowWorker::failed);
        QSignalSpy finished(&worker, &AnalysisWindowWorker::finished);
        AnalysisRequest request;
        request.modelFolder = QStringLiteral("/nonexistent/model");
        const auto first = worker.run(request);
        const auto second = worker.run(request);
        QVERIFY(second > first);
        worker.cancel();  // both still queued: dropped, and each says so
        QTRY_COMPARE(cancelled.count(), 2);
        QCoreApplication::processEvents();
        QCOMPARE(failed.count(), 0);
        QCOMPARE(finished.count(), 0);
    }

    void failureSaysWhy() {
        AnalysisWindowWorker worker;
        QSignalSpy failed(&worker, &AnalysisWindowWorker::failed);
        QSignalSpy cancelled(&worker, &AnalysisWindowWorker::cancelled);
        AnalysisRequest request;
        request.modelFolder = QStringLiteral("/nonexistent/model");
        worker.run(request);
        QTRY_COMPARE(failed.count(), 1);
        QVERIFY2(failed.at(0).at(0).toString().contains(QStringLiteral("/nonexistent/model")),
                 qPrintable(failed.at(0).at(0).toString()));
        QCOMPARE(cancelled.count(), 0);
    }
};

LATENTLENS_UI_TEST(AnalysisWindowWorkerTest);
#include "AnalysisWindowWorkerTest.moc"
