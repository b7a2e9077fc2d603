#include "ui/ModelWorker.h"

#include <algorithm>
#include <cmath>

#include <QDir>
#include <QFile>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QStandardPaths>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Progress.h"
#include "core/Runtime.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/EditPreview.h"
#include "core/edit/LatentRgbPreview.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/DirectionMatch.h"
#include "core/geometry/DirectionSpace.h"
#include "core/model/BlockId.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/pipeline/ModelCache.h"
#include "core/sampling/DdimSampler.h"
#include "core/sampling/LatentTrajectory.h"
#include "io/BasisFile.h"
#include "io/DirectionSheet.h"
#include "io/FrameExport.h"
#include "io/ImageFile.h"
#include "io/MaskFile.h"
#include "io/SessionFile.h"
#include "ui/LatentState.h"
#include "ui/TensorImage.h"

namespace latentlens::ui {
namespace {

std::filesystem::path toPath(const QString& path) { return std::filesystem::path(path.toStdString()); }

std::shared_ptr<DiffusionPipeline> windowModel(const QString& folder) { return ModelCache::shared().get(toPath(folder)); }

// A new image's prompt state: text-conditioned models sample under the prompt with guidance (the
// inversion of an opened image under the prompt alone) and find directions under its embedding
// alone; unconditional models take no prompt.
void setPrompt(LatentState& state, const DiffusionPipeline& model, const PromptSettings& settings, bool forInversion) {
    if (!model.textEncoder()) {
        // The panel's guidance means nothing here; condition() refuses a prompt, naming the model.
        state.sampling = model.condition(settings.prompt.toStdString(), settings.negativePrompt.toStdString());
        state.jacobian = state.sampling;
        return;
    }
    state.prompt = settings.prompt.toStdString();
    state.negativePrompt = forInversion ? std::string() : settings.negativePrompt.toStdString();
    state.guidance = forInversion ? 1.0 : settings.guidance;
    state.sampling = model.condition(state.prompt, state.negativePrompt, state.guidance);
    state.jacobian = model.condition(state.prompt);
}

QString fromStd(const std::string& text) { return QString::fromStdString(text); }

// A basis found at `state` records its prompts as text (basis.json "prompts").
void recordPrompts(PullbackBasis& basis, const LatentState& state) {
    if (state.jacobian.isUnconditional()) return;
    basis.jacobianPrompt = state.prompt;
    basis.samplingPrompt = state.prompt;
    basis.negativePrompt = state.negativePrompt;
    basis.guidance = state.guidance;
}

// What a generated image is called on the canvas: "seed 3", with its prompt when it has one.
QString seedSource(quint64 seed, const LatentState& state) {
    if (state.prompt.empty()) return QObject::tr("seed %1").arg(seed);
    return QObject::tr("seed %1 · “%2”").arg(seed).arg(fromStd(state.prompt));
}

double secondsSince(const QElapsedTimer& timer) { return static_cast<double>(timer.nsecsElapsed()) / 1e9; }

}  // namespace

ModelWorker::ModelWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<ModelInfo>();
    qRegisterMetaType<ViewState>();
}

ModelWorker::~ModelWorker() = default;

quint64 ModelWorker::submit(JobKind kind, const QString& description, std::function<void(quint64 id)> body) {
    const quint64 id = jobs_.submit(kind, description.toStdString(), std::move(body));
    QMetaObject::invokeMethod(this, &ModelWorker::runNext, Qt::QueuedConnection);
    return id;
}

void ModelWorker::cancel() { jobs_.cancel(); }

void ModelWorker::runNext() {
    const auto outcome = jobs_.runNext(
        [this](uint64_t job, const std::string& description) { emit jobStarted(job, fromStd(description)); });
    if (!outcome) return;
    switch (outcome->end) {
        case JobEnd::Failed: emit failed(outcome->id, fromStd(outcome->message)); break;
        case JobEnd::Cancelled: emit cancelled(outcome->id); break;
        case JobEnd::Finished:
        case JobEnd::Dropped: break;
    }
    emit jobEnded(outcome->id);
}

Progress ModelWorker::progressFor(quint64 job, const QString& prefix, double from, double to) {
    Progress progress;
    progress.cancelFlag = &jobs_.cancelFlag();
    progress.callback = [this, job, prefix, from, to](double fraction, const std::string& message) {
        emit this->progress(job, from + (to - from) * fraction, prefix + fromStd(message));
    };
    return progress;
}

