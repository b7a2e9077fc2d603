#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include <QMetaType>
#include <QObject>
#include <QString>

#include "core/analysis/CoarseToFine.h"
#include "core/analysis/Curvedness.h"
#include "core/analysis/SampleSimilarity.h"
#include "core/analysis/TimestepSimilarity.h"
#include "core/analysis/TimestepSweep.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens::ui {

// The analyses of the Analysis window, one per tab.
enum class AnalysisKind { CoarseToFine = 0, Similarity, Timesteps, Curvedness, Compare };

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
};

// What a finished run produced; the fields of its kind are set.
struct AnalysisOutcome {
    AnalysisKind kind = AnalysisKind::CoarseToFine;
    std::optional<CoarseToFine> coarseToFine;
    std::vector<SampleSimilarity> similarity;  // one model (Similarity) or two (Compare)
    std::vector<int64_t> trainTimesteps;       // T of each model in `similarity`
    std::optional<TimestepSimilarity> timesteps;
    std::optional<CurvednessSweep> curvedness;
    double seconds = 0.0;
};

// Runs analyses on its own thread (moveToThread) with its own models, loaded from their folders on
// first use and kept. The cancel flag belongs to the window, which sets it from the GUI thread;
// the analyses check it between U-Net calls.
class AnalysisWindowWorker : public QObject {
    Q_OBJECT
public:
    explicit AnalysisWindowWorker(const std::atomic<bool>* cancelFlag, QObject* parent = nullptr);

    // Runs `request` to the end and emits finished, failed or cancelled (call on the worker thread).
    void run(const AnalysisRequest& request);

signals:
    void progressed(double fraction, const QString& message);
    void finished(std::shared_ptr<const latentlens::ui::AnalysisOutcome> outcome);
    void failed(const QString& message);
    void cancelled();

private:
    DiffusionPipeline& model(const QString& folder);

    const std::atomic<bool>* cancelFlag_;
    std::map<QString, std::shared_ptr<DiffusionPipeline>> models_;
};

}  // namespace latentlens::ui

Q_DECLARE_METATYPE(std::shared_ptr<const latentlens::ui::AnalysisOutcome>)
