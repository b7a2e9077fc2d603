#include "ui/ModelWorker.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QMutexLocker>

#include <c10/util/Exception.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Progress.h"
#include "core/Runtime.h"
#include "core/model/DiffusionModel.h"
#include "core/sampling/DdimSampler.h"
#include "io/ImageFile.h"
#include "ui/LatentState.h"
#include "ui/TensorImage.h"

namespace latentlens::ui {
namespace {

std::filesystem::path toPath(const QString& path) { return std::filesystem::path(path.toStdString()); }

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

double secondsSince(const QElapsedTimer& timer) { return static_cast<double>(timer.nsecsElapsed()) / 1e9; }

}  // namespace

ModelWorker::ModelWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<ViewState>();
}

ModelWorker::~ModelWorker() = default;

quint64 ModelWorker::submit(JobKind kind, const QString& description, std::function<void(quint64 id)> body) {
    QMutexLocker lock(&mutex_);
    const quint64 id = ++lastJob_;
    for (auto& queued : queue_) {
        if (queued.kind == kind) queued.dropped = true;  // superseded before it started
    }
    if (runningKind_ == kind && (kind == JobKind::Image || kind == JobKind::Timestep)) cancelFlag_.store(true);
    queue_.push_back(Request{id, kind, description, std::move(body), false});
    QMetaObject::invokeMethod(this, &ModelWorker::runNext, Qt::QueuedConnection);
    return id;
}

void ModelWorker::cancel() {
    QMutexLocker lock(&mutex_);
    for (auto& queued : queue_) queued.dropped = true;
    cancelFlag_.store(true);
}

void ModelWorker::runNext() {
    Request request;
    {
        QMutexLocker lock(&mutex_);
        if (queue_.empty()) return;
        request = std::move(queue_.front());
        queue_.pop_front();
        // A cancel() from now on stops this job; one before it dropped the job above.
        if (!request.dropped) {
            cancelFlag_.store(false);
            runningKind_ = request.kind;
        }
    }
    if (request.dropped) {
        spdlog::debug("job {} ({}) dropped before it started", request.id, request.description.toStdString());
        emit jobEnded(request.id);
        return;
    }
    spdlog::debug("job {}: {}", request.id, request.description.toStdString());
    emit jobStarted(request.id, request.description);
    try {
        request.body(request.id);
    } catch (const Cancelled&) {
        spdlog::debug("job {} cancelled", request.id);
        emit cancelled(request.id);
    } catch (const Error& e) {
        spdlog::debug("{}: {}", request.description.toStdString(), e.what());  // MainWindow reports it
        emit failed(request.id, fromStd(e.what()));
    } catch (const c10::Error& e) {
        spdlog::error("{}: LibTorch: {}", request.description.toStdString(), e.what_without_backtrace());
        emit failed(request.id, QStringLiteral("LibTorch: %1").arg(QString::fromUtf8(e.what_without_backtrace())));
    } catch (const std::exception& e) {
        spdlog::error("{}: {}", request.description.toStdString(), e.what());
        emit failed(request.id, fromStd(e.what()));
    }
    {
        QMutexLocker lock(&mutex_);
        runningKind_.reset();
    }
    emit jobEnded(request.id);
}

Progress ModelWorker::progressFor(quint64 job, const QString& prefix, double from, double to) {
    Progress progress;
    progress.cancelFlag = &cancelFlag_;
    progress.callback = [this, job, prefix, from, to](double fraction, const std::string& message) {
        emit this->progress(job, from + (to - from) * fraction, prefix + fromStd(message));
    };
    return progress;
}

DiffusionModel& ModelWorker::model() const {
    if (!model_) throw Error("no model is loaded: open a model folder first");
    return *model_;
}

std::shared_ptr<LatentState> ModelWorker::atTimestep(const LatentState& base, int timestep,
                                                     const Progress& progress) const {
    auto& model = this->model();
    if (base.model.lock() != model_)
        throw Error("this image was made with a model that is no longer loaded; generate or open a new one");
    auto lookup = base.trajectory.latentAt(model, base.steps, timestep, progress);
    auto state = std::make_shared<LatentState>(base);
    state->trajectory = std::move(lookup.trajectory);
    state->timestep = timestep;
    state->latent = lookup.latent;
    progress.throwIfCancelled();
    torch::NoGradGuard noGrad;
    auto eps = model.unet()->forward(state->latent, timestep);
    state->predictedOriginal = model.scheduler().predictOriginal(eps, timestep, state->latent);
    return state;
}

