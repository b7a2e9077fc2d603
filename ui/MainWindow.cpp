#include "ui/MainWindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
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
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QUndoStack>
#include <QVBoxLayout>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/model/ModelFolder.h"
#include "ui/ImageCanvas.h"
#include "ui/JobProgressWidget.h"
#include "ui/LatentState.h"
#include "ui/ModelWorker.h"
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

QString secondsText(double seconds) {
    return seconds < 10 ? QString::number(seconds, 'f', 2) + QStringLiteral(" s")
                        : QString::number(seconds, 'f', 1) + QStringLiteral(" s");
}

}  // namespace

MainWindow::MainWindow(const QString& modelFolder, QWidget* parent) : QMainWindow(parent) {
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
    separator->setFrameShape(QFrame::HLine);
    separator->setFrameShadow(QFrame::Sunken);

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(canvas_, 1);
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
                            QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), tr("Load a diffusers UNet2DModel folder"));
    openImageAction_ = make(QStringLiteral("actionOpenImage"), tr("&Open image…"), QKeySequence(Qt::CTRL | Qt::Key_O),
                            tr("Fit an image file to the model and invert it to t"));
    exportAction_ = make(QStringLiteral("actionExport"), tr("&Export image PNG…"), QKeySequence(Qt::CTRL | Qt::Key_E),
                         tr("Write the image on the canvas to a PNG file"));
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

    connect(openModelAction_, &QAction::triggered, this, &MainWindow::chooseModelFolder);
    connect(openImageAction_, &QAction::triggered, this, &MainWindow::chooseImage);
    connect(exportAction_, &QAction::triggered, this, &MainWindow::chooseExportFile);
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
}

void MainWindow::createMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(openModelAction_);
    file->addAction(openImageAction_);
    file->addSeparator();
    file->addAction(exportAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    auto* edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(undoAction_);
    edit->addAction(redoAction_);

    auto* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(generateAction_);
    run->addAction(randomSeedAction_);
    run->addSeparator();
    run->addAction(cancelAction_);

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(zoomInAction_);
    view->addAction(zoomOutAction_);
    view->addAction(zoomFitAction_);
    view->addAction(actualSizeAction_);
    view->addSeparator();
    view->addAction(fullScreenAction_);
    view->addSeparator();
    auto* panels = sourceDock_->toggleViewAction();
    panels->setText(tr("&Source panel"));
    view->addAction(panels);

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutAction_);
}

void MainWindow::connectWorker() {
    connect(worker_, &ModelWorker::jobStarted, this, [this](quint64 job, const QString& description) {
        if (jobs_.contains(job)) jobProgress_->start(description);
    });
    connect(worker_, &ModelWorker::progress, this, [this](quint64 job, double fraction, const QString& message) {
        if (jobs_.contains(job)) jobProgress_->setProgress(fraction, message);
    });
    connect(worker_, &ModelWorker::modelLoaded, this, &MainWindow::onModelLoaded);
    connect(worker_, &ModelWorker::imageReady, this, &MainWindow::onImageReady);
    connect(worker_, &ModelWorker::timestepReady, this, &MainWindow::onTimestepReady);
    connect(worker_, &ModelWorker::exported, this, [this](quint64, const QString& path, double seconds) {
        setStatus(tr("Exported %1 in %2").arg(QFileInfo(path).fileName(), secondsText(seconds)));
    });
    connect(worker_, &ModelWorker::failed, this, &MainWindow::onFailed);
    connect(worker_, &ModelWorker::cancelled, this, [this](quint64 job) {
        if (isLatest(job)) setStatus(tr("Cancelled"));  // not when a newer request replaced it
    });
    connect(worker_, &ModelWorker::jobEnded, this, &MainWindow::onJobEnded);
}

// --- requests ---------------------------------------------------------------------------------

quint64 MainWindow::track(quint64 job, JobPurpose purpose) {
    jobs_.insert(job);
    purposes_.insert(job, purpose);
    switch (purpose) {
        case JobPurpose::Model: modelJob_ = job; break;
        case JobPurpose::Image: imageJob_ = job; break;
        case JobPurpose::Timestep: timestepJob_ = job; break;
        case JobPurpose::Export: break;
    }
    updateActions();
    return job;
}

bool MainWindow::isLatest(quint64 job) const {
    switch (purposes_.value(job, JobPurpose::Export)) {
        case JobPurpose::Model: return job == modelJob_;
        case JobPurpose::Image: return job == imageJob_;
        case JobPurpose::Timestep: return job == timestepJob_;
        case JobPurpose::Export: return true;
    }
    return true;
}