DiffusionPipeline& ModelWorker::model() const {
    if (!model_) throw Error("no model is loaded: open a model folder first");
    return *model_;
}

const LatentState& ModelWorker::latentsOf(const ViewState& view) const {
    model();
    if (!view.latents) throw Error("there is no image yet: generate or open one first");
    if (view.latents->model.lock() != model_)
        throw Error("this image was made with a model that is no longer loaded; generate or open a new one");
    return *view.latents;
}

ModelInfo ModelWorker::infoOf(const DiffusionPipeline& model, const QString& folder) {
    ModelInfo info;
    info.name = fromStd(model.name());
    info.folder = folder;
    const auto image = model.imageShape();
    info.channels = static_cast<int>(image[0]);
    info.size = static_cast<int>(image[1]);
    info.parameters = model.parameterCount();
    info.trainTimesteps = static_cast<int>(model.numTrainTimesteps());
    info.blocks = static_cast<int>(model.denoiser().levelCount());
    info.precision = fromStd(dtypeName(model.dtype()) + " on " + model.device().str());
    info.description = fromStd(model.describe());
    info.takesPrompt = model.textEncoder() != nullptr;
    info.latentPreview = LatentRgbPreview::suits(model);
    return info;
}

std::shared_ptr<LatentState> ModelWorker::generated(const std::shared_ptr<DiffusionPipeline>& model, quint64 seed,
                                                    int steps, double eta, const PromptSettings& prompt,
                                                    const Progress& progress) {
    auto base = std::make_shared<LatentState>();
    setPrompt(*base, *model, prompt, /*forInversion=*/false);
    DdimSampler sampler(*model, steps, std::nullopt, base->sampling);
    auto run = sampler.sample(sampler.noise(seed, 1), eta, seed, /*keepTrajectory=*/true, progress);
    base->model = model;
    base->imageId = ++lastImageId_;
    base->steps = steps;
    base->eta = eta;
    base->image = model->codec().decode(run.result);
    base->trajectory = LatentTrajectory::fromRun(run);
    return base;
}

std::shared_ptr<LatentState> ModelWorker::inverted(const std::shared_ptr<DiffusionPipeline>& model, const QString& path,
                                                   int timestep, int steps, const PromptSettings& prompt,
                                                   const Progress& progress, QString* note) {
    const auto shape = model->imageShape();
    auto loaded = readImage(toPath(path), static_cast<int>(shape[0]), static_cast<int>(shape[1]));
    auto base = std::make_shared<LatentState>();
    setPrompt(*base, *model, prompt, /*forInversion=*/true);
    DdimSampler sampler(*model, steps, std::nullopt, base->sampling);
    const auto image = loaded.pixels.unsqueeze(0).to(model->tensorOptions());
    auto run = sampler.invert(model->codec().encode(image), timestep, /*keepTrajectory=*/true, progress);
    base->model = model;
    base->imageId = ++lastImageId_;
    base->steps = steps;
    base->image = image;
    base->trajectory = LatentTrajectory::fromRun(run);
    if (note) *note = fromStd(loaded.note);
    return base;
}

std::shared_ptr<LatentState> ModelWorker::atTimestep(const DiffusionPipeline& model, const LatentState& base, int timestep,
                                                     const Progress& progress) {
    auto lookup = base.trajectory.latentAt(model, base.steps, timestep, progress, base.sampling);
    auto state = std::make_shared<LatentState>(base);
    state->trajectory = std::move(lookup.trajectory);
    state->timestep = timestep;
    state->latent = lookup.latent;
    progress.throwIfCancelled();
    torch::NoGradGuard noGrad;
    state->predictedOriginal = model.codec().decode(predictCleanImage(model, state->latent, timestep, state->sampling));
    return state;
}

ViewState ModelWorker::viewOf(std::shared_ptr<const LatentState> state, qint64 seed, const QString& source) {
    ViewState view;
    view.image = TensorImage::toQImage(state->image);
    view.predicted = TensorImage::toQImage(state->predictedOriginal);
    view.timestep = static_cast<int>(state->timestep);
    view.seed = seed;
    view.source = source;
    view.latents = std::move(state);
    return view;
}

