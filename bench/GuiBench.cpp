// latentlens-bench-gui: how the desktop window feels on this machine (default model unless
// --model DIR). Drives the real MainWindow offscreen: the first image (DDIM-50, t = 0.6T), find
// directions (k = 10), then drags of a direction's slider through ~60 values at 60 mouse moves a
// second, counting the previews that actually reach the canvas (frames/s), and the release-to-final
// latency (release → fully re-denoised edit on the canvas; median over the drags). Both for the
// instant one-call x̂0 preview and the sharper 10-step preview. Then live directions: the timestep
// moved one DDIM-50 step (20) at a time with the cards following (warm-started solves): the
// latency from a step to its updated cards, and the card updates shown per second while the
// timestep is dragged slowly (a step every 150 ms).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>

#include "core/Runtime.h"
#include "core/geometry/BasisSolver.h"
#include "ui/DetentSlider.h"
#include "ui/DirectionSlider.h"
#include "ui/MainWindow.h"
#include "ui/SliderStack.h"

namespace {

using latentlens::ui::MainWindow;

constexpr int kTimeoutMs = 120000;
constexpr int kMovesPerDrag = 60;
constexpr double kMovesPerSecond = 60.0;
constexpr int kDrags = 5;

// Runs the event loop until `done` holds; false on timeout.
bool waitUntil(const std::function<bool()>& done, int timeoutMs = kTimeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return true;
}

// Keeps the event loop running for `ms` (the time between two mouse moves).
void pump(double ms) {
    QElapsedTimer timer;
    timer.start();
    while (static_cast<double>(timer.nsecsElapsed()) / 1e6 < ms) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
}

struct DragResult {
    double shownPerSecond = 0.0;
    double workerMs = 0.0;     // median preview job time on the worker
    double releaseMs = 0.0;    // median release → final edit on the canvas
    int shown = 0;
    int moves = 0;
};

DragResult measureDrags(MainWindow& window, int direction) {
    auto* row = window.sliderStack()->sliderFor(direction);
    auto* slider = row->slider();
    std::vector<double> workerMs;
    int shown = 0;
    const auto connection = QObject::connect(&window, &MainWindow::previewShown, [&](double seconds) {
        ++shown;
        workerMs.push_back(seconds * 1000.0);
    });
    std::vector<double> rates;
    std::vector<double> releases;
    DragResult result;
    for (int drag = 0; drag < kDrags; ++drag) {
        const int before = shown;
        const double from = drag % 2 == 0 ? -4.0 : 4.0;
        const double to = -from * (0.5 + 0.1 * drag);
        QElapsedTimer timer;
        timer.start();
        slider->setSliderDown(true);
        for (int i = 0; i < kMovesPerDrag; ++i) {
            const double alpha = from + (to - from) * i / (kMovesPerDrag - 1);
            slider->setValue(static_cast<int>(std::lround(alpha * latentlens::ui::DirectionSlider::kTicksPerUnit)));
            pump(1000.0 / kMovesPerSecond);
        }
        const double dragSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
        rates.push_back((shown - before) / dragSeconds);
        result.moves += kMovesPerDrag;
        const double target = row->alpha();
        QElapsedTimer release;
        release.start();
        slider->setSliderDown(false);
        if (!waitUntil([&] {
                return window.viewState().alphas.value(direction, 0.0) == target && !window.isBusy();
            })) {
            spdlog::error("the final edit did not arrive");
            break;
        }
        releases.push_back(static_cast<double>(release.nsecsElapsed()) / 1e6);
    }
    QObject::disconnect(connection);
    result.shown = shown;
    result.shownPerSecond = median(rates);
    result.workerMs = median(workerMs);
    result.releaseMs = median(releases);
    return result;
}

struct FollowResult {
    double liveMs = 0.0;         // median: timestep moved → its live directions shown
    double liveSolverMs = 0.0;   // median warm solver time of those live sets
    double liveProducts = 0.0;
    double stepMs = 0.0;         // median: timestep moved → its refined directions' cards shown
    double solverMs = 0.0;       // median warm solver time of those updates
    double products = 0.0;       // median Jacobian products of those updates
    double updatesPerSecond = 0.0;  // while dragged slowly
    int updates = 0;
    int moves = 0;
};

constexpr int kFollowSteps = 8;
constexpr int kTimestepStep = 20;
constexpr double kSlowDragMs = 150.0;
constexpr int kSlowDragMoves = 20;

FollowResult measureFollowing(MainWindow& window) {
    FollowResult result;
    std::vector<double> liveMs, liveSolverMs, liveProducts, stepMs, solverMs, products;
    int t = window.viewState().timestep;
    for (int i = 0; i < kFollowSteps; ++i) {
        t -= kTimestepStep;
        QElapsedTimer timer;
        timer.start();
        const auto live = QObject::connect(&window, &MainWindow::viewChanged, [&](const latentlens::ui::ViewState& view) {
            if (view.directions && view.directions->live && view.directions->timestep == t) {
                liveMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
                liveSolverMs.push_back(view.directions->seconds * 1000.0);
                liveProducts.push_back(static_cast<double>(view.directions->products));
            }
        });
        window.showTimestep(t);
        if (!waitUntil([&] {
                const auto& view = window.viewState();
                return view.timestep == t && view.directions && view.directions->timestep == t && !window.isBusy();
            })) {
            spdlog::error("the directions did not follow to t = {}", t);
            return result;
        }
        QObject::disconnect(live);
        stepMs.push_back(static_cast<double>(timer.nsecsElapsed()) / 1e6);
        solverMs.push_back(window.viewState().directions->seconds * 1000.0);
        products.push_back(static_cast<double>(window.viewState().directions->products));
    }
    int updates = 0;
    int lastShown = -1;
    const auto connection = QObject::connect(&window, &MainWindow::viewChanged, [&](const latentlens::ui::ViewState& view) {
        if (view.directions && view.directions->isFollowed() && view.directions->timestep != lastShown) {
            lastShown = view.directions->timestep;
            ++updates;
        }
    });
    QElapsedTimer drag;
    drag.start();
    for (int i = 0; i < kSlowDragMoves; ++i) {
        t += kTimestepStep;
        window.showTimestep(t);
        pump(kSlowDragMs);
    }
    const double dragSeconds = static_cast<double>(drag.nsecsElapsed()) / 1e9;
    waitUntil([&] { return !window.isBusy(); });
    QObject::disconnect(connection);
    result.liveMs = median(liveMs);
    result.liveSolverMs = median(liveSolverMs);
    result.liveProducts = median(liveProducts);
    result.stepMs = median(stepMs);
    result.solverMs = median(solverMs);
    result.products = median(products);
    result.updates = updates;
    result.moves = kSlowDragMoves;
    result.updatesPerSecond = updates / dragSeconds;
    return result;
}

}  // namespace

