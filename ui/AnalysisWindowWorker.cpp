#include "ui/AnalysisWindowWorker.h"

#include <chrono>

#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/Progress.h"
#include "core/analysis/ProgressRange.h"

namespace latentlens::ui {
namespace {

std::vector<uint64_t> seedRange(uint64_t first, int count) {
    std::vector<uint64_t> seeds;
    for (int i = 0; i < count; ++i) seeds.push_back(first + static_cast<uint64_t>(i));
    return seeds;
}

}  // namespace

AnalysisWindowWorker::AnalysisWindowWorker(const std::atomic<bool>* cancelFlag, QObject* parent)
    : QObject(parent), cancelFlag_(cancelFlag) {
    qRegisterMetaType<std::shared_ptr<const AnalysisOutcome>>();
}

DiffusionPipeline& AnalysisWindowWorker::model(const QString& folder) {
    auto found = models_.find(folder);
    if (found == models_.end()) {
        spdlog::info("analysis: loading model {}", folder.toStdString());
        found = models_.emplace(folder, DiffusionPipeline::load(folder.toStdString())).first;
    }
    return *found->second;
}

void AnalysisWindowWorker::run(const AnalysisRequest& request) {
    const auto start = std::chrono::steady_clock::now();
    Progress progress;
    progress.cancelFlag = cancelFlag_;
    progress.callback = [this](double fraction, const std::string& message) {
        emit progressed(fraction, QString::fromStdString(message));
    };
    try {
        auto outcome = std::make_shared<AnalysisOutcome>();
        outcome->kind = request.kind;
        auto& first = model(request.modelFolder);
        switch (request.kind) {
        case AnalysisKind::CoarseToFine: {
            auto sweep = computeSweepBases(first, {request.seed}, request.sweep, progress);
            outcome->coarseToFine = coarseToFine(sweep.sampleBases(0));
            break;
        }
        case AnalysisKind::Similarity: {
            auto sweep = computeSweepBases(first, seedRange(request.seed, request.samples), request.sweep, progress);
            outcome->similarity.push_back(sampleSimilarity(sweep));
            outcome->trainTimesteps.push_back(first.numTrainTimesteps());
            break;
        }
        case AnalysisKind::Timesteps: {
            auto sweep = computeSweepBases(first, {request.seed}, request.sweep, progress);
            outcome->timesteps = timestepSimilarity(sweep.sampleBases(0));
            break;
        }
        case AnalysisKind::Curvedness:
            outcome->curvedness =
                curvednessOverTimesteps(first, request.seed, request.seedB, request.segments, request.sweep, progress);
            break;
        case AnalysisKind::Compare: {
            if (request.secondModelFolder.isEmpty()) throw Error("choose a second model folder to compare with");
            auto& second = model(request.secondModelFolder);
            // Timesteps as fractions of each model's T: explicit timesteps do not carry over.
            auto sweepOptions = request.sweep;
            sweepOptions.timesteps.clear();
            int index = 0;
            for (auto* m : {&first, &second}) {
                auto sweep = computeSweepBases(*m, seedRange(request.seed, request.samples), sweepOptions,
                                               progressRange(progress, index * 0.5, (index + 1) * 0.5));
                outcome->similarity.push_back(sampleSimilarity(sweep));
                outcome->trainTimesteps.push_back(m->numTrainTimesteps());
                ++index;
            }
            break;
        }
        }
        outcome->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        emit finished(outcome);
    } catch (const Cancelled&) {
        emit cancelled();
    } catch (const c10::Error& e) {
        emit failed(QString::fromStdString(std::string("LibTorch: ") + e.what_without_backtrace()));
    } catch (const std::exception& e) {
        emit failed(QString::fromStdString(e.what()));
    }
}

}  // namespace latentlens::ui