namespace {

struct SliderList {
    std::vector<int64_t> indices;
    std::vector<double> alphas;
    bool allZero() const {
        return std::all_of(alphas.begin(), alphas.end(), [](double a) { return a == 0.0; });
    }
};

SliderList sliderList(const PullbackBasis& basis, const QMap<int, double>& alphas) {
    SliderList list;
    for (auto it = alphas.begin(); it != alphas.end(); ++it) {
        if (it.key() < 0 || it.key() >= basis.k)
            throw Error("direction " + std::to_string(it.key()) + " does not exist: the basis has directions 0.." +
                        std::to_string(basis.k - 1));
        list.indices.push_back(it.key());
        list.alphas.push_back(it.value());
    }
    return list;
}

const DirectionSet& directionsOf(const ViewState& view) {
    if (!view.directions || !view.directions->basis) throw Error("no directions yet: find directions first");
    if (!view.latents || view.directions->imageId != view.latents->imageId ||
        view.directions->timestep != view.latents->timestep)
        throw Error("these directions belong to another image or timestep: find directions again");
    return *view.directions;
}

// A basis solved from `before`'s directions (warm start), matched to them and signed like them.
struct Followed {
    std::shared_ptr<PullbackBasis> basis;
    DirectionMatch match;
    QList<int> sliders;  // moveSliders: the sliders now on the directions that continue theirs
    QMap<int, double> alphas;
    void moveSliders(const QList<int>& before, const QMap<int, double>& beforeAlphas);
};

// `options`: the tolerance, budget and block size; k, method and start come from `before`.
Followed solvedFrom(const DiffusionPipeline& model, const LatentState& state, const PullbackBasis& before,
                    BasisOptions options, const Progress& progress) {
    options.k = before.k;
    options.method = before.method;
    options.start = before.v;
    const auto solved =
        findBasis(model, state.latent, state.timestep, DirectionSpace::of(before), state.jacobian, options, progress);
    Followed followed;
    followed.match = matchDirections(before.v, solved.v);
    followed.basis = std::make_shared<PullbackBasis>(withMatchedSigns(solved, followed.match));
    recordPrompts(*followed.basis, state);
    followed.basis->modelName = model.name();
    return followed;
}

void Followed::moveSliders(const QList<int>& sliders, const QMap<int, double>& alphas) {
    // Each slider stays on its direction, now the one that continues it.
    for (int direction : sliders) {
        const auto next = static_cast<int>(match.continuationOf(direction));
        if (next < 0 || this->sliders.contains(next)) continue;
        this->sliders.append(next);
        this->alphas[next] = alphas.value(direction, 0.0);
    }
}

}  // namespace

std::shared_ptr<DirectionSet> ModelWorker::describedSet(const LatentState& state, const PullbackBasis& basis) {
    auto set = std::make_shared<DirectionSet>();
    set->imageId = state.imageId;
    set->timestep = static_cast<int>(state.timestep);
    set->thumbnailAlpha = DirectionSet::kThumbnailAlpha;
    set->block = fromStd(basis.block);
    set->method = fromStd(basis.method);
    set->products = basis.products();
    set->worstResidual = basis.worstResidual();
    set->converged = basis.converged;
    set->seconds = basis.wallSeconds;
    if (basis.isMasked()) {
        set->maskCoverage = basis.mask.mean().item<double>();
        set->nullRank = static_cast<int>(basis.nullRank);
    }
    return set;
}

std::shared_ptr<DirectionSet> ModelWorker::directionSetOf(const DiffusionPipeline& model, const LatentState& state,
                                                                std::shared_ptr<const PullbackBasis> basis,
                                                                const Progress& progress) {
    auto set = describedSet(state, *basis);
    // Every card's −α and +α edit in one batch: 2k latents through a 10-step DDIM denoise.
    const auto shifted = shiftAlongEachDirection(state.latent, *basis, set->thumbnailAlpha);
    torch::NoGradGuard noGrad;
    const auto clean = model.codec().decode(quickDenoise(model, shifted, state.timestep, 10, progress, state.sampling));
    const auto v = basis->v.to(torch::kCPU, torch::kFloat32);
    const auto sigma = basis->sigma.to(torch::kCPU, torch::kFloat64);
    for (int64_t i = 0; i < basis->k; ++i) {
        DirectionCardImages card;
        card.direction = TensorImage::toQImage(directionPicture(v[i]));
        card.minus = TensorImage::toQImage(clean[2 * i]);
        card.plus = TensorImage::toQImage(clean[2 * i + 1]);
        card.sigma = sigma[i].item<double>();
        set->cards.push_back(card);
    }
    set->basis = std::move(basis);
    return set;
}

