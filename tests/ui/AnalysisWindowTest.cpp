#include <cmath>

#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>

#include "UiTestRegistry.h"
#include "ui/AnalysisWindow.h"

using latentlens::ui::AnalysisKind;
using latentlens::ui::AnalysisWindow;

// The Analysis window on the default model with tiny budgets (k = 3, 10-step trajectories): a run
// fills its tab's chart from the worker thread, Cancel stops a long run, a bad folder is reported.
class AnalysisWindowTest : public QObject {
    Q_OBJECT
private:
    static void smallBudget(AnalysisWindow& window, int count) {
        window.intField("k")->setValue(3);
        window.intField("count")->setValue(count);
        window.intField("steps")->setValue(10);
        window.intField("samples")->setValue(2);
        window.intField("segments")->setValue(1);
    }

private slots:
    void coarseToFineFillsTheChart() {
        AnalysisWindow window(LATENTLENS_DEFAULT_MODEL_DIR);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        smallBudget(window, 2);
        window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::CoarseToFine));
        QSignalSpy finished(&window, &AnalysisWindow::analysisFinished);
        QTest::mouseClick(window.runButton(), Qt::LeftButton);
        QVERIFY(window.isRunning());
        QVERIFY(!window.runButton()->isEnabled());
        QVERIFY(finished.wait(60000));
        const auto series = window.series(AnalysisKind::CoarseToFine);
        QCOMPARE(series.size(), 2);
        QCOMPARE(series[0]->count(), 2);
        // x: the timesteps 900 and 100; y: a mean frequency within the 32 x 32 image's range.
        QCOMPARE(series[0]->at(0).x(), 900.0);
        QCOMPARE(series[0]->at(1).x(), 100.0);
        for (const auto& point : series[0]->points()) {
            QVERIFY(point.y() > 0.0);
            QVERIFY(point.y() < 16 * std::sqrt(2.0));
        }
        QVERIFY(window.runButton()->isEnabled());
        QVERIFY(window.statusText().startsWith("Done"));
    }

    void similarityAndTimestepsFillTheirCharts() {
        AnalysisWindow window(LATENTLENS_DEFAULT_MODEL_DIR);
        smallBudget(window, 2);
        QSignalSpy finished(&window, &AnalysisWindow::analysisFinished);
        for (auto kind : {AnalysisKind::Similarity, AnalysisKind::Timesteps}) {
            window.tabs()->setCurrentIndex(static_cast<int>(kind));
            window.runCurrent();
            QVERIFY(finished.wait(60000));
            const auto series = window.series(kind);
            QCOMPARE(series.size(), 2);  // X and H
            for (const auto* line : series) {
                QCOMPARE(line->count(), 2);
                for (const auto& point : line->points()) QVERIFY(point.y() >= 0.0 && point.y() <= 1.0 + 1e-9);
            }
        }
        // Across timesteps, the first point is the subspace compared with itself.
        QCOMPARE(window.series(AnalysisKind::Timesteps)[0]->at(0).y(), 1.0);
    }

    void cancelStopsALongRun() {
        AnalysisWindow window(LATENTLENS_DEFAULT_MODEL_DIR);
        smallBudget(window, 40);
        window.intField("samples")->setValue(8);
        window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::Similarity));
        QSignalSpy cancelled(&window, &AnalysisWindow::analysisCancelled);
        QSignalSpy finished(&window, &AnalysisWindow::analysisFinished);
        window.runCurrent();
        QTest::qWait(300);
        QVERIFY(window.cancelButton()->isEnabled());
        QTest::mouseClick(window.cancelButton(), Qt::LeftButton);
        QVERIFY(cancelled.wait(30000));
        QCOMPARE(finished.count(), 0);
        QVERIFY(!window.isRunning());
        QVERIFY(window.runButton()->isEnabled());
        QCOMPARE(window.statusText(), QString("Cancelled."));
        QVERIFY(window.series(AnalysisKind::Similarity).isEmpty());
    }

    void closingDuringARunStopsItsWorker() {
        QElapsedTimer timer;
        {
            AnalysisWindow window(LATENTLENS_DEFAULT_MODEL_DIR);
            smallBudget(window, 40);
            window.intField("samples")->setValue(8);
            window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::Similarity));
            window.runCurrent();
            QTest::qWait(300);
            QVERIFY(window.isRunning());
            timer.start();
        }  // the destructor cancels and joins the worker thread
        // The whole run takes minutes; stopping takes at most one basis block.
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    }

    void promptsAndTextDependenceOnStableDiffusion() {
        AnalysisWindow window(QString(LATENTLENS_FIXTURES_DIR) + "/sd1-tiny");
        smallBudget(window, 2);
        window.promptsField()->setPlainText("a photograph of a cat\n\na painting of a dog\na red car");
        QSignalSpy finished(&window, &AnalysisWindow::analysisFinished);
        QSignalSpy failed(&window, &AnalysisWindow::analysisFailed);
        window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::Prompts));
        window.runCurrent();
        QVERIFY2(finished.wait(120000), qPrintable(window.statusText()));
        auto series = window.series(AnalysisKind::Prompts);
        QCOMPARE(series.size(), 2);  // X and H
        for (const auto* line : series) {
            QCOMPARE(line->count(), 2);
            for (const auto& point : line->points()) QVERIFY(point.y() > 0.0 && point.y() <= 1.0 + 1e-9);
        }

        window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::TextDependence));
        window.promptsField()->setPlainText("a photograph of a cat");
        window.runCurrent();
        QVERIFY(finished.wait(120000));
        series = window.series(AnalysisKind::TextDependence);
        QCOMPARE(series.size(), 2);
        for (const auto& point : series[0]->points()) QVERIFY(point.y() > 0.0 && point.y() < M_PI / 2 * std::sqrt(3.0));

        // The one-prompt analyses run under the first prompt on SD.
        window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::Timesteps));
        window.runCurrent();
        QVERIFY(finished.wait(120000));
        QCOMPARE(window.series(AnalysisKind::Timesteps)[0]->at(0).y(), 1.0);
        QCOMPARE(failed.count(), 0);
    }

    void promptsNeedATextConditionedModel() {
        AnalysisWindow window(LATENTLENS_DEFAULT_MODEL_DIR);
        smallBudget(window, 2);
        window.tabs()->setCurrentIndex(static_cast<int>(AnalysisKind::Prompts));
        QSignalSpy failed(&window, &AnalysisWindow::analysisFailed);
        window.runCurrent();
        QVERIFY(failed.wait(30000));
        QVERIFY2(failed.first().first().toString().contains("takes no prompt"), qPrintable(failed.first().first().toString()));
    }

    void missingModelFolderIsReported() {
        AnalysisWindow window("/nonexistent/model");
        QSignalSpy failed(&window, &AnalysisWindow::analysisFailed);
        window.runCurrent();
        QVERIFY(failed.wait(10000));
        QVERIFY(failed.first().first().toString().contains("/nonexistent/model"));
        QVERIFY(window.statusText().startsWith("Failed"));
    }
};

LATENTLENS_UI_TEST(AnalysisWindowTest);

#include "AnalysisWindowTest.moc"