int main(int argc, char** argv) {
    QString modelDir;
    int threads = 0;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--model") && i + 1 < argc) {
            modelDir = QString::fromLocal8Bit(argv[++i]);
        } else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
            threads = std::stoi(argv[++i]);
        } else {
            std::fprintf(stderr, "usage: latentlens-bench-gui [--model DIR] [--threads N]\n");
            return 2;
        }
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LatentLensBench"));
    QApplication::setApplicationName(QStringLiteral("latentlens-bench-gui"));
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir settingsDir;  // the app's defaults, not the user's settings
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    spdlog::set_level(spdlog::level::warn);
    latentlens::configureThreads(threads);

    QElapsedTimer timer;
    timer.start();
    MainWindow window(modelDir);
    window.setShowDialogs(false);
    window.resize(1440, 900);
    window.show();
    if (!waitUntil([&] { return !window.viewState().isNull() && !window.isBusy(); })) {
        std::fprintf(stderr, "no first image: %s\n", qPrintable(window.statusText()));
        return 1;
    }
    const double firstImage = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    const int firstTimestep = window.viewState().timestep;

    timer.restart();
    window.findDirections(10);
    if (!waitUntil([&] { return window.viewState().directions && !window.isBusy(); })) {
        std::fprintf(stderr, "no directions: %s\n", qPrintable(window.statusText()));
        return 1;
    }
    const double findSeconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    const auto directions = window.viewState().directions;  // kept: the view moves on

    window.addDirectionSlider(0);
    waitUntil([&] { return window.sliderStack()->sliderFor(0) && !window.isBusy(); });
    const DragResult instant = measureDrags(window, 0);
    auto* sharper = window.findChild<QAction*>(QStringLiteral("actionSharperPreview"));
    sharper->setChecked(true);
    const DragResult tenStep = measureDrags(window, 0);
    sharper->setChecked(false);
    window.setDirectionAlpha(0, 0.0);  // the cards alone follow (an α ≠ 0 would re-render the edit each time)
    waitUntil([&] { return window.viewState().alphas.value(0, 1.0) == 0.0 && !window.isBusy(); });
    const FollowResult follow = measureFollowing(window);

    std::printf("LatentLens GUI bench: model %s, %d LibTorch thread(s), window 1440x900 offscreen\n",
                qPrintable(window.modelInfo().name), at::get_num_threads());
    std::printf("| what | time |\n|---|---|\n");
    std::printf("| start → first image (load, DDIM-50, x̂0 at t = %d) | %.2f s |\n", firstTimestep, firstImage);
    std::printf("| find directions k = 10: request → cards shown | %.3f s |\n", findSeconds);
    std::printf("| … of which the solver (%lld products, worst residual %.1e) | %.3f s |\n",
                static_cast<long long>(directions->products), directions->worstResidual, directions->seconds);
    std::printf("| drag, instant x̂0 preview: previews shown on the canvas | %.1f frames/s (%d of %d moves at %.0f/s) |\n",
                instant.shownPerSecond, instant.shown, instant.moves, kMovesPerSecond);
    std::printf("| … worker time per preview (median) | %.2f ms |\n", instant.workerMs);
    std::printf("| release → final re-denoise on the canvas (median of %d) | %.0f ms |\n", kDrags, instant.releaseMs);
    std::printf("| drag, sharper 10-step preview: previews shown | %.1f frames/s (%d of %d moves) |\n",
                tenStep.shownPerSecond, tenStep.shown, tenStep.moves);
    std::printf("| … worker time per preview (median) | %.2f ms |\n", tenStep.workerMs);
    std::printf("| release → final (sharper mode, median of %d) | %.0f ms |\n", kDrags, tenStep.releaseMs);
    std::printf("| live directions: timestep step of %d → live cards (to %.0e, median of %d) | %.0f ms |\n",
                kTimestepStep, latentlens::BasisOptions::liveUpdate(10).tolerance, kFollowSteps, follow.liveMs);
    std::printf("| … of which the warm solver (median %.0f products) | %.0f ms |\n", follow.liveProducts,
                follow.liveSolverMs);
    std::printf("| timestep step of %d → refined cards with their edits rendered (median of %d) | %.0f ms |\n",
                kTimestepStep, kFollowSteps, follow.stepMs);
    std::printf("| … of which the two warm solves (median %.0f products) | %.0f ms |\n", follow.products, follow.solverMs);
    std::printf("| live directions while the timestep is dragged (a step every %.0f ms) | %.1f updates/s (%d of %d moves) |\n",
                kSlowDragMs, follow.updatesPerSecond, follow.updates, follow.moves);
    return 0;
}