std::shared_ptr<DirectionSet> ModelWorker::liveDirectionSetOf(const LatentState& state,
                                                             std::shared_ptr<const PullbackBasis> basis,
                                                             const DirectionSet& previous, const DirectionMatch& match) {
    auto set = describedSet(state, *basis);
    set->live = true;
    const auto v = basis->v.to(torch::kCPU, torch::kFloat32);
    const auto sigma = basis->sigma.to(torch::kCPU, torch::kFloat64);
    for (int64_t i = 0; i < basis->k; ++i) {
        DirectionCardImages card;
        card.direction = TensorImage::toQImage(directionPicture(v[i]));
        card.editsTimestep = previous.timestep;
        const auto from = match.previous[static_cast<size_t>(i)];
        if (from >= 0) {  // the edits of the direction this one continues, until refined
            const auto& earlier = previous.cards[static_cast<int>(from)];
            card.minus = earlier.minus;
            card.plus = earlier.plus;
            if (earlier.editsTimestep >= 0) card.editsTimestep = earlier.editsTimestep;
        }
        card.sigma = sigma[i].item<double>();
        set->cards.push_back(card);
    }
    set->basis = std::move(basis);
    return set;
}

ViewState ModelWorker::edited(const DiffusionPipeline& model, const ViewState& view, const QList<int>& sliders,
                              const QMap<int, double>& alphas, const Progress& progress) {
    const auto& directions = directionsOf(view);
    const auto list = sliderList(*directions.basis, alphas);
    ViewState result = view;
    result.sliders = sliders;
    result.alphas = alphas;
    result.edited = {};
    if (!list.allZero()) {
        const auto& state = *view.latents;
        const auto xt = shiftAlongDirections(state.latent, *directions.basis, list.indices, list.alphas);
        DdimSampler sampler(model, state.steps, std::nullopt, state.sampling);
        torch::NoGradGuard noGrad;
        result.edited = TensorImage::toQImage(
            model.codec().decode(sampler.denoise(xt, state.timestep, 0.0, 0, false, progress).result));
    }
    return result;
}

std::shared_ptr<const LatentRgbPreview> ModelWorker::latentPreviewFor(const DiffusionPipeline& model,
                                                                    const Progress& progress) {
    if (!LatentRgbPreview::suits(model)) return nullptr;
    const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/latent-previews");
    return std::make_shared<const LatentRgbPreview>(LatentRgbPreview::forPipeline(model, toPath(cache), progress));
}

quint64 ModelWorker::loadModel(const QString& folder) {
    return submit(JobKind::LoadModel, tr("Loading model %1").arg(QDir(folder).dirName()), [this, folder](quint64 job) {
        emit progress(job, 0.0, tr("Loading model %1…").arg(folder));
        auto loaded = windowModel(folder);
        auto preview = latentPreviewFor(*loaded, progressFor(job, tr("Latent preview: "), 0.5, 1.0));
        if (jobs_.cancelFlag().load()) throw Cancelled();
        model_ = std::move(loaded);
        latentPreview_ = std::move(preview);
        modelFolder_ = folder;
        emit modelLoaded(job, infoOf(*model_, folder));
    });
}

quint64 ModelWorker::generate(quint64 seed, int steps, double eta, int timestep, const PromptSettings& prompt) {
    return submit(JobKind::Image, tr("Generating seed %1").arg(seed), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        this->model();
        const auto prefix = tr("Seed %1: ").arg(seed);
        auto base = generated(model_, seed, steps, eta, prompt, progressFor(job, prefix, 0.0, 0.95));
        auto state = atTimestep(*model_, *base, timestep, progressFor(job, prefix, 0.95, 1.0));
        emit imageReady(job, viewOf(state, static_cast<qint64>(seed), seedSource(seed, *state)), secondsSince(timer),
                        {});
    });
}

quint64 ModelWorker::invertImage(const QString& path, int timestep, int steps, const PromptSettings& prompt) {
    const QString name = QFileInfo(path).fileName();
    return submit(JobKind::Image, tr("Opening %1").arg(name), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        this->model();
        const auto prefix = tr("%1: ").arg(name);
        QString note;
        auto base = inverted(model_, path, timestep, steps, prompt, progressFor(job, prefix, 0.0, 0.95), &note);
        auto state = atTimestep(*model_, *base, timestep, progressFor(job, prefix, 0.95, 1.0));
        auto view = viewOf(state, -1, name);
        view.sourcePath = QFileInfo(path).absoluteFilePath();
        emit imageReady(job, view, secondsSince(timer), note);
    });
}

