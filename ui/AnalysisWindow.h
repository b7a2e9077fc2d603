#pragma once

#include <memory>

#include <QMainWindow>
#include <QString>

#include "ui/AnalysisWindowWorker.h"

class QChartView;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QLineSeries;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QThread;

namespace latentlens::ui {

// The "Analysis" window (issues #7, #16): one tab per analysis of core/analysis (coarse-to-fine,
// similarity across samples, across timesteps, curvedness, dataset comparison, and on
// text-conditioned models similarity across prompts and text dependence), with Qt Charts
// plots, a parameters form, and Run / Cancel. Runs on its own worker thread (AnalysisWindowWorker),
// so the main window's worker stays free; the model of the folder in the form comes from the shared
// ModelCache (the main window's copy when it is the same model).
class AnalysisWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit AnalysisWindow(const QString& modelFolder, QWidget* parent = nullptr);
    ~AnalysisWindow() override;

    void setModelFolder(const QString& folder);
    // Runs the analysis of the current tab with the form's parameters (as the Run button does).
    void runCurrent();
    void cancel();
    bool isRunning() const { return running_; }

    // For tests: the tab widget (tab index = AnalysisKind), the buttons, the form's fields by
    // name ("k", "count", "from", "to", "steps", "seed", "samples", "seedB", "segments";
    // "guidance"), the prompts (one a line), the status line, and the line series of a tab's chart.
    QTabWidget* tabs() const { return tabs_; }
    QPushButton* runButton() const { return run_; }
    QPushButton* cancelButton() const { return cancel_; }
    QSpinBox* intField(const QString& name) const;
    QDoubleSpinBox* fractionField(const QString& name) const;
    QPlainTextEdit* promptsField() const { return prompts_; }
    QLineEdit* negativePromptField() const { return negativePrompt_; }
    QString statusText() const;
    QList<QLineSeries*> series(AnalysisKind kind) const;

signals:
    void analysisFinished();
    void analysisFailed(const QString& message);
    void analysisCancelled();

private:
    AnalysisRequest request() const;
    void setRunning(bool running);
    void showOutcome(const AnalysisOutcome& outcome);
    void showCoarseToFine(const CoarseToFine& result);
    void showSimilarity(const SampleSimilarity& result);
    void showTimesteps(const TimestepSimilarity& result);
    void showCurvedness(const CurvednessSweep& result);
    void showComparison(const AnalysisOutcome& outcome);
    void showPrompts(const PromptSimilarity& result);
    void showTextDependence(const TextDependence& result);

    QTabWidget* tabs_;
    QChartView* charts_[kAnalysisKindCount];
    QLabel* pictures_[kAnalysisKindCount];  // thumbnails (coarse-to-fine), heatmaps (similarity, timesteps, prompts)
    QLineEdit* modelFolder_;
    QLineEdit* secondModelFolder_;
    QPlainTextEdit* prompts_;
    QLineEdit* negativePrompt_;
    QPushButton* run_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* status_;

    QThread* thread_;
    AnalysisWindowWorker* worker_;
    bool running_ = false;
};

}  // namespace latentlens::ui