bool MainWindow::requireModel() {
    if (!model_.isNull() || (modelJob_ != 0 && jobs_.contains(modelJob_))) return true;
    setStatus(tr("Open a model folder first (Ctrl+Shift+O)"));
    return false;
}

void MainWindow::openModelFolder(const QString& folder) {
    if (folder.isEmpty()) return;
    if (model_.isNull()) sourcePanel_->setModelLoading(QDir(folder).dirName());  // else the current one stays
    track(worker_->loadModel(folder), JobPurpose::Model);
}

void MainWindow::openImage(const QString& path) {
    if (path.isEmpty() || !requireModel()) return;
    track(worker_->invertImage(path, picker_->timestep(), sourcePanel_->steps()), JobPurpose::Image);
}

void MainWindow::generate() {
    if (!requireModel()) return;
    track(worker_->generate(static_cast<quint64>(sourcePanel_->seed()), sourcePanel_->steps(), sourcePanel_->eta(),
                            picker_->timestep()),
          JobPurpose::Image);
}

void MainWindow::generateRandomSeed() {
    sourcePanel_->setSeed(static_cast<int>(QRandomGenerator::global()->bounded(1'000'000)));
    generate();
}

void MainWindow::showTimestep(int timestep) {
    if (picker_->timestep() != timestep) picker_->setTimestep(timestep);
    if (current_.isNull() || current_.timestep == timestep) {
        timestepJob_ = 0;  // whatever is in flight is no longer wanted
        return;
    }
    track(worker_->computeAtTimestep(current_, timestep), JobPurpose::Timestep);
}

void MainWindow::exportImage(const QString& path, int upscale) {
    if (current_.isNull() || path.isEmpty()) return;
    track(worker_->exportImage(current_.latents, path, upscale), JobPurpose::Export);
}

void MainWindow::cancelJobs() {
    if (jobs_.isEmpty()) return;
    worker_->cancel();
    jobProgress_->setProgress(0.0, tr("Cancelling…"));
}

// --- dialogs ----------------------------------------------------------------------------------

void MainWindow::chooseModelFolder() {
    QSettings settings;
    const QString start = settings.value(QStringLiteral("paths/modelFolder"), model_.folder).toString();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Open model folder"), start);
    if (folder.isEmpty()) return;
    settings.setValue(QStringLiteral("paths/modelFolder"), QFileInfo(folder).absolutePath());
    openModelFolder(folder);
}

void MainWindow::chooseImage() {
    if (!requireModel()) return;
    QSettings settings;
    const QString start = settings
                              .value(QStringLiteral("paths/imageFolder"),
                                     QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
                              .toString();
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open image"), start,
        tr("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff *.webp *.pgm *.ppm);;All files (*)"));
    if (path.isEmpty()) return;
    settings.setValue(QStringLiteral("paths/imageFolder"), QFileInfo(path).absolutePath());
    openImage(path);
}

void MainWindow::chooseExportFile() {
    if (current_.isNull()) return;
    QSettings settings;
    const QString folder = settings
                               .value(QStringLiteral("paths/exportFolder"),
                                      QStandardPaths::writableLocation(QStandardPaths::PicturesLocation))
                               .toString();
    QString name = current_.seed >= 0 ? QStringLiteral("%1-seed%2.png").arg(model_.name).arg(current_.seed)
                                      : QFileInfo(current_.source).completeBaseName() + QStringLiteral("-lens.png");
    QString path = QFileDialog::getSaveFileName(this, tr("Export image PNG"), QDir(folder).filePath(name),
                                                tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    if (QFileInfo(path).suffix().isEmpty()) path += QStringLiteral(".png");
    const int size = std::max(1, current_.image.width());
    const int suggested = settings.value(QStringLiteral("export/upscale"), std::max(1, 512 / size)).toInt();
    bool ok = false;
    const int upscale = QInputDialog::getInt(this, tr("Export image PNG"),
                                             tr("Enlarge %1×%1 pixels by (nearest-neighbour, stays sharp):").arg(size),
                                             suggested, 1, 64, 1, &ok);
    if (!ok) return;
    settings.setValue(QStringLiteral("paths/exportFolder"), QFileInfo(path).absolutePath());
    settings.setValue(QStringLiteral("export/upscale"), upscale);
    exportImage(path, upscale);
}

void MainWindow::toggleFullScreen(bool fullScreen) {
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
           "with DDIM and look at what the noisy latent x<sub>t</sub> already decides at every timestep.</p>"
           "<p>Built on the ideas of Yong-Hyun Park, Mingi Kwon, Jaewoong Choi, Junghyo Jo and Youngjung Uh, "
           "<i>Understanding the Latent Space of Diffusion Models through the Lens of Riemannian Geometry</i>, "
           "NeurIPS 2023 (arXiv:2307.12868).</p>"
           "<p>Model: %2</p>")
            .arg(QApplication::applicationVersion(),
                 model_.isNull() ? tr("none loaded") : model_.name.toHtmlEscaped()));
}