quint64 ModelWorker::computeAtTimestep(const ViewState& view, int timestep) {
    return submit(JobKind::Timestep, tr("Computing t=%1").arg(timestep), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& latents = latentsOf(view);
        auto state = atTimestep(*model_, latents, timestep, progressFor(job, tr("t=%1: ").arg(timestep), 0.0, 1.0));
        auto moved = viewOf(state, view.seed, view.source);
        moved.sourcePath = view.sourcePath;
        emit timestepReady(job, moved, secondsSince(timer));
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

quint64 ModelWorker::exportPicture(const QImage& image, const QString& path, int upscale) {
    return submit(JobKind::Export, tr("Exporting %1").arg(QFileInfo(path).fileName()), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        if (image.isNull()) throw Error("no image to export");
        const QImage big = image.scaled(image.size() * std::max(1, upscale), Qt::IgnoreAspectRatio, Qt::FastTransformation);
        if (!big.save(path)) throw Error(path.toStdString() + ": cannot write the image (check the folder and extension)");
        emit exported(job, path, secondsSince(timer));
    });
}

quint64 ModelWorker::findDirections(const ViewState& view, const DirectionRequest& request) {
    return submit(JobKind::Basis, tr("Finding %1 directions").arg(request.k), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& state = latentsOf(view);
        auto& model = *model_;
        const auto space = !request.mask.isNull()
                               ? DirectionSpace::posteriorMean(TensorImage::toMask(request.mask), request.nullRank)
                               : DirectionSpace::pullback(BlockId::parse(request.block.toStdString()));
        BasisOptions options;
        options.k = request.k;
        options.method = request.method.toStdString();
        options.tolerance = request.tolerance;
        options.maxProducts = request.maxProducts;
        auto basis = std::make_shared<PullbackBasis>(findBasis(model, state.latent, state.timestep, space, state.jacobian,
                                                               options, progressFor(job, tr("Directions: "), 0.0, 0.9)));
        recordPrompts(*basis, state);
        basis->modelName = model.name();
        emit progress(job, 0.9, tr("Rendering the %1 cards…").arg(request.k));
        auto result = view;
        result.directions = directionSetOf(model, state, std::move(basis), progressFor(job, tr("Cards: "), 0.9, 1.0));
        result.sliders.clear();
        result.alphas.clear();
        result.edited = {};
        emit directionsReady(job, result, secondsSince(timer));
    });
}

quint64 ModelWorker::followDirections(const ViewState& view, std::shared_ptr<const DirectionSet> previous,
                                      const QList<int>& sliders, const QMap<int, double>& alphas,
                                      const DirectionRequest& request) {
    return submit(JobKind::Follow, tr("Updating the directions for t=%1").arg(view.timestep), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& state = latentsOf(view);
        if (!previous || !previous->basis) throw Error("there are no directions to follow");
        auto& model = *model_;
        // Live first (BasisOptions::liveUpdate: within a slow drag's step, bench/README.md), cards
        // keeping the pictures of the directions they continue; refineDirections then solves to
        // the request's tolerance and renders. A request as rough as that is done in one go.
        auto options = BasisOptions::liveUpdate(previous->basis->k);
        const bool live = request.tolerance < options.tolerance;
        if (!live) {
            options = {};
            options.tolerance = request.tolerance;
        }
        if (request.maxProducts > 0 && (!live || request.maxProducts < options.maxProducts))
            options.maxProducts = request.maxProducts;
        auto followed = solvedFrom(model, state, *previous->basis, options,
                                   progressFor(job, tr("Directions: "), 0.0, live ? 1.0 : 0.7));
        followed.moveSliders(sliders, alphas);
        std::shared_ptr<DirectionSet> set;
        if (live) {
            set = liveDirectionSetOf(state, followed.basis, *previous, followed.match);
        } else {
            emit progress(job, 0.7, tr("Rendering the %1 cards…").arg(followed.basis->k));
            set = directionSetOf(model, state, followed.basis, progressFor(job, tr("Cards: "), 0.7, 0.85));
        }
        set->followedTimestep = previous->timestep;
        for (int i = 0; i < set->count(); ++i) {
            set->cards[i].continues = static_cast<int>(followed.match.previous[i]);
            set->cards[i].continuesCosine = followed.match.cosine[i];
        }
        auto result = view;
        result.directions = std::move(set);
        if (live) {
            // The sliders' edit as the drag preview shows it (one U-Net call), until refined.
            result.sliders = followed.sliders;
            result.alphas = followed.alphas;
            result.edited = sliderList(*followed.basis, followed.alphas).allZero()
                                ? QImage()
                                : previewOf(state, *followed.basis, followed.alphas, false, {});
        } else {
            result = edited(model, result, followed.sliders, followed.alphas, progressFor(job, tr("Edit: "), 0.85, 1.0));
        }
        emit directionsReady(job, result, secondsSince(timer));
    });
}

