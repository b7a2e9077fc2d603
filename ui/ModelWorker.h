#pragma once

#include <functional>
#include <memory>

#include <QList>
#include <QMap>
#include <QObject>
#include <QString>

#include "ui/JobKind.h"
#include "ui/JobQueue.h"
#include "ui/ModelInfo.h"
#include "ui/PromptSettings.h"
#include "ui/ViewState.h"

namespace latentlens {
class DiffusionPipeline;
class LatentRgbPreview;
struct Progress;
struct PullbackBasis;
struct DirectionMatch;
}  // namespace latentlens

namespace latentlens::ui {

struct LatentState;

// Does all model work, on its own thread (moveToThread; the pattern of Qt's Mandelbrot example).
// The request methods are called from the GUI thread and return at once with a job id; jobs run
// one at a time in request order in a JobQueue. A new request drops queued, not yet started jobs
// whose result it makes stale, and stops such a running job at its next U-Net call, by the rules
// of JobPolicy::standard(). cancel() drops everything queued and stops the running job the same
// way. Every job id gets exactly one jobEnded, last, whatever became of it. Models come from
// ModelCache::shared() (one copy of each, shared with the Analysis window).
class ModelWorker : public QObject {
    Q_OBJECT
public:
    explicit ModelWorker(QObject* parent = nullptr);
    ~ModelWorker() override;