// --- results ----------------------------------------------------------------------------------

void MainWindow::onModelLoaded(quint64 job, const ModelInfo& info) {
    if (job != modelJob_) return;  // a newer model request follows
    model_ = info;
    sourcePanel_->setModelInfo(info);
    sourcePanel_->setTrainTimesteps(info.trainTimesteps);
    const bool sameRange = picker_->trainTimesteps() == info.trainTimesteps;
    picker_->setTrainTimesteps(info.trainTimesteps);
    if (!sameRange) picker_->setTimestep(info.trainTimesteps * kDefaultTimestepPercent / 100);
    setWindowTitle(tr("%1 — LatentLens").arg(info.name));
    // Images of the previous model cannot be moved in time or undone into with this one.
    undoStack_->clear();
    current_ = {};
    canvas_->setPlaceholderText(tr("Generating…"));
    setStatus(tr("Loaded model %1").arg(info.name));
    emit modelChanged(info);
    generate();
}

void MainWindow::onImageReady(quint64 job, const ViewState& state, double seconds, const QString& note) {
    if (job != imageJob_) return;  // superseded by a newer image request
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
    if (job != timestepJob_ || current_.isNull() || !state.latents ||
        state.latents->imageId != current_.latents->imageId)
        return;  // stale: another timestep or image was asked for since
    undoStack_->push(new ViewStateCommand(ViewStateCommand::Kind::Timestep, tr("Timestep %1").arg(state.timestep),
                                          current_, state, [this](const ViewState& view) { applyViewState(view); }));
    setStatus(tr("Predicted x₀ at t = %1 in %2").arg(state.timestep).arg(secondsText(seconds)));
}

void MainWindow::onFailed(quint64 job, const QString& message) {
    switch (purposes_.value(job, JobPurpose::Image)) {
        case JobPurpose::Model:
            // The previous model stays loaded.
            sourcePanel_->setModelInfo(model_);
            if (model_.isNull())
                canvas_->setPlaceholderText(tr("No model loaded.\nOpen a model folder (Ctrl+Shift+O)."));
            showError(tr("Could not load the model"), message);
            break;
        case JobPurpose::Image: showError(tr("Could not make the image"), message); break;
        case JobPurpose::Timestep: showError(tr("Could not compute the timestep"), message); break;
        case JobPurpose::Export: showError(tr("Could not export the image"), message); break;
    }
}

void MainWindow::onJobEnded(quint64 job) {
    jobs_.remove(job);
    purposes_.remove(job);
    if (jobs_.isEmpty()) {
        jobProgress_->finish();
        updateActions();
        emit becameIdle();
    }
}

void MainWindow::applyViewState(const ViewState& state) {
    current_ = state;
    canvas_->setImage(state.image);
    preview_->setImage(state.predicted);
    if (state.timestep >= 0) {
        picker_->setTimestep(state.timestep);
        previewCaption_->setText(tr("Predicted x₀ at t = %1").arg(state.timestep));
    }
    if (state.seed >= 0) sourcePanel_->setSeed(static_cast<int>(state.seed));
    canvas_->setCaption(state.source);
    timestepJob_ = 0;  // a timestep result still in flight belongs to the view we just left
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
    exportAction_->setEnabled(haveImage);
    cancelAction_->setEnabled(!jobs_.isEmpty());
}

// --- settings ---------------------------------------------------------------------------------

void MainWindow::restoreSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        const QRect available = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
        resize(std::min(1280, available.width() * 9 / 10), std::min(840, available.height() * 9 / 10));
    }
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    sourcePanel_->setSteps(settings.value(QStringLiteral("sampling/steps"), 50).toInt());
    sourcePanel_->setEta(settings.value(QStringLiteral("sampling/eta"), 0.0).toDouble());
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("sampling/steps"), sourcePanel_->steps());
    settings.setValue(QStringLiteral("sampling/eta"), sourcePanel_->eta());
}

void MainWindow::changeEvent(QEvent* event) {
    if (event->type() == QEvent::WindowStateChange) {
        const QSignalBlocker blocker(fullScreenAction_);  // left full screen some other way
        fullScreenAction_->setChecked(isFullScreen());
    }
    QMainWindow::changeEvent(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    worker_->cancel();
    event->accept();
}

}  // namespace latentlens::ui
