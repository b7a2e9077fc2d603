#include "ui/MainWindow.h"

#include <algorithm>
#include <cstdlib>

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QScreen>
#include <QSettings>
#include <QSignalBlocker>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/model/ModelFolder.h"
#include "io/FrameExport.h"
#include "ui/AnalysisWindow.h"
#include "ui/DemoBanner.h"
#include "ui/DemoDirector.h"
#include "ui/DemoLayout.h"
#include "ui/DirectionsPanel.h"
#include "ui/ImageCanvas.h"
#include "ui/JobProgressWidget.h"
#include "ui/EditMask.h"
#include "ui/MaskPanel.h"
#include "ui/RecentModelsMenu.h"
#include "ui/LatentState.h"
#include "ui/ModelWorker.h"
#include "ui/SliderStack.h"
#include "ui/SourcePanel.h"
#include "ui/TimestepPicker.h"
#include "ui/ViewStateCommand.h"

// The icons are compiled into the static latentlens_ui library: register them before first use
// (Q_INIT_RESOURCE must be called outside any namespace).
static void registerIconResources() {
    static const bool registered = [] {
        Q_INIT_RESOURCE(icons);
        return true;
    }();
    (void)registered;
}

namespace latentlens::ui {
namespace {

constexpr int kDefaultTimestepPercent = 60;  // t = 0.6 T: layout settled, details still open
constexpr int kUndoLimit = 50;
constexpr int kPreviewSize = 128;

// A direction's picture as a see-through overlay: opaque where the direction is strong. One
// channel: the diverging map (white at 0), so strength is the distance from white; RGB: mid-gray
// at 0, so strength is the distance from gray.
QImage directionOverlay(const QImage& picture, bool diverging) {
    QImage rgb = picture.convertToFormat(QImage::Format_RGB32);
    QImage overlay(rgb.size(), QImage::Format_ARGB32);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto* in = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        auto* out = reinterpret_cast<QRgb*>(overlay.scanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const int r = qRed(in[x]), g = qGreen(in[x]), b = qBlue(in[x]);
            const int strength = diverging ? 255 - std::min({r, g, b})
                                           : 2 * std::max({std::abs(r - 128), std::abs(g - 128), std::abs(b - 128)});
            out[x] = qRgba(r, g, b, std::clamp(strength * 3 / 4, 0, 255));
        }
    }
    return overlay;
}

QString secondsText(double seconds) {
    return seconds < 10 ? QString::number(seconds, 'f', 2) + QStringLiteral(" s")
                        : QString::number(seconds, 'f', 1) + QStringLiteral(" s");
}

}  // namespace