    // Thread-safe requests.
    quint64 loadModel(const QString& folder);
    // A new image from seeded noise; the views show it at timestep t. Text-conditioned models
    // sample under `prompt` (with its guidance); unconditional ones refuse a prompt.
    quint64 generate(quint64 seed, int steps, double eta, int timestep, const PromptSettings& prompt = {});
    // An image file, fitted to the model (io readImage) and DDIM-inverted to timestep t (under the
    // prompt alone, without guidance, for text-conditioned models).
    quint64 invertImage(const QString& path, int timestep, int steps, const PromptSettings& prompt = {});
    // The same image at another timestep: x_t and the x̂0 it implies.
    quint64 computeAtTimestep(const ViewState& view, int timestep);
    // Writes the state's clean image (io writeImage), upscaled with nearest-neighbour.
    quint64 exportImage(std::shared_ptr<const LatentState> state, const QString& path, int upscale);
    // Writes a picture shown by the window (an edit) as a PNG, upscaled with nearest-neighbour.
    quint64 exportPicture(const QImage& image, const QString& path, int upscale);
    // The top-k pullback basis at the view's x_t (solvePullbackBasis), then the cards' pictures:
    // v_i and the image edited to ±DirectionSet::thumbnailAlpha (one batched 10-step denoise).
    quint64 findDirections(const ViewState& view, const DirectionRequest& request);
    // The directions at the view's x_t recomputed from `previous` (the same image's directions at
    // another timestep): the solver starts from previous's directions (same k, block and method),
    // each new direction is matched to the one it continues (DirectionMatch) and signed like it,
    // and the sliders move with their directions, keeping their α. Live first: when the
    // request's tolerance is below BasisOptions::liveUpdate's, the solve stops there and the
    // set is `live` (each card keeps the edit pictures of the direction it continues; the sliders'
    // edit is the drag preview's one-call x̂0), for refineDirections to finish; otherwise the
    // cards and edit are rendered.
    // directionsReady gets the view.
    quint64 followDirections(const ViewState& view, std::shared_ptr<const DirectionSet> previous,
                             const QList<int>& sliders, const QMap<int, double>& alphas,
                             const DirectionRequest& request);
    // A live set (followDirections) finished: solved on from its directions to the request's
    // tolerance, matched to them, then the cards' pictures and the sliders' edit rendered.
    // directionsReady gets the view.
    quint64 refineDirections(const ViewState& view, const DirectionRequest& request);
    // The instant preview of the view's x_t moved by `alphas` (direction → α): the x̂0 of one U-Net
    // call (`sharper`: a 10-step DDIM denoise instead).
    quint64 previewEdit(const ViewState& view, const QMap<int, double>& alphas, bool sharper);
    // The full re-denoise (DDIM on the image's grid, eta 0) of x_t moved by `alphas`: editReady
    // gets the view with sliders, alphas and the edited image (none when every α is 0).
    quint64 finalEdit(const ViewState& view, const QList<int>& sliders, const QMap<int, double>& alphas);
    // A traversal of one direction from −alphaMax to +alphaMax (the other sliders held), each frame
    // fully re-denoised: .png/.jpg a labelled strip, .gif / .mp4 an animation at `fps`.
    quint64 exportTraversal(const ViewState& view, int direction, double alphaMax, int frames, double fps,
                            const QString& path, int upscale);
    // The basis folder (io writeBasis: sigma.npy, v.npy, u.npy, xt.npy, basis.json) and its
    // directions.png sheet.
    quint64 exportBasis(const ViewState& view, const QString& folder);
    // A session folder: session.json (io/SessionFile: model folder, conditioning, seed or image,
    // steps, eta, t, sliders), the basis folder, a copy of an opened image and canvas.png (what was
    // shown).
    // `mask`: the painted mask (null or all black: none), saved as mask.png.
    quint64 saveSession(const ViewState& view, const QString& modelFolder, const QString& folder,
                        const QImage& mask = {});
    // Rebuilds a saved session's view (loading its model if another one is loaded): emits
    // sessionOpened, or fails and changes nothing.
    quint64 openSession(const QString& folder);
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
    // The view with its directions (sliders cleared).
    void directionsReady(quint64 job, const latentlens::ui::ViewState& state, double seconds);
    void previewReady(quint64 job, const QImage& image, double seconds);
    void editReady(quint64 job, const latentlens::ui::ViewState& state, double seconds);
    // `info` is null when the session's model was the loaded one.
    // `mask`: the session's painted mask (Grayscale8 of the image's size; null: none).
    void sessionOpened(quint64 job, const latentlens::ui::ModelInfo& info, const latentlens::ui::ViewState& state,
                       double seconds, const QImage& mask);
    void failed(quint64 job, const QString& message);  // a person-readable reason (latentlens::Error's message)
    void cancelled(quint64 job);
    void jobEnded(quint64 job);

private:
    quint64 submit(JobKind kind, const QString& description, std::function<void(quint64 id)> body);
    void runNext();  // worker thread
    Progress progressFor(quint64 job, const QString& prefix, double from, double to);
    DiffusionPipeline& model() const;  // throws Error if none is loaded
    // Throws Error unless the view's tensors were made by the loaded model.
    const LatentState& latentsOf(const ViewState& view) const;
    static ModelInfo infoOf(const DiffusionPipeline& model, const QString& folder);
    std::shared_ptr<LatentState> generated(const std::shared_ptr<DiffusionPipeline>& model, quint64 seed, int steps,
                                           double eta, const PromptSettings& prompt, const Progress& progress);
    std::shared_ptr<LatentState> inverted(const std::shared_ptr<DiffusionPipeline>& model, const QString& path,
                                          int timestep, int steps, const PromptSettings& prompt,
                                          const Progress& progress, QString* note);
    static std::shared_ptr<LatentState> atTimestep(const DiffusionPipeline& model, const LatentState& base, int timestep,
                                                   const Progress& progress);
    static ViewState viewOf(std::shared_ptr<const LatentState> state, qint64 seed, const QString& source);
    // A set's description of its basis, without cards.
    static std::shared_ptr<DirectionSet> describedSet(const LatentState& state, const PullbackBasis& basis);
    // A live set: each card's direction picture, and the edit pictures of the previous card it
    // continues (none for an unmatched direction).
    static std::shared_ptr<DirectionSet> liveDirectionSetOf(const LatentState& state,
                                                            std::shared_ptr<const PullbackBasis> basis,
                                                            const DirectionSet& previous, const DirectionMatch& match);
    static std::shared_ptr<DirectionSet> directionSetOf(const DiffusionPipeline& model, const LatentState& state,
                                                              std::shared_ptr<const PullbackBasis> basis,
                                                              const Progress& progress);
    static ViewState edited(const DiffusionPipeline& model, const ViewState& view, const QList<int>& sliders,
                            const QMap<int, double>& alphas, const Progress& progress);
    // The drag preview of x_t moved by `alphas` along `basis`: the x̂0 of one U-Net call (`sharper`:
    // a 10-step denoise), through the cheap latent → RGB map for latent pipelines.
    QImage previewOf(const LatentState& state, const PullbackBasis& basis, const QMap<int, double>& alphas,
                     bool sharper, const Progress& progress) const;

    // The cheap latent → RGB map of a latent-diffusion pipeline (cached in the user's cache
    // folder), null for pixel models.
    static std::shared_ptr<const LatentRgbPreview> latentPreviewFor(const DiffusionPipeline& model,
                                                                    const Progress& progress);

    // Worker thread only.
    std::shared_ptr<DiffusionPipeline> model_;
    std::shared_ptr<const LatentRgbPreview> latentPreview_;
    QString modelFolder_;
    uint64_t lastImageId_ = 0;

    // Shared with the GUI thread (thread-safe).
    JobQueue jobs_;
};

}  // namespace latentlens::ui
