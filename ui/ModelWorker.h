#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include <QMutex>
#include <QObject>
#include <QString>

#include "ui/ModelInfo.h"
#include "ui/ViewState.h"

namespace latentlens {
class DiffusionModel;
struct Progress;
}  // namespace latentlens

namespace latentlens::ui {

struct LatentState;

// Does all model work, on its own thread (moveToThread; the pattern of Qt's Mandelbrot example).
// The request methods are called from the GUI thread and return at once with a job id; jobs run
// one at a time in request order. A new request of the same kind (model, image, timestep, export)
// drops a queued, not yet started one, and stops a running image or timestep job at its next U-Net
// call (its result would be stale anyway); cancel() drops everything queued and stops the running
// job the same way. Every job id gets exactly one jobEnded, last, whatever became of it.
class ModelWorker : public QObject {
    Q_OBJECT
public:
    enum class JobKind { LoadModel, Image, Timestep, Export };

    explicit ModelWorker(QObject* parent = nullptr);
    ~ModelWorker() override;

    // Thread-safe requests.
    quint64 loadModel(const QString& folder);
    // A new image from seeded noise; the views show it at timestep t.
    quint64 generate(quint64 seed, int steps, double eta, int timestep);
    // An image file, fitted to the model (io readImage) and DDIM-inverted to timestep t.
    quint64 invertImage(const QString& path, int timestep, int steps);
    // The same image at another timestep: x_t and the x̂0 it implies.
    quint64 computeAtTimestep(const ViewState& view, int timestep);
    // Writes the state's clean image (io writeImage), upscaled with nearest-neighbour.
    quint64 exportImage(std::shared_ptr<const LatentState> state, const QString& path, int upscale);
    // Sets the core's cancel flag directly (no event-loop round trip).
    void cancel();

signals:
    void jobStarted(quint64 job, const QString& description);
    void progress(quint64 job, double fraction, const QString& message);
    void modelLoaded(quint64 job, const latentlens::ui::ModelInfo& info);
    // A new image (generated or opened); `note` says how an opened file was fitted to the model.
    void imageReady(quint64 job, const latentlens::ui::ViewState& state, double seconds, const QString& note);
    void timestepReady(quint64 job, const latentlens::ui::ViewState& state, double seconds);
    void exported(quint64 job, const QString& path, double seconds);
    void failed(quint64 job, const QString& message);  // a person-readable reason (latentlens::Error's message)
    void cancelled(quint64 job);
    void jobEnded(quint64 job);

private:
    struct Request {
        quint64 id = 0;
        JobKind kind = JobKind::LoadModel;
        QString description;
        std::function<void(quint64 id)> body;  // runs on the worker thread
        bool dropped = false;
    };

    quint64 submit(JobKind kind, const QString& description, std::function<void(quint64 id)> body);
    void runNext();  // worker thread
    Progress progressFor(quint64 job, const QString& prefix, double from, double to);
    DiffusionModel& model() const;  // throws Error if none is loaded
    std::shared_ptr<LatentState> atTimestep(const LatentState& base, int timestep, const Progress& progress) const;
    ViewState viewOf(std::shared_ptr<const LatentState> state, qint64 seed, const QString& source) const;

    // Worker thread only.
    std::shared_ptr<DiffusionModel> model_;
    uint64_t lastImageId_ = 0;

    // Shared with the GUI thread.
    QMutex mutex_;
    std::deque<Request> queue_;
    std::optional<JobKind> runningKind_;
    quint64 lastJob_ = 0;
    std::atomic<bool> cancelFlag_{false};
};

}  // namespace latentlens::ui
