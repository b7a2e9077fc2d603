// latentlens: the desktop application (see ui/MainWindow).
#include <algorithm>
#include <cstdio>
#include <thread>

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "app/gui/ScreenshotScene.h"
#include "core/Runtime.h"
#include "ui/MainWindow.h"

namespace {

// Qt's own warnings go to the same log as ours.
void logQtMessage(QtMsgType type, const QMessageLogContext&, const QString& message) {
    const std::string text = message.toStdString();
    switch (type) {
        case QtDebugMsg: spdlog::debug("Qt: {}", text); break;
        case QtInfoMsg: spdlog::info("Qt: {}", text); break;
        case QtWarningMsg: spdlog::warn("Qt: {}", text); break;
        case QtCriticalMsg:
        case QtFatalMsg: spdlog::error("Qt: {}", text); break;
    }
}

// The command line; --help and --version print and exit from process().
struct Options {
    QCommandLineParser parser;
    QCommandLineOption verbose{QStringLiteral("verbose"), QStringLiteral("Log debug messages")};
    QCommandLineOption model{QStringLiteral("model"),
                             QStringLiteral("Open this model folder at start (default: the embedded fmnist32)"),
                             QStringLiteral("DIR")};
    QCommandLineOption threads{QStringLiteral("threads"),
                               QStringLiteral("LibTorch threads (default: $LATENTLENS_THREADS, else one per core "
                                              "but one, which keeps the window responsive)"),
                               QStringLiteral("N"), QStringLiteral("0")};
    QCommandLineOption demo{QStringLiteral("demo"),
                            QStringLiteral("Start in demo mode: full screen, large sliders, curated edits cycling "
                                           "until a key or mouse press (View > Demo mode, F5)")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  QStringLiteral("Write a PNG of the window after the first image, then quit"),
                                  QStringLiteral("FILE")};
    QCommandLineOption screenshotScene{QStringLiteral("screenshot-scene"),
                                       QStringLiteral("With --screenshot: first, directions, drag or demo"),
                                       QStringLiteral("NAME"), QStringLiteral("first")};

    Options() {
        parser.setApplicationDescription(
            QStringLiteral("LatentLens: see and steer the latent space of diffusion models (pixel models and Stable Diffusion)"));
        parser.addHelpOption();
        parser.addVersionOption();
        screenshot.setFlags(QCommandLineOption::HiddenFromHelp);
        screenshotScene.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOptions({verbose, model, threads, demo, screenshot, screenshotScene});
    }
};

void describeApplication() {
    QCoreApplication::setOrganizationName(QStringLiteral("LatentLens"));
    QCoreApplication::setApplicationName(QStringLiteral("LatentLens"));
    QCoreApplication::setApplicationVersion(QStringLiteral("0.1.0"));
}

bool asksForHelpOrVersion(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray argument(argv[i]);
        if (argument == "-h" || argument == "--help" || argument == "--help-all" || argument == "-v" ||
            argument == "--version" || argument == "-?")
            return true;
    }
    return false;
}

// LibTorch's threads: as asked, else $LATENTLENS_THREADS, else all cores but one. The window's
// own thread needs a core too, and LibTorch's OpenMP teams slow down many times over when a core
// they wait for is busy (measured: 50 steps of fmnist32 took 0.55 s on one thread, 5-30 s on two
// while another process kept one of the two cores busy).
int threadCount(int requested) {
    if (requested > 0 || !qEnvironmentVariableIsEmpty("LATENTLENS_THREADS")) return requested;  // 0: core decides
    return std::max(1, static_cast<int>(std::thread::hardware_concurrency()) - 1);
}

}  // namespace

int main(int argc, char** argv) {
    if (asksForHelpOrVersion(argc, argv)) {  // no display needed for that
        QCoreApplication app(argc, argv);
        describeApplication();
        Options options;
        options.parser.process(app);
        return 0;
    }
    QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    describeApplication();
    Options options;
    options.parser.process(app);
    const auto& parser = options.parser;

    auto logger = spdlog::stderr_color_mt("latentlens");
    spdlog::set_default_logger(logger);
    spdlog::set_level(parser.isSet(options.verbose) ? spdlog::level::debug : spdlog::level::info);
    qInstallMessageHandler(logQtMessage);
    latentlens::configureThreads(threadCount(parser.value(options.threads).toInt()));

    QString modelFolder = parser.value(options.model);
    if (!modelFolder.isEmpty()) modelFolder = QFileInfo(modelFolder).absoluteFilePath();
    latentlens::ui::MainWindow window(modelFolder);
    QApplication::setWindowIcon(window.windowIcon());
    if (parser.isSet(options.screenshot)) {
        window.setShowDialogs(false);
        auto* scene = new ScreenshotScene(window, QFileInfo(parser.value(options.screenshot)).absoluteFilePath(),
                                          parser.value(options.screenshotScene));
        if (!scene->isKnownScene()) {
            spdlog::error("unknown --screenshot-scene {}: use first, directions, drag or demo",
                          parser.value(options.screenshotScene).toStdString());
            return 2;
        }
    }
    if (parser.isSet(options.demo)) {
        window.setDemoMode(true);  // shows the window full screen
    } else {
        window.show();
    }
    return app.exec();
}
