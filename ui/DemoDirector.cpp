#include "ui/DemoDirector.h"

#include <algorithm>
#include <cmath>

#include <QApplication>
#include <QEvent>
#include <QTimer>

#include <spdlog/spdlog.h>

#include "ui/DirectionSlider.h"
#include "ui/MainWindow.h"

namespace latentlens::ui {
namespace {

// Presentation timing (scaled by the pace).
constexpr int kRiseMs = 2600;       // 0 → +α and −α → 0
constexpr int kCrossMs = 4200;      // +α → −α, through the original
constexpr int kTurnHoldMs = 1300;   // the sharp render at a turning point stays this long
constexpr int kSceneHoldMs = 1600;  // the original again before the next scene
constexpr int kSkipPauseMs = 2000;  // after a failed scene; also the retry while no model is loaded
constexpr int kFrameGapMs = 15;     // least time between two drag previews (the worker sets the pace)

// Slow in, slow out: the sweep rests a moment at each end.
double ease(double f) { return f * f * (3.0 - 2.0 * f); }

QString alphaText(double alpha) {
    const QString sign = alpha > 0.005 ? QStringLiteral("+") : alpha < -0.005 ? QStringLiteral("−") : QString();
    return sign + QString::number(std::abs(alpha), 'f', 2);
}

}  // namespace

QList<DemoScene> DemoDirector::curatedPlaylist() {
    // Picked from contact sheets of seeds 0–15 at t = 600 and 700 (the cards' ±3 edits) and then
    // watched in the app: each sweep morphs one garment into another and back, which reads from
    // the back of a room (t = 700 edits mostly broke up into blobs at α 2.5).
    return {
        {9, 600, 1, 2.5},   // t-shirt ↔ long-sleeved pullover
        {6, 600, 1, 2.5},   // sandal ↔ ankle boot
        {1, 600, 0, 2.5},   // trousers ↔ heeled sandal
        {3, 600, 1, 2.5},   // handbag ↔ sneaker
        {12, 600, 1, 2.5},  // dress ↔ t-shirt
        {8, 600, 2, 2.5},   // dress ↔ pullover
    };
}

DemoDirector::DemoDirector(MainWindow& window) : QObject(&window), window_(window), playlist_(curatedPlaylist()) {
    connect(&window_, &MainWindow::becameIdle, this, [this] {
        if (!onIdle_) return;
        auto next = std::move(onIdle_);
        onIdle_ = nullptr;
        next();
    });
    connect(&window_, &MainWindow::errorShown, this, [this](const QString& message) {
        if (!running_) return;
        failed_ = true;
        failure_ = message;
    });
}

DemoDirector::~DemoDirector() {
    if (running_) qApp->removeEventFilter(this);
}

void DemoDirector::setPlaylist(QList<DemoScene> scenes) {
    playlist_ = std::move(scenes);
    index_ = 0;
}

void DemoDirector::start() {
    if (running_) return;
    if (playlist_.isEmpty()) {
        spdlog::warn("demo: the playlist is empty");
        return;
    }
    running_ = true;
    ++generation_;
    index_ = std::clamp(index_, 0, static_cast<int>(playlist_.size()) - 1);
    qApp->installEventFilter(this);
    spdlog::info("demo: playing {} scenes from scene {}", playlist_.size(), index_ + 1);
    emit runningChanged(true);
    playScene();
}

void DemoDirector::stop() {
    if (!running_) return;
    running_ = false;
    ++generation_;
    onIdle_ = nullptr;
    qApp->removeEventFilter(this);
    if (sweep_ >= 0 && !alphaCommitted_) {
        // Caught mid-sweep: render where the slider stands, sharp, as a release would.
        window_.setDirectionAlpha(scene_.direction, alpha_);
        alphaCommitted_ = true;
    }
    sweep_ = -1;
    spdlog::info("demo: stopped at scene {}", index_ + 1);
    emit runningChanged(false);
}

bool DemoDirector::eventFilter(QObject* watched, QEvent* event) {
    switch (event->type()) {
        case QEvent::MouseButtonPress:
        case QEvent::MouseButtonDblClick:
        case QEvent::KeyPress:
        case QEvent::ShortcutOverride:  // a key that is a shortcut never arrives as KeyPress
        case QEvent::Wheel:
        case QEvent::TouchBegin:
        case QEvent::TabletPress:
            if (running_) {
                spdlog::debug("demo: user input ({}), handing over", static_cast<int>(event->type()));
                stop();
            }
            break;
        default: break;
    }
    return QObject::eventFilter(watched, event);
}

// --- one scene ---------------------------------------------------------------------------------

void DemoDirector::playScene() {
    scene_ = playlist_.at(index_);
    failed_ = false;
    failure_.clear();
    sweep_ = -1;
    alphaCommitted_ = true;
    if (window_.modelInfo().isNull()) {
        if (window_.isBusy()) {
            setCaption(tr("Loading the model…"));
            whenIdle([this] { playScene(); });
        } else {
            setCaption(tr("No model loaded"));
            after(kSkipPauseMs, [this] { playScene(); });
        }
        return;
    }
    const int trainTimesteps = window_.modelInfo().trainTimesteps;
    if (scene_.timestep < 0 || scene_.timestep >= trainTimesteps) {
        skipScene(tr("t = %1 is outside the model's 0…%2").arg(scene_.timestep).arg(trainTimesteps - 1));
        return;
    }
    if (scene_.direction < 0 || scene_.direction > kMaxDirection || scene_.alphaPeak <= 0.0) {
        skipScene(tr("direction %1 with α %2 cannot be played").arg(scene_.direction + 1).arg(scene_.alphaPeak));
        return;
    }
    emit sceneStarted(index_);
    // Let a job still running (a user's, or the last scene's) end first.
    whenIdle([this] { showImage(); });
}

void DemoDirector::showImage() {
    setCaption(tr("Seed %1 · generating the image…").arg(scene_.seed));
    window_.generateSeed(scene_.seed);
    whenIdle([this] { showTimestep(); });
}

void DemoDirector::showTimestep() {
    if (sceneFailed()) return;
    if (window_.viewState().seed != scene_.seed) {
        skipScene(tr("the image of seed %1 did not arrive").arg(scene_.seed));
        return;
    }
    setCaption(tr("Seed %1 · t = %2").arg(scene_.seed).arg(scene_.timestep));
    window_.showTimestep(scene_.timestep);
    whenIdle([this] { findDirections(); });
}

void DemoDirector::findDirections() {
    if (sceneFailed()) return;
    if (window_.viewState().timestep != scene_.timestep) {
        skipScene(tr("the image did not move to t = %1").arg(scene_.timestep));
        return;
    }
    setCaption(tr("%1 · finding the directions…").arg(sceneText()));
    window_.findDirections(std::max(4, scene_.direction + 1));
    whenIdle([this] { addSlider(); });
}

void DemoDirector::addSlider() {
    if (sceneFailed()) return;
    const auto& directions = window_.viewState().directions;
    if (!directions || directions->count() <= scene_.direction) {
        skipScene(tr("direction %1 was not found").arg(scene_.direction + 1));
        return;
    }
    window_.addDirectionSlider(scene_.direction);
    whenIdle([this] {
        if (sceneFailed()) return;
        alpha_ = 0.0;
        startSweep(0);
    });
}

void DemoDirector::startSweep(int sweep) {
    sweep_ = sweep;
    sweepClock_.start();
    sweepFrame();
}

void DemoDirector::sweepFrame() {
    const double peak = scene_.alphaPeak;
    const Sweep sweeps[] = {{0.0, peak, kRiseMs}, {peak, -peak, kCrossMs}, {-peak, 0.0, kRiseMs}};
    const Sweep& sweep = sweeps[sweep_];
    const double duration = std::max(1.0, sweep.milliseconds * pace_);
    const double f = std::min(1.0, static_cast<double>(sweepClock_.elapsed()) / duration);
    if (f >= 1.0) {
        // The turning point: render it sharp, as releasing the slider does, and hold it.
        alpha_ = sweep.to;
        setCaption(sceneText() + tr(" · direction %1: α %2").arg(scene_.direction + 1).arg(alphaText(alpha_)));
        window_.setDirectionAlpha(scene_.direction, alpha_);
        alphaCommitted_ = true;
        whenIdle([this] { endSweep(); });
        return;
    }
    // On the slider's own grid, so the handle, the caption and a render at a stop all agree.
    const double ticks = DirectionSlider::kTicksPerUnit;
    alpha_ = std::round((sweep.from + (sweep.to - sweep.from) * ease(f)) * ticks) / ticks;
    alphaCommitted_ = false;
    setCaption(sceneText() + tr(" · direction %1: α %2").arg(scene_.direction + 1).arg(alphaText(alpha_)));
    window_.previewDirectionAlpha(scene_.direction, alpha_);
    whenIdle([this] {
        if (sceneFailed()) return;
        emit alphaShown(scene_.direction, alpha_, false);
        after(kFrameGapMs, [this] { sweepFrame(); });
    });
}

void DemoDirector::endSweep() {
    if (sceneFailed()) return;
    emit alphaShown(scene_.direction, alpha_, true);
    if (sweep_ < 2) {
        const int next = sweep_ + 1;
        after(kTurnHoldMs, [this, next] { startSweep(next); });
        return;
    }
    sweep_ = -1;
    after(kSceneHoldMs, [this] { nextScene(); });
}

void DemoDirector::nextScene() {
    index_ = (index_ + 1) % static_cast<int>(playlist_.size());
    playScene();
}

void DemoDirector::skipScene(const QString& reason) {
    spdlog::warn("demo: skipping scene {} (seed {}, t = {}, direction {}): {}", index_ + 1, scene_.seed,
                 scene_.timestep, scene_.direction + 1, reason.toStdString());
    sweep_ = -1;
    alphaCommitted_ = true;
    emit sceneSkipped(index_, reason);
    setCaption(tr("Skipping a scene…"));
    after(kSkipPauseMs, [this] { nextScene(); });
}

// --- helpers -----------------------------------------------------------------------------------

std::function<void()> DemoDirector::guarded(std::function<void()> next) {
    return [this, generation = generation_, next = std::move(next)] {
        if (running_ && generation == generation_) next();
    };
}

void DemoDirector::whenIdle(std::function<void()> next) {
    if (window_.isBusy()) {
        onIdle_ = guarded(std::move(next));
    } else {
        QTimer::singleShot(0, this, guarded(std::move(next)));
    }
}

void DemoDirector::after(int milliseconds, std::function<void()> next) {
    QTimer::singleShot(std::max(0, static_cast<int>(std::lround(milliseconds * pace_))), this,
                       guarded(std::move(next)));
}

bool DemoDirector::sceneFailed() {
    if (!failed_) return false;
    skipScene(failure_);
    return true;
}

QString DemoDirector::sceneText() const {
    return tr("Seed %1 · t = %2").arg(scene_.seed).arg(scene_.timestep);
}

void DemoDirector::setCaption(const QString& caption) {
    if (caption == caption_) return;
    caption_ = caption;
    emit captionChanged(caption_);
}

}  // namespace latentlens::ui