MainWindow::MainWindow(const QString& modelFolder, QWidget* parent) : QMainWindow(parent), dialogs_(this) {
    registerIconResources();
    setWindowTitle(tr("LatentLens"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/latentlens-256.png")));
    undoStack_ = new QUndoStack(this);
    undoStack_->setUndoLimit(kUndoLimit);

    createWidgets();
    createActions();
    createMenus();

    worker_ = new ModelWorker;
    worker_->moveToThread(&workerThread_);
    workerThread_.setObjectName(QStringLiteral("ModelWorker"));
    connect(&workerThread_, &QThread::finished, worker_, &QObject::deleteLater);
    connectWorker();
    workerThread_.start();

    director_ = new DemoDirector(*this);
    connect(director_, &DemoDirector::captionChanged, demoBanner_, &DemoBanner::setCaption);
    connect(director_, &DemoDirector::runningChanged, demoBanner_, &DemoBanner::setRunning);
    connect(demoBanner_, &DemoBanner::resumeRequested, director_, &DemoDirector::start);
    connect(demoBanner_, &DemoBanner::exitRequested, this, [this] { setDemoMode(false); });
    demoLayout_ = std::make_unique<DemoLayout>(DemoLayout::Parts{
        this, sourceDock_, directionsDock_, sliderStack_, demoBanner_, canvas_,
        {picker_, preview_, previewCaption_, findChild<QFrame*>(QStringLiteral("timestepSeparator"))},
        sharperPreviewAction_, cancelAction_, demoModeAction_, fullScreenAction_});

    restoreSettings();
    updateActions();

    // After the constructor returns, so whoever made the window can listen to errorShown.
    QTimer::singleShot(0, this, [this, modelFolder] {
        QString folder = modelFolder;
        if (folder.isEmpty()) {
            try {
                folder = QString::fromStdString(ModelFolder::defaultModelPath().string());
            } catch (const Error& e) {
                canvas_->setPlaceholderText(tr("No model loaded.\nOpen a model folder (Ctrl+Shift+O)."));
                showError(tr("No default model"), QString::fromStdString(e.what()));
                return;
            }
        }
        openModelFolder(folder);
    });
}

MainWindow::~MainWindow() {
    worker_->cancel();  // the running job stops at its next U-Net call
    workerThread_.quit();
    workerThread_.wait();
}

void MainWindow::createWidgets() {
    canvas_ = new ImageCanvas(this);
    canvas_->setObjectName(QStringLiteral("imageCanvas"));
    canvas_->setPlaceholderText(tr("Loading the model…"));
    canvas_->setToolTip(tr("Wheel: zoom · drag: pan · double-click: fit · drop an image file to open it"));

    picker_ = new TimestepPicker(this);
    picker_->setObjectName(QStringLiteral("timestepPicker"));

    preview_ = new ImageCanvas(this);
    preview_->setObjectName(QStringLiteral("predictionCanvas"));
    preview_->setInteractive(false);
    preview_->setFixedSize(kPreviewSize, kPreviewSize);
    preview_->setToolTip(
        tr("The clean image x₀ that the noisy latent x_t predicts in one U-Net call.\n"
           "At high t it shows the coarse layout the model has settled on; at low t, the details."));
    previewCaption_ = new QLabel(this);
    previewCaption_->setAlignment(Qt::AlignCenter);
    previewCaption_->setToolTip(preview_->toolTip());

    auto* previewColumn = new QVBoxLayout;
    previewColumn->setSpacing(2);
    previewColumn->addWidget(preview_, 0, Qt::AlignHCenter);
    previewColumn->addWidget(previewCaption_);

    auto* bottom = new QHBoxLayout;
    bottom->setContentsMargins(12, 6, 12, 6);
    bottom->setSpacing(16);
    bottom->addWidget(picker_, 1, Qt::AlignVCenter);
    bottom->addLayout(previewColumn);

    auto* separator = new QFrame(this);
    separator->setObjectName(QStringLiteral("timestepSeparator"));
    separator->setFrameShape(QFrame::HLine);
    separator->setFrameShadow(QFrame::Sunken);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    sliderStack_ = new SliderStack(this);
    sliderStack_->setObjectName(QStringLiteral("sliderStack"));
    demoBanner_ = new DemoBanner(this);
    demoBanner_->hide();
    layout->addWidget(demoBanner_);
    layout->addWidget(canvas_, 1);
    layout->addWidget(sliderStack_);
    layout->addWidget(separator);
    layout->addLayout(bottom);
    setCentralWidget(central);

    sourcePanel_ = new SourcePanel(this);
    sourcePanel_->setObjectName(QStringLiteral("sourcePanel"));
    sourceDock_ = new QDockWidget(tr("Source"), this);
    sourceDock_->setObjectName(QStringLiteral("sourceDock"));
    sourceDock_->setWidget(sourcePanel_);
    sourceDock_->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                             QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::LeftDockWidgetArea, sourceDock_);

    directionsPanel_ = new DirectionsPanel(this);
    directionsPanel_->setObjectName(QStringLiteral("directionsPanel"));
    directionsDock_ = new QDockWidget(tr("Directions"), this);
    directionsDock_->setObjectName(QStringLiteral("directionsDock"));
    directionsDock_->setWidget(directionsPanel_);
    directionsDock_->setFeatures(sourceDock_->features());
    addDockWidget(Qt::RightDockWidgetArea, directionsDock_);
    maskPanel_ = new MaskPanel(*canvas_, *undoStack_, this);
    maskPanel_->setObjectName(QStringLiteral("maskPanel"));
    directionsPanel_->addSection(tr("Local edit (paint a mask)"), maskPanel_, false);

    jobProgress_ = new JobProgressWidget(this);
    jobProgress_->setObjectName(QStringLiteral("jobProgress"));
    statusLabel_ = new QLabel(this);
    statusLabel_->setObjectName(QStringLiteral("statusLabel"));
    statusBar()->addWidget(statusLabel_, 1);
    statusBar()->addPermanentWidget(jobProgress_);

    picker_->setTimestep(picker_->trainTimesteps() * kDefaultTimestepPercent / 100);
    previewCaption_->setText(tr("Predicted x₀"));

    connect(sourcePanel_, &SourcePanel::openModelRequested, this, &MainWindow::chooseModelFolder);
    connect(sourcePanel_, &SourcePanel::generateRequested, this, &MainWindow::generate);
    connect(sourcePanel_, &SourcePanel::randomSeedRequested, this, &MainWindow::generateRandomSeed);
    connect(sourcePanel_, &SourcePanel::openImageRequested, this, &MainWindow::chooseImage);
    connect(picker_, &TimestepPicker::timestepChosen, this, &MainWindow::showTimestep);
    connect(canvas_, &ImageCanvas::fileDropped, this,
            [this](const QString& path) { QFileInfo(path).isDir() ? openModelFolder(path) : openImage(path); });
    connect(jobProgress_, &JobProgressWidget::cancelRequested, this, &MainWindow::cancelJobs);
    connect(directionsPanel_, &DirectionsPanel::findRequested, this, [this] { findDirections(); });
    connect(directionsPanel_, &DirectionsPanel::cancelRequested, this, &MainWindow::cancelJobs);
    connect(maskPanel_, &MaskPanel::findInMaskRequested, this, [this] { findDirectionsInMask(); });
    connect(directionsPanel_, &DirectionsPanel::cardClicked, this, &MainWindow::addDirectionSlider);
    connect(sliderStack_, &SliderStack::previewRequested, this, &MainWindow::previewSliders);
    connect(sliderStack_, &SliderStack::commitRequested, this, &MainWindow::commitSliders);
    connect(sliderStack_, &SliderStack::showOriginalToggled, this, [this] { showCanvasImage(); });
}

void MainWindow::createActions() {
    const auto make = [this](const QString& name, const QString& text, const QKeySequence& shortcut,
                             const QString& tip) {
        auto* action = new QAction(text, this);
        action->setObjectName(name);
        if (!shortcut.isEmpty()) action->setShortcut(shortcut);
        action->setStatusTip(tip);
        addAction(action);  // shortcuts work even with the menu bar hidden (full screen)
        return action;
    };
    openModelAction_ = make(QStringLiteral("actionOpenModel"), tr("Open &model folder…"),
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O),
                            tr("Load a diffusers UNet2DModel folder or a Stable Diffusion pipeline folder"));
    openImageAction_ = make(QStringLiteral("actionOpenImage"), tr("&Open image…"), QKeySequence(Qt::CTRL | Qt::Key_O),
                            tr("Fit an image file to the model and invert it to t"));
    exportAction_ = make(QStringLiteral("actionExport"), tr("&Image PNG…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                         tr("Write the image on the canvas (with its edits) to a PNG file"));
    exportTraversalAction_ =
        make(QStringLiteral("actionExportTraversal"), tr("&Traversal (strip, GIF or MP4)…"),
             QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), tr("The image along the active direction from −α to +α"));
    exportBasisAction_ = make(QStringLiteral("actionExportBasis"), tr("&Basis folder…"), {},
                              tr("The directions as .npy files with basis.json and a directions.png sheet"));
    saveSessionAction_ = make(QStringLiteral("actionSaveSession"), tr("&Save session…"), QKeySequence(Qt::CTRL | Qt::Key_S),
                              tr("A folder with the model, the image source, t, the directions and the sliders"));
    openSessionAction_ = make(QStringLiteral("actionOpenSession"), tr("Open se&ssion…"),
                              QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_O), tr("Restore a saved session exactly"));
    findDirectionsAction_ = make(QStringLiteral("actionFindDirections"), tr("Find &directions"),
                                 QKeySequence(Qt::CTRL | Qt::Key_D), tr("Find the directions at the image's x_t"));
    findInMaskAction_ = make(QStringLiteral("actionFindDirectionsInMask"), tr("Find directions in the &mask"),
                             QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_D),
                             tr("Directions that change the painted region and barely the rest (LOCO Edit)"));
    connect(findInMaskAction_, &QAction::triggered, this, [this] { findDirectionsInMask(); });
    for (QAction* action : maskPanel_->maskActions()) addAction(action);  // shortcuts without the menu
    sharperPreviewAction_ = make(QStringLiteral("actionSharperPreview"), tr("S&harper drag preview (10 steps)"), {},
                                 tr("Preview drags with a 10-step denoise instead of the one-call x̂0 (slower)"));
    sharperPreviewAction_->setCheckable(true);
    followTimestepAction_ = make(QStringLiteral("actionFollowTimestep"), tr("Directions &follow the timestep"), {},
                                 tr("When the timestep changes, recompute the directions there from the current ones "
                                    "(in the background; sliders stay on their directions)"));
    followTimestepAction_->setCheckable(true);
    followTimestepAction_->setChecked(true);
    overlayAction_ = make(QStringLiteral("actionOverlayDirection"), tr("&Overlay the active direction"),
                          QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
                          tr("Show where the active direction changes the image (red brightens, blue darkens)"));
    overlayAction_->setCheckable(true);
    connect(overlayAction_, &QAction::toggled, this, [this] { showCanvasImage(); });
    quitAction_ =
        make(QStringLiteral("actionQuit"), tr("&Quit"), QKeySequence(Qt::CTRL | Qt::Key_Q), tr("Quit LatentLens"));
    quitAction_->setMenuRole(QAction::QuitRole);

    undoAction_ = undoStack_->createUndoAction(this, tr("&Undo"));
    undoAction_->setObjectName(QStringLiteral("actionUndo"));
    undoAction_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Z));
    redoAction_ = undoStack_->createRedoAction(this, tr("&Redo"));
    redoAction_->setObjectName(QStringLiteral("actionRedo"));
    redoAction_->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    addAction(undoAction_);
    addAction(redoAction_);

    generateAction_ = make(QStringLiteral("actionGenerate"), tr("&Generate"), QKeySequence(Qt::CTRL | Qt::Key_G),
                           tr("Generate the image of the seed"));
    randomSeedAction_ = make(QStringLiteral("actionRandomSeed"), tr("&Random seed"), QKeySequence(Qt::CTRL | Qt::Key_R),
                             tr("Pick a random seed and generate"));
    cancelAction_ =
        make(QStringLiteral("actionCancel"), tr("&Cancel"), QKeySequence(Qt::Key_Escape), tr("Stop the running job"));

    fullScreenAction_ = make(QStringLiteral("actionFullScreen"), tr("&Full screen"), QKeySequence(Qt::Key_F11),
                             tr("Fill the screen with the window"));
    fullScreenAction_->setCheckable(true);
    zoomInAction_ = make(QStringLiteral("actionZoomIn"), tr("Zoom &in"), QKeySequence::ZoomIn, tr("Enlarge the image"));
    zoomInAction_->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    zoomOutAction_ =
        make(QStringLiteral("actionZoomOut"), tr("Zoom &out"), QKeySequence::ZoomOut, tr("Shrink the image"));
    zoomFitAction_ = make(QStringLiteral("actionZoomFit"), tr("&Fit to window"), QKeySequence(Qt::CTRL | Qt::Key_0),
                          tr("Largest sharp zoom that fits the window"));
    actualSizeAction_ = make(QStringLiteral("actionActualSize"), tr("&Actual pixels"),
                             QKeySequence(Qt::CTRL | Qt::Key_1), tr("One screen pixel per image pixel"));
    aboutAction_ = make(QStringLiteral("actionAbout"), tr("&About LatentLens"), {}, tr("What LatentLens is"));
    aboutAction_->setMenuRole(QAction::AboutRole);
    demoModeAction_ = make(QStringLiteral("actionDemoMode"), tr("&Demo mode"), QKeySequence(Qt::Key_F5),
                           tr("Full screen with large sliders, cycling curated edits until you touch a control"));
    demoModeAction_->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M)});
    demoModeAction_->setCheckable(true);
    analysisAction_ = make(QStringLiteral("actionAnalysis"), tr("&Analysis…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A),
                           tr("Analyses of the current model's latent space in a window of their own"));

    connect(openModelAction_, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    connect(openImageAction_, &QAction::triggered, this, &MainWindow::chooseImage);
    connect(exportAction_, &QAction::triggered, this, &MainWindow::chooseExportFile);
    connect(exportTraversalAction_, &QAction::triggered, this, &MainWindow::chooseTraversalFile);
    connect(exportBasisAction_, &QAction::triggered, this, &MainWindow::chooseBasisFolder);
    connect(saveSessionAction_, &QAction::triggered, this, &MainWindow::chooseSessionToSave);
    connect(openSessionAction_, &QAction::triggered, this, &MainWindow::chooseSessionToOpen);
    connect(findDirectionsAction_, &QAction::triggered, this, [this] { findDirections(); });
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);
    connect(generateAction_, &QAction::triggered, this, &MainWindow::generate);
    connect(randomSeedAction_, &QAction::triggered, this, &MainWindow::generateRandomSeed);
    connect(cancelAction_, &QAction::triggered, this, &MainWindow::cancelJobs);
    connect(fullScreenAction_, &QAction::toggled, this, &MainWindow::toggleFullScreen);
    connect(zoomInAction_, &QAction::triggered, canvas_, &ImageCanvas::zoomIn);
    connect(zoomOutAction_, &QAction::triggered, canvas_, &ImageCanvas::zoomOut);
    connect(zoomFitAction_, &QAction::triggered, canvas_, &ImageCanvas::fitToWindow);
    connect(actualSizeAction_, &QAction::triggered, canvas_, &ImageCanvas::showActualSize);
    connect(aboutAction_, &QAction::triggered, this, &MainWindow::showAbout);
    connect(demoModeAction_, &QAction::toggled, this, &MainWindow::setDemoMode);
    connect(analysisAction_, &QAction::triggered, this, &MainWindow::showAnalysisWindow);
}

