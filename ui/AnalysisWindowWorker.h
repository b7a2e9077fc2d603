#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

#include "core/analysis/CoarseToFine.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/PromptSimilarity.h"
#include "core/analysis/SampleSimilarity.h"
#include "core/analysis/TextDependence.h"
#include "core/analysis/TimestepSimilarity.h"
#include "core/analysis/TimestepSweep.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "ui/JobQueue.h"

namespace latentlens {
struct Progress;
}

namespace latentlens::ui {

// The analyses of the Analysis window, one per tab.
enum class AnalysisKind { CoarseToFine = 0, Similarity, Timesteps, Curvedness, Compare, Prompts, TextDependence };
constexpr int kAnalysisKindCount = 7;

// What to run: the kind, the model folder(s) and the parameters of the form.
struct AnalysisRequest {
    AnalysisKind kind = AnalysisKind::CoarseToFine;
    QString modelFolder;
    QString secondModelFolder;  // Compare only
    SweepOptions sweep;
    uint64_t seed = 0;          // the sample (first seed of several; seed A of curvedness)
    int samples = 8;            // Similarity, Compare
    uint64_t seedB = 1;         // Curvedness
    int64_t segments = 8;       // Curvedness
    // Text-conditioned models: the prompts, one per line of the form. The first is the prompt of
    // the one-prompt analyses and the reference prompt z_t is sampled under for Prompts; Text
    // dependence runs each. Ignored for unconditional models.
    QStringList prompts;
    QString negativePrompt;
    double guidance = 7.5;
};

// What a finished run produced; the fields of its kind are set.
struct AnalysisOutcome {
    AnalysisKind kind = AnalysisKind::CoarseToFine;
    std::optional<CoarseToFine> coarseToFine;
    std::vector<SampleSimilarity> similarity;  // one model (Similarity) or two (Compare)
    std::vector<int64_t> trainTimesteps;       // T of each model in `similarity`
    std::optional<TimestepSimilarity> timesteps;
    std::optional<CurvednessSweep> curvedness;
    std::optional<PromptSimilarity> prompts;
    std::optional<TextDependence> textDependence;
    double seconds = 0.0;
};

// Runs analyses on its own thread (moveToThread), one at a time through a JobQueue (the same job
// rules and error mapping as the main window's ModelWorker). Models come from ModelCache::shared(),
// so a model the main window has loaded is not loaded twice; the ones used are kept for the next
// run. cancel() stops the running analysis at its next U-Net call.
class AnalysisWindowWorker : public QObject {
    Q_OBJECT
public:
    explicit AnalysisWindowWorker(QObject* parent = nullptr);

    // Thread-safe: queues `request` and returns its job id at once. The job ends with exactly one
    // of finished, failed or cancelled (also when cancel() dropped it before it started).
    quint64 run(const AnalysisRequest& request);
    // Thread-safe: drops the queued analyses and stops the running one.
    void cancel();

signals:
    void progressed(double fraction, const QString& message);
    void finished(std::shared_ptr<const latentlens::ui::AnalysisOutcome> outcome);
    void failed(const QString& message);
    void cancelled();

private:
    void runNext();  // worker thread
    std::shared_ptr<const AnalysisOutcome> analyse(const AnalysisRequest& request, const Progress& progress);
    DiffusionPipeline& model(const QString& folder);

    JobQueue jobs_;
    std::map<QString, std::shared_ptr<DiffusionPipeline>> models_;  // worker thread only
    std::shared_ptr<const AnalysisOutcome> outcome_;                 // of the job running, worker thread only
};

}  // namespace latentlens::ui

Q_DECLARE_METATYPE(std::shared_ptr<const latentlens::ui::AnalysisOutcome>)
