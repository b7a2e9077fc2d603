#include "ui/AnalysisWindowWorker.h"

#include <chrono>

#include <QMetaObject>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/Progress.h"
#include "core/ProgressRange.h"
#include "core/analysis/TextSweeps.h"
#include "core/pipeline/ModelCache.h"

namespace latentlens::ui {
namespace {

std::vector<uint64_t> seedRange(uint64_t first, int count) {
    std::vector<uint64_t> seeds;
    for (int i = 0; i < count; ++i) seeds.push_back(first + static_cast<uint64_t>(i));
    return seeds;
}

std::vector<std::string> promptList(const QStringList& prompts) {
    std::vector<std::string> result;
    for (const auto& prompt : prompts) {
        if (!prompt.trimmed().isEmpty()) result.push_back(prompt.trimmed().toStdString());
    }
    return result;
}

}  // namespace

AnalysisWindowWorker::AnalysisWindowWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<std::shared_ptr<const AnalysisOutcome>>();
}

DiffusionPipeline& AnalysisWindowWorker::model(const QString& folder) {
    auto found = models_.find(folder);
    if (found == models_.end()) {
        spdlog::info("analysis: model {}", folder.toStdString());
        found = models_.emplace(folder, ModelCache::shared().get(folder.toStdString())).first;
    }
    return *found->second;
}

quint64 AnalysisWindowWorker::run(const AnalysisRequest& request) {
    const quint64 id = jobs_.submit(JobKind::Analysis, "analysis", [this, request](uint64_t) {
        Progress progress;
        progress.cancelFlag = &jobs_.cancelFlag();
        progress.callback = [this](double fraction, const std::string& message) {
            emit progressed(fraction, QString::fromStdString(message));
        };
        outcome_ = analyse(request, progress);
    });
    QMetaObject::invokeMethod(this, &AnalysisWindowWorker::runNext, Qt::QueuedConnection);
    return id;
}

void AnalysisWindowWorker::cancel() { jobs_.cancel(); }

void AnalysisWindowWorker::runNext() {
    outcome_.reset();
    const auto outcome = jobs_.runNext();
    if (!outcome) return;
    switch (outcome->end) {
        case JobEnd::Finished: emit finished(std::move(outcome_)); break;
        case JobEnd::Failed: emit failed(QString::fromStdString(outcome->message)); break;
        case JobEnd::Cancelled:
        case JobEnd::Dropped: emit cancelled(); break;  // dropped: cancelled before it started
    }
    outcome_.reset();
}

std::shared_ptr<const AnalysisOutcome> AnalysisWindowWorker::analyse(const AnalysisRequest& request,
                                                                     const Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    auto outcome = std::make_shared<AnalysisOutcome>();
    outcome->kind = request.kind;
    auto& first = model(request.modelFolder);
    const auto prompts = promptList(request.prompts);
    const auto firstPrompt = prompts.empty() ? std::string() : prompts.front();
    // The one-prompt analyses on a text-conditioned model: z_t sampled under the first prompt (with
    // the negative prompt and guidance), J under the prompt alone.
    auto conditioned = [&](const DiffusionPipeline& m, SweepOptions options) {
        if (m.textEncoder()) {
            options.sampling = m.condition(firstPrompt, request.negativePrompt.toStdString(), request.guidance);
            options.jacobian = m.condition(firstPrompt);
        }
        return options;
    };
    const auto sweepOptions = conditioned(first, request.sweep);
    switch (request.kind) {
    case AnalysisKind::CoarseToFine: {
        auto sweep = computeSweepBases(first, {request.seed}, sweepOptions, progress);
        outcome->coarseToFine = coarseToFine(sweep.sampleBases(0));
        break;
    }
    case AnalysisKind::Similarity: {
        auto sweep = computeSweepBases(first, seedRange(request.seed, request.samples), sweepOptions, progress);
        outcome->similarity.push_back(sampleSimilarity(sweep));
        outcome->trainTimesteps.push_back(first.numTrainTimesteps());
        break;
    }
    case AnalysisKind::Timesteps: {
        auto sweep = computeSweepBases(first, {request.seed}, sweepOptions, progress);
        outcome->timesteps = timestepSimilarity(sweep.sampleBases(0));
        break;
    }
    case AnalysisKind::Curvedness:
        outcome->curvedness =
            curvednessOverTimesteps(first, request.seed, request.seedB, request.segments, sweepOptions, progress);
        break;
    case AnalysisKind::Compare: {
        if (request.secondModelFolder.isEmpty()) throw Error("choose a second model folder to compare with");
        auto& second = model(request.secondModelFolder);
        // Timesteps as fractions of each model's T: explicit timesteps do not carry over.
        auto compared = request.sweep;
        compared.timesteps.clear();
        int index = 0;
        for (auto* m : {&first, &second}) {
            auto sweep = computeSweepBases(*m, seedRange(request.seed, request.samples), conditioned(*m, compared),
                                           progressRange(progress, index * 0.5, (index + 1) * 0.5));
            outcome->similarity.push_back(sampleSimilarity(sweep));
            outcome->trainTimesteps.push_back(m->numTrainTimesteps());
            ++index;
        }
        break;
    }
    case AnalysisKind::Prompts: {
        // sampling: the reference (first) prompt. Error for a model without a text encoder or fewer
        // than two prompts.
        outcome->prompts = promptSimilarityOver(first, prompts, {request.seed}, sweepOptions, progress);
        break;
    }
    case AnalysisKind::TextDependence:
        outcome->textDependence = textDependenceOver(first, prompts, {request.seed}, request.sweep,
                                                     request.negativePrompt.toStdString(), request.guidance, progress);
        break;
    }
    outcome->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return outcome;
}

}  // namespace latentlens::ui