quint64 ModelWorker::refineDirections(const ViewState& view, const DirectionRequest& request) {
    return submit(JobKind::Basis, tr("Refining the directions at t=%1").arg(view.timestep), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& state = latentsOf(view);
        const auto& live = directionsOf(view);
        auto& model = *model_;
        BasisOptions options;
        options.tolerance = request.tolerance;
        options.maxProducts = request.maxProducts;
        auto followed = solvedFrom(model, state, *live.basis, options, progressFor(job, tr("Refining: "), 0.0, 0.4));
        followed.moveSliders(view.sliders, view.alphas);
        followed.basis->jvpProducts += live.basis->jvpProducts;  // the update's whole cost
        followed.basis->vjpProducts += live.basis->vjpProducts;
        followed.basis->wallSeconds += live.basis->wallSeconds;
        emit progress(job, 0.4, tr("Rendering the %1 cards…").arg(followed.basis->k));
        auto set = directionSetOf(model, state, followed.basis, progressFor(job, tr("Cards: "), 0.4, 0.85));
        set->followedTimestep = live.followedTimestep;
        for (int i = 0; i < set->count(); ++i) {
            // What the live direction this one continues was continuing.
            const auto via = followed.match.previous[i];
            set->cards[i].continues = via < 0 ? -1 : live.cards[static_cast<int>(via)].continues;
            set->cards[i].continuesCosine = via < 0 ? 0.0 : live.cards[static_cast<int>(via)].continuesCosine;
        }
        auto result = view;
        result.directions = std::move(set);
        result = edited(model, result, followed.sliders, followed.alphas, progressFor(job, tr("Edit: "), 0.85, 1.0));
        emit directionsReady(job, result, secondsSince(timer));
    });
}

quint64 ModelWorker::previewEdit(const ViewState& view, const QMap<int, double>& alphas, bool sharper) {
    return submit(JobKind::Preview, tr("Previewing the edit"), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& state = latentsOf(view);
        Progress progress;
        progress.cancelFlag = &jobs_.cancelFlag();
        const auto picture = previewOf(state, *directionsOf(view).basis, alphas, sharper, progress);
        emit previewReady(job, picture, secondsSince(timer));
    });
}

QImage ModelWorker::previewOf(const LatentState& state, const PullbackBasis& basis, const QMap<int, double>& alphas,
                              bool sharper, const Progress& progress) const {
    const auto list = sliderList(basis, alphas);
    const auto xt = shiftAlongDirections(state.latent, basis, list.indices, list.alphas);
    torch::NoGradGuard noGrad;
    const auto clean = sharper ? quickDenoise(*model_, xt, state.timestep, 10, progress, state.sampling)
                               : predictCleanImage(*model_, xt, state.timestep, state.sampling);
    // Latent pipelines: the cheap latent → RGB map while dragging; the VAE decodes on release.
    return TensorImage::toQImage(latentPreview_ ? latentPreview_->render(clean) : model_->codec().decode(clean));
}

quint64 ModelWorker::finalEdit(const ViewState& view, const QList<int>& sliders, const QMap<int, double>& alphas) {
    return submit(JobKind::FinalEdit, tr("Re-denoising the edit"), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        latentsOf(view);
        auto result = edited(*model_, view, sliders, alphas, progressFor(job, tr("Edit: "), 0.0, 1.0));
        emit editReady(job, result, secondsSince(timer));
    });
}