void MainWindow::createMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openModelAction_);
    recentModels_ = new RecentModelsMenu(this);
    connect(recentModels_, &RecentModelsMenu::modelChosen, this, &MainWindow::openModelFolder);
    file->addMenu(recentModels_);
    file->addAction(openImageAction_);
    file->addSeparator();
    file->addAction(openSessionAction_);
    file->addAction(saveSessionAction_);
    file->addSeparator();
    auto* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(exportAction_);
    exportMenu->addAction(exportTraversalAction_);
    exportMenu->addAction(exportBasisAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(undoAction_);
    edit->addAction(redoAction_);
    edit->addSeparator();
    auto* maskMenu = edit->addMenu(tr("&Mask"));
    maskMenu->addActions(maskPanel_->maskActions());

    auto* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(generateAction_);
    run->addAction(randomSeedAction_);
    run->addAction(findDirectionsAction_);
    run->addAction(findInMaskAction_);
    run->addAction(followTimestepAction_);
    run->addAction(analysisAction_);
    run->addSeparator();
    run->addAction(cancelAction_);

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(zoomInAction_);
    view->addAction(zoomOutAction_);
    view->addAction(zoomFitAction_);
    view->addAction(actualSizeAction_);
    view->addSeparator();
    view->addAction(fullScreenAction_);
    view->addAction(demoModeAction_);
    view->addAction(sharperPreviewAction_);
    view->addAction(overlayAction_);
    view->addSeparator();
    auto* panels = sourceDock_->toggleViewAction();
    panels->setText(tr("&Source panel"));
    view->addAction(panels);
    auto* directionsToggle = directionsDock_->toggleViewAction();
    directionsToggle->setText(tr("&Directions panel"));
    view->addAction(directionsToggle);

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutAction_);
}