ViewState ModelWorker::viewOf(std::shared_ptr<const LatentState> state, qint64 seed, const QString& source) const {
    ViewState view;
    view.image = TensorImage::toQImage(state->image);
    view.predicted = TensorImage::toQImage(state->predictedOriginal);
    view.timestep = static_cast<int>(state->timestep);
    view.seed = seed;
    view.source = source;
    view.latents = std::move(state);
    return view;
}

quint64 ModelWorker::loadModel(const QString& folder) {
    return submit(JobKind::LoadModel, tr("Loading model %1").arg(QDir(folder).dirName()), [this, folder](quint64 job) {
        emit progress(job, 0.0, tr("Loading model %1…").arg(folder));
        ModelOptions options;
        try {
            options.device = resolveDevice("auto");
        } catch (const Error&) {
            options.device = c10::Device(c10::kCPU);
        }
        auto loaded = DiffusionModel::load(toPath(folder), options);
        if (cancelFlag_.load()) throw Cancelled();
        model_ = std::move(loaded);
        ModelInfo info;
        info.name = fromStd(model_->name());
        info.folder = folder;
        info.channels = static_cast<int>(model_->config().inChannels);
        info.size = static_cast<int>(model_->config().sampleSize);
        info.parameters = model_->parameterCount();
        info.trainTimesteps = static_cast<int>(model_->scheduler().numTrainTimesteps());
        info.precision = fromStd(dtypeName(model_->dtype()) + " on " + model_->device().str());
        info.description = fromStd(model_->describe());
        emit modelLoaded(job, info);
    });
}

quint64 ModelWorker::generate(quint64 seed, int steps, double eta, int timestep) {
    return submit(JobKind::Image, tr("Generating seed %1").arg(seed), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        auto& model = this->model();
        DdimSampler sampler(model, steps);
        const auto prefix = tr("Seed %1: ").arg(seed);
        auto run = sampler.sample(sampler.noise(seed, 1), eta, seed, /*keepTrajectory=*/true,
                                  progressFor(job, prefix, 0.0, 0.95));
        auto base = std::make_shared<LatentState>();
        base->model = model_;
        base->imageId = ++lastImageId_;
        base->steps = steps;
        base->eta = eta;
        base->image = run.result;
        base->trajectory = LatentTrajectory::fromRun(run);
        auto state = atTimestep(*base, timestep, progressFor(job, prefix, 0.95, 1.0));
        emit imageReady(job, viewOf(state, static_cast<qint64>(seed), tr("seed %1").arg(seed)), secondsSince(timer),
                        {});
    });
}

quint64 ModelWorker::invertImage(const QString& path, int timestep, int steps) {
    const QString name = QFileInfo(path).fileName();
    return submit(JobKind::Image, tr("Opening %1").arg(name), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        auto& model = this->model();
        const auto shape = model.sampleShape();
        auto loaded = readImage(toPath(path), static_cast<int>(shape[0]), static_cast<int>(shape[1]));
        DdimSampler sampler(model, steps);
        const auto x0 = loaded.pixels.unsqueeze(0).to(model.tensorOptions());
        const auto prefix = tr("%1: ").arg(name);
        auto run = sampler.invert(x0, timestep, /*keepTrajectory=*/true, progressFor(job, prefix, 0.0, 0.95));
        auto base = std::make_shared<LatentState>();
        base->model = model_;
        base->imageId = ++lastImageId_;
        base->steps = steps;
        base->image = x0;
        base->trajectory = LatentTrajectory::fromRun(run);
        auto state = atTimestep(*base, timestep, progressFor(job, prefix, 0.95, 1.0));
        emit imageReady(job, viewOf(state, -1, name), secondsSince(timer), fromStd(loaded.note));
    });
}

quint64 ModelWorker::computeAtTimestep(const ViewState& view, int timestep) {
    return submit(JobKind::Timestep, tr("Computing t=%1").arg(timestep), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        if (!view.latents) throw Error("no image to move to another timestep");
        auto state = atTimestep(*view.latents, timestep, progressFor(job, tr("t=%1: ").arg(timestep), 0.0, 1.0));
        emit timestepReady(job, viewOf(state, view.seed, view.source), secondsSince(timer));
    });
}

quint64 ModelWorker::exportImage(std::shared_ptr<const LatentState> state, const QString& path, int upscale) {
    return submit(JobKind::Export, tr("Exporting %1").arg(QFileInfo(path).fileName()), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        if (!state) throw Error("no image to export");
        writeImage(toPath(path), state->image, upscale);
        emit exported(job, path, secondsSince(timer));
    });
}

}  // namespace latentlens::ui