quint64 ModelWorker::exportTraversal(const ViewState& view, int direction, double alphaMax, int frames, double fps,
                                     const QString& path, int upscale) {
    return submit(JobKind::Export, tr("Exporting %1").arg(QFileInfo(path).fileName()), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& state = latentsOf(view);
        const auto& directions = directionsOf(view);
        if (frames < 2) throw Error("a traversal needs at least 2 frames");
        DdimSampler sampler(*model_, state.steps, std::nullopt, state.sampling);
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> images;
        std::vector<std::string> labels;
        for (int i = 0; i < frames; ++i) {
            const double alpha = -alphaMax + 2.0 * alphaMax * i / (frames - 1);
            auto alphas = view.alphas;
            alphas[direction] = alpha;
            const auto list = sliderList(*directions.basis, alphas);
            const auto xt = shiftAlongDirections(state.latent, *directions.basis, list.indices, list.alphas);
            images.push_back(model_->codec()
                                 .decode(sampler.denoise(xt, state.timestep, 0.0, 0, false,
                                                         progressFor(job, tr("Frame %1 of %2: ").arg(i + 1).arg(frames),
                                                                     double(i) / frames, double(i + 1) / frames))
                                             .result)[0]);
            char label[32];
            std::snprintf(label, sizeof label, "a=%+.1f", alpha);
            labels.emplace_back(label);
        }
        writeFrames(toPath(path), images, fps, upscale, labels);
        emit exported(job, path, secondsSince(timer));
    });
}

quint64 ModelWorker::exportBasis(const ViewState& view, const QString& folder) {
    return submit(JobKind::Export, tr("Exporting the basis to %1").arg(QDir(folder).dirName()), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& basis = *directionsOf(view).basis;
        writeBasis(toPath(folder), basis);
        writeDirectionSheet(toPath(folder) / "directions.png", basis.v, basis.sigma);
        emit exported(job, folder, secondsSince(timer));
    });
}

namespace {

const char* const kSessionBasis = "basis";
const char* const kSessionMask = "mask.png";


}  // namespace

quint64 ModelWorker::saveSession(const ViewState& view, const QString& modelFolder, const QString& folder,
                                 const QImage& mask) {
    return submit(JobKind::Export, tr("Saving the session %1").arg(QDir(folder).dirName()), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const auto& state = latentsOf(view);
        const QDir dir(folder);
        if (!QDir().mkpath(folder)) throw Error(folder.toStdString() + ": cannot create the session folder");
        Session session;
        session.model = QFileInfo(modelFolder).absoluteFilePath().toStdString();
        session.modelName = model_->name();
        session.conditioning = state.sampling.id;
        session.prompt = state.prompt;
        session.negativePrompt = state.negativePrompt;
        session.guidance = state.guidance;
        session.steps = state.steps;
        session.eta = state.eta;
        session.timestep = view.timestep;
        if (view.seed >= 0) {
            session.seed = static_cast<uint64_t>(view.seed);
        } else {
            if (view.sourcePath.isEmpty()) throw Error("the opened image's file is not known; cannot save it");
            const QString copy = QStringLiteral("source.") + QFileInfo(view.sourcePath).suffix();
            QFile::remove(dir.filePath(copy));
            if (!QFile::copy(view.sourcePath, dir.filePath(copy)))
                throw Error(view.sourcePath.toStdString() + ": cannot copy the opened image into the session");
            session.image = copy.toStdString();
            session.imageName = view.source.toStdString();
            // How far the image was inverted (x_t at other timesteps derives from that trajectory).
            session.invertedTo = state.trajectory.top();
        }
        if (view.directions) {
            writeBasis(toPath(dir.filePath(QString::fromLatin1(kSessionBasis))), *directionsOf(view).basis);
            session.basis = kSessionBasis;
            for (int direction : view.sliders) session.sliders.push_back({direction, view.alphas.value(direction, 0.0)});
        }
        const auto maskValues = TensorImage::toMask(mask);
        if (maskValues.defined() && maskValues.max().item<double>() > 0) {
            writeMask(toPath(dir.filePath(QString::fromLatin1(kSessionMask))), maskValues);
            session.mask = kSessionMask;
        }
        writeSessionFile(toPath(folder), session);
        view.shownImage().save(dir.filePath(QStringLiteral("canvas.png")));
        emit exported(job, folder, secondsSince(timer));
    });
}