void MainWindow::connectWorker() {
    connect(worker_, &ModelWorker::jobStarted, this, [this](quint64 job, const QString& description) {
        if (jobs_.isPending(job)) jobProgress_->start(description);
    });
    connect(worker_, &ModelWorker::progress, this, [this](quint64 job, double fraction, const QString& message) {
        if (!jobs_.isPending(job)) return;
        jobProgress_->setProgress(fraction, message);
        const auto kind = jobs_.kindOf(job);
        if ((kind == JobKind::Basis || kind == JobKind::Follow) && jobs_.isCurrent(job))
            directionsPanel_->setProgress(fraction, message);
    });
    connect(worker_, &ModelWorker::directionsReady, this, &MainWindow::onDirectionsReady);
    refineTimer_ = new QTimer(this);
    refineTimer_->setSingleShot(true);
    refineTimer_->setInterval(kRefineAfterMs);
    connect(refineTimer_, &QTimer::timeout, this, &MainWindow::refineLiveDirections);
    connect(worker_, &ModelWorker::previewReady, this, &MainWindow::onPreviewReady);
    connect(worker_, &ModelWorker::editReady, this, &MainWindow::onEditReady);
    connect(worker_, &ModelWorker::sessionOpened, this, &MainWindow::onSessionOpened);
    connect(worker_, &ModelWorker::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(worker_, &ModelWorker::imageReady, this, &MainWindow::onImageReady);
    connect(worker_, &ModelWorker::timestepReady, this, &MainWindow::onTimestepReady);
    connect(worker_, &ModelWorker::exported, this, [this](quint64, const QString& path, double seconds) {
        setStatus(tr("Exported %1 in %2").arg(QFileInfo(path).fileName(), secondsText(seconds)));
    });
    connect(worker_, &ModelWorker::failed, this, &MainWindow::onFailed);
    connect(worker_, &ModelWorker::cancelled, this, [this](quint64 job) {
        if (jobs_.isLatest(job)) setStatus(tr("Cancelled"));  // not when a newer request replaced it
    });
    connect(worker_, &ModelWorker::jobEnded, this, &MainWindow::onJobEnded);
}

// --- requests ---------------------------------------------------------------------------------

quint64 MainWindow::track(quint64 job, JobKind kind) {
    jobs_.track(job, kind);
    updateActions();
    return job;
}

bool MainWindow::requireModel() {
    if (!model_.isNull() || jobs_.isRunning(JobKind::LoadModel)) return true;
    setStatus(tr("Open a model folder first (Ctrl+Shift+O)"));
    return false;
}

void MainWindow::openModelFolder(const QString& folder) {
    if (folder.isEmpty()) return;
    if (model_.isNull()) sourcePanel_->setModelLoading(QDir(folder).dirName());  // else the current one stays
    track(worker_->loadModel(folder), JobKind::LoadModel);
}

void MainWindow::openImage(const QString& path) {
    if (path.isEmpty() || !requireModel()) return;
    track(worker_->invertImage(path, picker_->timestep(), sourcePanel_->steps(), sourcePanel_->prompt()), JobKind::Image);
}

void MainWindow::generate() {
    if (!requireModel()) return;
    track(worker_->generate(static_cast<quint64>(sourcePanel_->seed()), sourcePanel_->steps(), sourcePanel_->eta(),
                            picker_->timestep(), sourcePanel_->prompt()),
          JobKind::Image);
}

void MainWindow::generateSeed(int seed) {
    sourcePanel_->setSeed(seed);
    generate();
}

void MainWindow::generateRandomSeed() {
    sourcePanel_->setSeed(static_cast<int>(QRandomGenerator::global()->bounded(1'000'000)));
    generate();
}

void MainWindow::showTimestep(int timestep) {
    if (picker_->timestep() != timestep) picker_->setTimestep(timestep);
    if (current_.isNull() || current_.timestep == timestep) {
        jobs_.supersede(JobKind::Timestep);  // whatever is in flight is no longer wanted
        return;
    }
    refineTimer_->stop();  // the live directions of this timestep are not wanted refined
    track(worker_->computeAtTimestep(current_, timestep), JobKind::Timestep);
}

void MainWindow::findDirections(int k) {
    auto request = directionsPanel_->request();
    if (k > 0) request.k = k;
    findDirectionsWith(request);
}

void MainWindow::findDirectionsInMask(int k) {
    if (current_.isNull()) return;
    if (const QString problem = maskPanel_->problem(); !problem.isEmpty()) {
        setStatus(problem);
        return;
    }
    auto request = directionsPanel_->request();
    if (k > 0) request.k = k;
    request.mask = maskPanel_->mask().image();
    request.nullRank = maskPanel_->nullRank();
    findDirectionsWith(request);
}

void MainWindow::findDirectionsWith(const DirectionRequest& request) {
    if (current_.isNull()) {
        setStatus(tr("Generate or open an image first (Ctrl+G)"));
        return;
    }
    directionsPanel_->setRunning(true);
    if (!demoMode_) directionsDock_->show();  // demo mode shows the canvas only
    track(worker_->findDirections(current_, request), JobKind::Basis);
}

void MainWindow::addDirectionSlider(int direction) {
    if (current_.isNull() || !current_.directions || direction < 0 || direction >= current_.directions->count())
        return;
    setActiveDirection(direction);
    // From the stack, not the view state: a slider just released may still be rendering.
    auto sliders = sliderStack_->sliders();
    if (sliders.contains(direction)) return;
    sliders.append(direction);
    auto alphas = sliderStack_->alphas();
    alphas[direction] = 0.0;
    commitSliders(sliders, alphas, direction);
}

bool MainWindow::placeSlider(int direction, double alpha, QList<int>& sliders, QMap<int, double>& alphas) {
    if (current_.isNull() || !current_.directions || direction < 0 || direction >= current_.directions->count())
        return false;
    sliders = sliderStack_->sliders();
    if (!sliders.contains(direction)) sliders.append(direction);
    alphas = sliderStack_->alphas();
    alphas[direction] = std::clamp(alpha, -DirectionSet::kAlphaMax, DirectionSet::kAlphaMax);
    sliderStack_->setSliders(current_.directions, sliders, alphas);  // the handle moves; nothing is emitted
    return true;
}

void MainWindow::setDirectionAlpha(int direction, double alpha) {
    QList<int> sliders;
    QMap<int, double> alphas;
    if (placeSlider(direction, alpha, sliders, alphas)) commitSliders(sliders, alphas, direction);
}

void MainWindow::previewDirectionAlpha(int direction, double alpha) {
    QList<int> sliders;
    QMap<int, double> alphas;
    if (placeSlider(direction, alpha, sliders, alphas)) previewSliders(alphas, direction);
}

void MainWindow::previewSliders(const QMap<int, double>& alphas, int direction) {
    if (current_.isNull() || !current_.directions) return;
    setActiveDirection(direction);
    if (sliderStack_->showsOriginal()) sliderStack_->setShowsOriginal(false);
    track(worker_->previewEdit(current_, alphas, sharperPreviewAction_->isChecked()), JobKind::Preview);
}

void MainWindow::commitSliders(const QList<int>& sliders, const QMap<int, double>& alphas, int direction) {
    if (current_.isNull() || !current_.directions) return;
    if (direction >= 0) setActiveDirection(direction);
    // Supersedes the previews asked for before it (JobPolicy).
    track(worker_->finalEdit(current_, sliders, alphas), JobKind::FinalEdit);
}

void MainWindow::exportImage(const QString& path, int upscale) {
    if (current_.isNull() || path.isEmpty()) return;
    if (current_.hasEdit()) {
        track(worker_->exportPicture(current_.edited, path, upscale), JobKind::Export);
    } else {
        track(worker_->exportImage(current_.latents, path, upscale), JobKind::Export);
    }
}

void MainWindow::exportTraversal(const QString& path, int direction, int frames, int upscale) {
    if (current_.isNull() || !current_.directions || path.isEmpty()) {
        setStatus(tr("Find directions first (Ctrl+D): a traversal moves along one of them"));
        return;
    }
    if (direction < 0) direction = activeDirection_ >= 0 ? activeDirection_ : 0;
    if (direction >= current_.directions->count()) return;
    if (frames <= 0) frames = isStripPath(std::filesystem::path(path.toStdString())) ? 9 : 31;
    track(worker_->exportTraversal(current_, direction, DirectionSet::kAlphaMax, frames, 15.0, path, upscale),
          JobKind::Export);
}

void MainWindow::exportBasis(const QString& folder) {
    if (current_.isNull() || !current_.directions || folder.isEmpty()) {
        setStatus(tr("Find directions first (Ctrl+D)"));
        return;
    }
    track(worker_->exportBasis(current_, folder), JobKind::Export);
}

void MainWindow::saveSession(const QString& folder) {
    if (current_.isNull() || folder.isEmpty()) return;
    track(worker_->saveSession(current_, model_.folder, folder, maskPanel_->mask().image()), JobKind::Export);
}

void MainWindow::openSession(const QString& folder) {
    if (folder.isEmpty()) return;
    track(worker_->openSession(folder), JobKind::Session);
}

void MainWindow::cancelJobs() {
    if (jobs_.isIdle()) return;
    worker_->cancel();
    jobProgress_->setProgress(0.0, tr("Cancelling…"));
}

// --- dialogs ----------------------------------------------------------------------------------

void MainWindow::chooseModelFolder() {
    const QString folder = dialogs_.openFolder(FileDialogs::Purpose::Model, tr("Open model folder"), model_.folder);
    if (!folder.isEmpty()) openModelFolder(folder);
}

void MainWindow::chooseImage() {
    if (!requireModel()) return;
    const QString path = dialogs_.openFile(
        FileDialogs::Purpose::Image, tr("Open image"),
        tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"));
    if (!path.isEmpty()) openImage(path);
}

void MainWindow::chooseExportFile() {
    if (current_.isNull()) return;
    QString name = current_.seed >= 0 ? QStringLiteral("%1-seed%2.png").arg(model_.name).arg(current_.seed)
                                      : QFileInfo(current_.source).completeBaseName() + QStringLiteral("-lens.png");
    QString path =
        dialogs_.saveFile(FileDialogs::Purpose::Export, tr("Export image PNG"), name, tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".png");
    QSettings settings;
    const int size = std::max(1, current_.image.width());
    const int suggested = settings.value(QStringLiteral("export/upscale"), std::max(1, 512 / size)).toInt();
    bool ok = false;
    const int upscale = QInputDialog::getInt(this, tr("Export image PNG"),
                                             tr("Enlarge %1×%1 pixels by (nearest-neighbour, stays sharp):").arg(size),
                                             suggested, 1, 64, 1, &ok);
    if (!ok) return;
    dialogs_.remember(FileDialogs::Purpose::Export, path);
    settings.setValue(QStringLiteral("export/upscale"), upscale);
    exportImage(path, upscale);
}

void MainWindow::chooseTraversalFile() {
    if (current_.isNull() || !current_.directions) {
        setStatus(tr("Find directions first (Ctrl+D): a traversal moves along one of them"));
        return;
    }
    const int direction = activeDirection_ >= 0 ? activeDirection_ : 0;
    const QString name = QStringLiteral("%1-direction%2.gif")
                             .arg(current_.seed >= 0 ? QStringLiteral("seed%1").arg(current_.seed)
                                                     : QFileInfo(current_.source).completeBaseName())
                             .arg(direction + 1);
    QString path = dialogs_.saveFile(FileDialogs::Purpose::Export,
                                     tr("Export the traversal of direction %1").arg(direction + 1), name,
                                     tr("GIF animation (*.gif);;MP4 video (*.mp4);;Strip of 9 frames (*.png)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".gif");
    dialogs_.remember(FileDialogs::Purpose::Export, path);
    const int size = std::max(1, current_.image.width());
    exportTraversal(path, direction, 0, std::max(1, 256 / size));
}

void MainWindow::chooseBasisFolder() {
    if (current_.isNull() || !current_.directions) {
        setStatus(tr("Find directions first (Ctrl+D)"));
        return;
    }
    const QString folder = dialogs_.saveFile(FileDialogs::Purpose::Export, tr("Export the basis to a new folder"),
                                             QStringLiteral("basis-t%1").arg(current_.timestep));
    if (folder.isEmpty()) return;
    dialogs_.remember(FileDialogs::Purpose::Export, folder);
    exportBasis(folder);
}

void MainWindow::chooseSessionToSave() {
    if (current_.isNull()) return;
    const QString name = current_.seed >= 0 ? QStringLiteral("session-seed%1").arg(current_.seed)
                                            : QStringLiteral("session-%1").arg(QFileInfo(current_.source).completeBaseName());
    const QString folder = dialogs_.saveFile(FileDialogs::Purpose::Session, tr("Save the session as a folder"), name);
    if (folder.isEmpty()) return;
    dialogs_.remember(FileDialogs::Purpose::Session, folder);
    saveSession(folder);
}

void MainWindow::chooseSessionToOpen() {
    const QString folder = dialogs_.openFolder(FileDialogs::Purpose::Session, tr("Open a session folder"));
    if (!folder.isEmpty()) openSession(folder);
}

void MainWindow::toggleFullScreen(bool fullScreen) {
    if (!fullScreen && demoMode_) {
        setDemoMode(false);  // demo mode is full screen: F11 leaves it
        return;
    }
    if (fullScreen) {
        wasMaximized_ = isMaximized();
        showFullScreen();
    } else if (wasMaximized_) {
        showMaximized();
    } else {
        showNormal();
    }
}

void MainWindow::showAbout() {
    QMessageBox::about(
        this, tr("About LatentLens"),
        tr("<h3>LatentLens %1</h3>"
           "<p>See and steer the latent space of pixel-space diffusion models: generate and invert images "
           "with DDIM, look at what the noisy latent x<sub>t</sub> already decides at every timestep, find the "
           "directions of x<sub>t</sub> that change the image most and steer it along them with sliders.</p>"
           "<p>Built on the ideas of Yong-Hyun Park, Mingi Kwon, Jaewoong Choi, Junghyo Jo and Youngjung Uh, "
           "<i>Understanding the Latent Space of Diffusion Models through the Lens of Riemannian Geometry</i>, "
           "NeurIPS 2023 (arXiv:2307.12868).</p>"
           "<p>Model: %2</p>")
            .arg(QApplication::applicationVersion(),
                 model_.isNull() ? tr("none loaded") : model_.name.toHtmlEscaped()));
}

// --- results ----------------------------------------------------------------------------------

void MainWindow::showModel(const ModelInfo& info) {
    model_ = info;
    sourcePanel_->setModelInfo(info);
    sourcePanel_->setTrainTimesteps(info.trainTimesteps);
    directionsPanel_->setModelInfo(info);
    const bool sameRange = picker_->trainTimesteps() == info.trainTimesteps;
    picker_->setTrainTimesteps(info.trainTimesteps);
    if (!sameRange) picker_->setTimestep(info.trainTimesteps * kDefaultTimestepPercent / 100);
    setWindowTitle(tr("%1 — LatentLens").arg(info.name));
    if (analysisWindow_) analysisWindow_->setModelFolder(info.folder);
    // Images of the previous model cannot be moved in time or undone into with this one.
    undoStack_->clear();
    current_ = {};
}

void MainWindow::onModelLoaded(quint64 job, const ModelInfo& info) {
    if (!jobs_.isCurrent(job)) return;  // a newer model request follows
    showModel(info);
    recentModels_->add(info.folder);
    canvas_->setPlaceholderText(tr("Generating…"));
    setStatus(tr("Loaded model %1").arg(info.name));
    emit modelChanged(info);
    generate();
}

void MainWindow::onImageReady(quint64 job, const ViewState& state, double seconds, const QString& note) {
    if (!jobs_.isCurrent(job)) return;  // superseded by a newer image request
    const bool generated = state.seed >= 0;
    const QString text = generated ? tr("Generate seed %1").arg(state.seed) : tr("Open %1").arg(state.source);
    if (current_.isNull()) {
        applyViewState(state);  // the first image of a model: nothing to go back to
    } else {
        undoStack_->push(new ViewStateCommand(ViewStateCommand::Kind::NewImage, text, current_, state,
                                              [this](const ViewState& view) { applyViewState(view); }));
    }
    if (generated) {
        setStatus(tr("Generated seed %1 in %2").arg(state.seed).arg(secondsText(seconds)));
    } else {
        setStatus(tr("Opened %1%2 and inverted it to t = %3 in %4")
                      .arg(state.source, note.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(note))
                      .arg(state.timestep)
                      .arg(secondsText(seconds)));
    }
    if (picker_->timestep() != state.timestep) showTimestep(picker_->timestep());  // moved meanwhile
}

void MainWindow::onTimestepReady(quint64 job, const ViewState& state, double seconds) {
    if (!jobs_.isCurrent(job) || current_.isNull() || !state.latents ||
        state.latents->imageId != current_.latents->imageId)
        return;  // stale: another timestep or image was asked for since
    const auto& from = followFrom_.directions;
    const bool follow = followTimestepAction_->isChecked() && from && !state.directions &&
                        from->imageId == state.latents->imageId && from->timestep != state.timestep;
    followPending_ = follow;
    undoStack_->push(new ViewStateCommand(ViewStateCommand::Kind::Timestep, tr("Timestep %1").arg(state.timestep),
                                          current_, state, [this](const ViewState& view) { applyViewState(view); }));
    setStatus(tr("Predicted x₀ at t = %1 in %2").arg(state.timestep).arg(secondsText(seconds)));
    if (follow) followDirections();
}

void MainWindow::followDirections() {
    if (current_.isNull() || !followFrom_.directions) return;
    directionsPanel_->setRunning(true);
    track(worker_->followDirections(current_, followFrom_.directions, followFrom_.sliders, followFrom_.alphas,
                                    directionsPanel_->request()),
          JobKind::Follow);
}

void MainWindow::onDirectionsReady(quint64 job, const ViewState& state, double seconds) {
    if (!jobs_.isCurrent(job) || current_.isNull() || !state.latents || state.latents != current_.latents) return;
    const auto& found = *state.directions;
    if (found.isFollowed()) {
        // A live set first, then its refinement, which replaces it in the same undo step.
        const bool refined = current_.directions && current_.directions->live && !found.live;
        undoStack_->push(new ViewStateCommand(refined ? ViewStateCommand::Kind::Refinement
                                                      : ViewStateCommand::Kind::Directions,
                                              tr("Directions at t = %1").arg(state.timestep), current_, state,
                                              [this](const ViewState& view) { applyViewState(view); }));
        const int rematched = found.rematchedCount();
        const QString what = found.live ? tr("Followed %1 directions from t = %2 to t = %3 in %4 (%5 Jacobian products%6); "
                                             "refining them and their cards…")
                             : refined ? tr("Updated %1 directions from t = %2 to t = %3: refined and rendered in %4 "
                                            "(%5 Jacobian products in all%6)")
                                       : tr("Updated %1 directions from t = %2 to t = %3 in %4 (%5 Jacobian products%6)");
        setStatus(what.arg(found.count())
                      .arg(found.followedTimestep)
                      .arg(state.timestep)
                      .arg(secondsText(seconds))
                      .arg(found.products)
                      .arg(rematched == 0 ? QString() : tr(", %n re-matched", nullptr, rematched)));
        if (found.live) refineTimer_->start();  // unless the timestep moves on first
        return;
    }
    undoStack_->push(new ViewStateCommand(ViewStateCommand::Kind::Directions,
                                          tr("Find %1 directions").arg(found.count()), current_, state,
                                          [this](const ViewState& view) { applyViewState(view); }));
    setStatus(tr("Found %1 directions at t = %2 in %3 (%4 Jacobian products, worst residual %5)")
                  .arg(found.count())
                  .arg(state.timestep)
                  .arg(secondsText(seconds))
                  .arg(found.products)
                  .arg(found.worstResidual, 0, 'g', 2));
}

void MainWindow::refineLiveDirections() {
    const bool live = !current_.isNull() && current_.directions && current_.directions->live;
    if (!live || jobs_.isRunning(JobKind::Timestep) || jobs_.isRunning(JobKind::Follow)) {
        settleIfIdle();  // undone meanwhile, or the timestep moves on
        return;
    }
    directionsPanel_->setRunning(true);
    track(worker_->refineDirections(current_, directionsPanel_->request()), JobKind::Basis);
}

void MainWindow::onPreviewReady(quint64 job, const QImage& image, double seconds) {
    if (!jobs_.isCurrent(job) || current_.isNull()) return;  // a release or another view came since
    jobs_.shown(job);
    canvas_->setImage(image);
    canvas_->setCaption(demoMode_ ? QString()  // the demo banner says what is shown
                        : model_.latentPreview
                            ? tr("%1 · quick preview (latent → RGB map, approximate colours) · release the slider to "
                                 "decode it exactly")
                                  .arg(current_.source)
                            : tr("%1 · quick preview (soft) · release the slider to render it sharp").arg(current_.source));
    // Not logged: up to 60 a second.
    statusLabel_->setText(tr("Previewing (%1 ms a frame) · release the slider to render it sharp")
                              .arg(seconds * 1000.0, 0, 'f', 1));
    emit previewShown(seconds);
}

void MainWindow::onEditReady(quint64 job, const ViewState& state, double seconds) {
    if (!jobs_.isCurrent(job) || current_.isNull() || state.latents != current_.latents ||
        state.directions != current_.directions)
        return;
    if (state.sliders == current_.sliders && state.alphas == current_.alphas) {
        applyViewState(state);  // nothing changed: put the rendered image back over the previews
        return;
    }
    QString text;
    if (state.sliders.size() > current_.sliders.size()) {
        text = tr("Add slider %1").arg(state.sliders.last() + 1);
    } else if (state.sliders.size() < current_.sliders.size()) {
        text = tr("Remove a slider");
    } else if (std::all_of(state.alphas.begin(), state.alphas.end(), [](double a) { return a == 0.0; })) {
        text = tr("Reset all sliders");
    } else {
        text = tr("Move sliders");
        for (auto it = state.alphas.begin(); it != state.alphas.end(); ++it) {
            if (current_.alphas.value(it.key(), 0.0) != it.value())
                text = tr("Direction %1 to α %2").arg(it.key() + 1).arg(it.value(), 0, 'f', 2);
        }
    }
    undoStack_->push(new ViewStateCommand(ViewStateCommand::Kind::Sliders, text, current_, state,
                                          [this](const ViewState& view) { applyViewState(view); }));
    setStatus(state.hasEdit() ? tr("Rendered the edit in %1").arg(secondsText(seconds)) : text);
}

void MainWindow::onSessionOpened(quint64 job, const ModelInfo& info, const ViewState& state, double seconds,
                                 const QImage& mask) {
    if (!jobs_.isCurrent(job)) return;
    if (!info.isNull()) {
        showModel(info);
        recentModels_->add(info.folder);
    }
    if (state.latents) {
        sourcePanel_->setSteps(static_cast<int>(state.latents->steps));
        sourcePanel_->setEta(state.latents->eta);
        if (!state.latents->prompt.empty() || !state.latents->sampling.isUnconditional()) {
            sourcePanel_->setPrompt({QString::fromStdString(state.latents->prompt),
                                     QString::fromStdString(state.latents->negativePrompt), state.latents->guidance});
        }
    }
    if (current_.isNull()) {
        applyViewState(state);
    } else {
        undoStack_->push(new ViewStateCommand(ViewStateCommand::Kind::NewImage, tr("Open session"), current_, state,
                                              [this](const ViewState& view) { applyViewState(view); }));
    }
    // applyViewState (directly or through the undo command) has sized the mask to the image.
    if (!state.isNull()) maskPanel_->setMaskImage(mask, tr("The session's mask"));
    if (!info.isNull()) emit modelChanged(info);
    setStatus(tr("Opened the session (%1) in %2").arg(state.source, secondsText(seconds)));
}

void MainWindow::onFailed(quint64 job, const QString& message) {
    switch (jobs_.kindOf(job).value_or(JobKind::Image)) {
        case JobKind::LoadModel:
            // The previous model stays loaded.
            sourcePanel_->setModelInfo(model_);
            if (model_.isNull())
                canvas_->setPlaceholderText(tr("No model loaded.\nOpen a model folder (Ctrl+Shift+O)."));
            showError(tr("Could not load the model"), message);
            break;
        case JobKind::Image: showError(tr("Could not make the image"), message); break;
        case JobKind::Timestep: showError(tr("Could not compute the timestep"), message); break;
        case JobKind::Export: showError(tr("Could not export"), message); break;
        case JobKind::Basis: showError(tr("Could not find directions"), message); break;
        case JobKind::Preview:
        case JobKind::FinalEdit:
            showError(tr("Could not edit the image"), message);
            showCanvasImage();  // no stale preview stays on the canvas
            sliderStack_->setSliders(current_.directions, current_.sliders, current_.alphas);
            break;
        case JobKind::Session: showError(tr("Could not open the session"), message); break;
        case JobKind::Analysis: showError(tr("Could not run the analysis"), message); break;  // the Analysis window's own
        case JobKind::Follow: showError(tr("Could not update the directions"), message); break;
    }
}

void MainWindow::onJobEnded(quint64 job) {
    const auto kind = jobs_.kindOf(job);
    if ((kind == JobKind::Basis || kind == JobKind::Follow) && jobs_.isCurrent(job)) {
        directionsPanel_->setRunning(false);
        // The update failed or was cancelled (not for a newer timestep, which follows in turn): the
        // view's own directions, i.e. none.
        if (followPending_ && !jobs_.isRunning(JobKind::Timestep)) {
            followPending_ = false;
            if (!current_.isNull()) applyViewState(current_);
        }
    }
    if (kind == JobKind::FinalEdit && jobs_.isCurrent(job) && !current_.isNull()) {
        // Cancelled or failed: the canvas and sliders go back to the view state.
        jobs_.supersede(JobKind::FinalEdit);
        showCanvasImage();
        sliderStack_->setSliders(current_.directions, current_.sliders, current_.alphas);
    }
    jobs_.ended(job);
    settleIfIdle();
}

void MainWindow::settleIfIdle() {
    if (isBusy()) return;  // a job, or live directions about to be refined
    jobProgress_->finish();
    updateActions();
    emit becameIdle();
}

void MainWindow::setActiveDirection(int direction) {
    if (activeDirection_ == direction) return;
    activeDirection_ = direction;
    if (overlayAction_->isChecked()) showCanvasImage();
}

void MainWindow::showCanvasImage() {
    const bool overlay = overlayAction_->isChecked() && current_.directions && current_.directions->count() > 0;
    if (overlay) {
        const int direction = std::clamp(activeDirection_, 0, current_.directions->count() - 1);
        canvas_->setOverlay(directionOverlay(current_.directions->cards[direction].direction, model_.channels == 1));
    } else {
        canvas_->setOverlay({});
    }
    const bool original = sliderStack_->showsOriginal() && current_.hasEdit();
    canvas_->setImage(original ? current_.image : current_.shownImage());
    canvas_->setCaption(demoMode_            ? QString()  // the demo banner says what is shown
                        : original           ? tr("%1 · original (without the sliders)").arg(current_.source)
                        : current_.hasEdit() ? tr("%1 · edited").arg(current_.source)
                                             : current_.source);
}

void MainWindow::applyViewState(const ViewState& state) {
    current_ = state;
    if (!state.isNull()) maskPanel_->setImageSize(state.image.size());
    if (state.directions) {
        followFrom_ = state;
        followPending_ = false;
    } else if (state.isNull() || (followFrom_.directions && followFrom_.directions->imageId != state.latents->imageId)) {
        followFrom_ = {};  // another image: nothing to follow
        followPending_ = false;
    }
    showCanvasImage();
    // While the directions are recomputed for this timestep, the previous ones stay in view, disabled.
    const bool updating = !state.directions && followPending_ && followFrom_.directions;
    const auto& shown = updating ? followFrom_ : state;
    directionsPanel_->setDirections(shown.directions, state.timestep, !state.isNull(), updating);
    directionsPanel_->setOnStack(shown.sliders);
    sliderStack_->setSliders(shown.directions, shown.sliders, shown.alphas);
    sliderStack_->setEnabled(!updating);
    preview_->setImage(state.predicted);
    if (state.timestep >= 0) {
        picker_->setTimestep(state.timestep);
        previewCaption_->setText(tr("Predicted x₀ at t = %1").arg(state.timestep));
    }
    if (state.seed >= 0) sourcePanel_->setSeed(static_cast<int>(state.seed));
    // A timestep, edit or preview result still in flight belongs to the view we just left.
    jobs_.supersede(JobKind::Timestep);
    jobs_.supersede(JobKind::FinalEdit);
    jobs_.supersede(JobKind::Preview);
    updateActions();
    emit viewChanged(state);
}

void MainWindow::showError(const QString& title, const QString& message) {
    spdlog::warn("{}: {}", title.toStdString(), message.toStdString());
    statusLabel_->setText(title);
    emit errorShown(message);
    if (!showDialogs_) return;
    auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();  // window-modal, not a nested event loop
}

void MainWindow::setStatus(const QString& text) {
    spdlog::info("{}", text.toStdString());
    statusLabel_->setText(text);
}

QString MainWindow::statusText() const { return statusLabel_->text(); }

void MainWindow::updateActions() {
    const bool haveImage = !current_.isNull();
    const bool haveDirections = haveImage && current_.directions;
    exportAction_->setEnabled(haveImage);
    exportTraversalAction_->setEnabled(haveDirections);
    exportBasisAction_->setEnabled(haveDirections);
    saveSessionAction_->setEnabled(haveImage);
    findDirectionsAction_->setEnabled(haveImage);
    findInMaskAction_->setEnabled(haveImage);
    maskPanel_->setFindEnabled(haveImage);
    cancelAction_->setEnabled(!jobs_.isIdle());
}

// --- settings ---------------------------------------------------------------------------------

void MainWindow::restoreSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
        resize(std::min(1440, available.width() * 95 / 100), std::min(900, available.height() * 95 / 100));
    }
    if (!restoreState(settings.value(QStringLiteral("window/state")).toByteArray()))
        resizeDocks({directionsDock_}, {430}, Qt::Horizontal);  // room for two columns of cards
    sourcePanel_->setSteps(settings.value(QStringLiteral("sampling/steps"), 50).toInt());
    sourcePanel_->setEta(settings.value(QStringLiteral("sampling/eta"), 0.0).toDouble());
    DirectionRequest request;
    request.k = settings.value(QStringLiteral("directions/k"), request.k).toInt();
    directionsPanel_->setRequest(request);
    sharperPreviewAction_->setChecked(settings.value(QStringLiteral("directions/sharperPreview"), false).toBool());
    followTimestepAction_->setChecked(settings.value(QStringLiteral("directions/followTimestep"), true).toBool());
}

void MainWindow::saveSettings() const {
    QSettings settings;
    // Demo mode's full screen without docks is not what the next start should show.
    settings.setValue(QStringLiteral("window/geometry"), demoMode_ ? demoLayout_->normalGeometry() : saveGeometry());
    settings.setValue(QStringLiteral("window/state"), demoMode_ ? demoLayout_->normalState() : saveState());
    settings.setValue(QStringLiteral("sampling/steps"), sourcePanel_->steps());
    settings.setValue(QStringLiteral("sampling/eta"), sourcePanel_->eta());
    settings.setValue(QStringLiteral("directions/k"), directionsPanel_->request().k);
    settings.setValue(QStringLiteral("directions/sharperPreview"),
                      demoMode_ ? demoLayout_->normalSharperPreview() : sharperPreviewAction_->isChecked());
    settings.setValue(QStringLiteral("directions/followTimestep"), followTimestepAction_->isChecked());
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::WindowStateChange) {
        const QSignalBlocker blocker(fullScreenAction_);  // left full screen some other way
        fullScreenAction_->setChecked(isFullScreen());
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    director_->stop();
    saveSettings();
    worker_->cancel();
    event->accept();
}

// --- demo mode and the analysis window ------------------------------------------------------

void MainWindow::setDemoMode(bool demo) {
    if (demo == demoMode_) return;
    demoMode_ = demo;
    {
        const QSignalBlocker blocker(demoModeAction_);
        demoModeAction_->setChecked(demo);
    }
    if (demo) {
        demoLayout_->enter(showDialogs_, wasMaximized_, director_->caption());
        showCanvasImage();
        canvas_->fitToWindow();
        spdlog::info("demo mode on");
        director_->start();
    } else {
        director_->stop();
        demoLayout_->leave(showDialogs_);
        showCanvasImage();
        spdlog::info("demo mode off");
    }
}

void MainWindow::showAnalysisWindow() {
    if (!analysisWindow_) {
        // A window of its own (a QMainWindow with a parent stays top-level), closed with this one.
        analysisWindow_ = new AnalysisWindow(model_.folder, this);
        analysisWindow_->setObjectName(QStringLiteral("analysisWindow"));
    }
    analysisWindow_->show();
    analysisWindow_->raise();
    analysisWindow_->activateWindow();
}

}  // namespace latentlens::ui