quint64 ModelWorker::openSession(const QString& folder) {
    return submit(JobKind::Session, tr("Opening the session %1").arg(QDir(folder).dirName()), [=](quint64 job) {
        QElapsedTimer timer;
        timer.start();
        const QDir dir(folder);
        const std::string where = dir.filePath(QString::fromLatin1(kSessionFileName)).toStdString();
        const Session session = readSessionFile(toPath(folder));
        const QString modelFolder = fromStd(session.model);
        const int steps = static_cast<int>(session.steps);
        const double eta = session.eta;
        const int timestep = static_cast<int>(session.timestep);

        // The model: the loaded one if it is the same folder, else loaded here and kept only if
        // everything below works.
        std::shared_ptr<DiffusionPipeline> model = model_;
        ModelInfo info;
        if (!model_ || QFileInfo(modelFolder) != QFileInfo(modelFolder_)) {
            emit progress(job, 0.0, tr("Loading model %1…").arg(modelFolder));
            model = windowModel(modelFolder);
            info = infoOf(*model, modelFolder);
        }
        PromptSettings prompt;
        if (model->textEncoder()) {
            prompt = {fromStd(session.prompt), fromStd(session.negativePrompt), session.guidance};
        } else if (!session.conditioning.empty()) {
            throw Error(where + ": the session was made with a prompt; model " + model->name() + " takes none");
        }
        if (timestep < 0 || timestep >= model->numTrainTimesteps())
            throw Error(where + ": timestep " + std::to_string(timestep) + " is outside the model's 0.." +
                        std::to_string(model->numTrainTimesteps() - 1));
        std::shared_ptr<LatentState> base;
        ViewState view;
        if (session.seed) {
            const quint64 seed = *session.seed;
            base = generated(model, seed, steps, eta, prompt, progressFor(job, tr("Seed %1: ").arg(seed), 0.05, 0.6));
            view = viewOf(atTimestep(*model, *base, timestep, {}), static_cast<qint64>(seed), seedSource(seed, *base));
        } else {
            const QString image = dir.filePath(fromStd(session.image));
            const int invertedTo = static_cast<int>(session.invertedTo.value_or(timestep));
            if (invertedTo < 0 || invertedTo >= model->numTrainTimesteps())
                throw Error(where + ": \"invertedTo\" is outside the model's timesteps");
            base = inverted(model, image, invertedTo, steps, prompt, progressFor(job, tr("Image: "), 0.05, 0.6), nullptr);
            view = viewOf(atTimestep(*model, *base, timestep, {}), -1,
                          session.imageName.empty() ? QFileInfo(image).fileName() : fromStd(session.imageName));
            view.sourcePath = image;
        }
        if (base->sampling.id != session.conditioning)
            throw Error(where + ": its prompt, negative prompt and guidance do not give its conditioning " +
                        session.conditioning + " (edited by hand?)");
        if (!session.basis.empty()) {
            auto basis = std::make_shared<PullbackBasis>(readBasis(toPath(dir.filePath(fromStd(session.basis)))));
            checkBasisFits(*basis, *model, timestep);
            if (basis->conditioning != base->jacobian.id)
                throw Error(where + ": the session's basis was found under another conditioning (" +
                            (basis->conditioning.empty() ? std::string("none") : basis->conditioning) + ")");
            view.directions =
                directionSetOf(*model, *view.latents, std::move(basis), progressFor(job, tr("Cards: "), 0.6, 0.8));
            QList<int> sliders;
            QMap<int, double> alphas;
            for (const auto& slider : session.sliders) {
                if (slider.direction < 0 || slider.direction >= view.directions->count())
                    throw Error(where + ": slider of direction " + std::to_string(slider.direction) +
                                ", which the basis does not have");
                sliders.append(slider.direction);
                alphas[slider.direction] = slider.alpha;
            }
            view = edited(*model, view, sliders, alphas, progressFor(job, tr("Edit: "), 0.8, 1.0));
        }
        QImage mask;
        if (!session.mask.empty()) {
            const auto shape = model->imageShape();
            const auto loaded = readMask(toPath(dir.filePath(fromStd(session.mask))), static_cast<int>(shape[1]),
                                         static_cast<int>(shape[2]));
            if (!loaded.note.empty()) spdlog::info("{}: {}", session.mask, loaded.note);
            mask = TensorImage::fromMask(loaded.mask);
        }
        auto preview = model == model_ ? latentPreview_ : latentPreviewFor(*model, {});
        if (jobs_.cancelFlag().load()) throw Cancelled();
        model_ = model;  // everything worked: only now does the session replace what was loaded
        latentPreview_ = std::move(preview);
        if (!info.isNull()) modelFolder_ = modelFolder;
        emit sessionOpened(job, info, view, secondsSince(timer), mask);
    });
}

}  // namespace latentlens::ui
