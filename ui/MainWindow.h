#pragma once

#include <memory>

#include <QMainWindow>
#include <QThread>
#include <QTimer>

#include "ui/DirectionSet.h"
#include "ui/FileDialogs.h"
#include "ui/JobTracker.h"
#include "ui/ModelInfo.h"
#include "ui/ViewState.h"

class QAction;
class QDockWidget;
class QLabel;
class QUndoStack;

namespace latentlens::ui {

class AnalysisWindow;
class DemoBanner;
class DemoDirector;
class DemoLayout;
class DirectionsPanel;
class ImageCanvas;
class JobProgressWidget;
class MaskPanel;
class RecentModelsMenu;
class SliderStack;
class ModelWorker;
class SourcePanel;
class TimestepPicker;

// The LatentLens window: the source panel (a dock on the left), the image canvas with the slider
// stack under it, the timestep picker with the x̂0 view, the directions panel (a dock on the
// right), menus, undo (images, timesteps, directions and slider moves) and the job status. All model work goes to a ModelWorker on
// its own thread, so the window never waits. Feature panels (semantic directions, ...) are further
// QDockWidgets: they read viewState() / viewChanged() and submit their jobs through worker().
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Shows at once and starts loading `modelFolder` (empty: the embedded default model) on the
    // worker; the first image of the current seed follows.
    explicit MainWindow(const QString& modelFolder = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // With false, errors are logged and emitted (errorShown) but no message box opens (tests).
    void setShowDialogs(bool show) { showDialogs_ = show; }

    bool isBusy() const { return !jobs_.isIdle() || (refineTimer_ && refineTimer_->isActive()); }
    const ModelInfo& modelInfo() const { return model_; }
    const ViewState& viewState() const { return current_; }
    QString statusText() const;
    ModelWorker* worker() const { return worker_; }
    DirectionsPanel* directionsPanel() const { return directionsPanel_; }
    SliderStack* sliderStack() const { return sliderStack_; }
    MaskPanel* maskPanel() const { return maskPanel_; }
    // The direction last clicked or moved (-1: none): what a traversal export shows.
    int activeDirection() const { return activeDirection_; }
    // Demo mode (issue #8): full screen, only the canvas, large sliders and a large caption; the
    // director cycles curated scenes until the user touches a control.
    bool isDemoMode() const { return demoMode_; }
    DemoDirector* demoDirector() const { return director_; }
    // The Analysis window (Run › Analysis…); null until first opened.
    AnalysisWindow* analysisWindow() const { return analysisWindow_; }

    // The slots below are what the menus, panels and sliders do, so a script (a "demo mode"
    // director, the tests, the bench) can drive the window the same way. Each returns at once;
    // the work runs on the worker and the result shows (viewChanged) when it is done.
public slots:
    void openModelFolder(const QString& folder);
    void openImage(const QString& path);
    // The image of the seed in the source panel / of `seed`.
    void generate();
    void generateSeed(int seed);
    void generateRandomSeed();
    // Shows the current image at timestep t (what the picker does once it rests).
    void showTimestep(int timestep);
    // Finds directions at the current x_t with the panel's settings (k > 0 overrides its k).
    void findDirections(int k = 0);
    void findDirectionsWith(const latentlens::ui::DirectionRequest& request);
    // Finds local-edit directions (LOCO Edit) in the painted mask; says so when there is none.
    void findDirectionsInMask(int k = 0);
    // Gives `direction` (0-based, 0 = largest σ) a slider if it has none.
    void addDirectionSlider(int direction);
    // Sets one slider (adding it if needed) and renders the edit, as releasing the slider does.
    void setDirectionAlpha(int direction, double alpha);
    // Moves one slider (adding it if needed) and previews it, as dragging it does: the soft
    // one-call preview, nothing committed (setDirectionAlpha then renders it sharp).
    void previewDirectionAlpha(int direction, double alpha);
    // Writes what the canvas shows (the edit if any) as a PNG, enlarged `upscale` times.
    void exportImage(const QString& path, int upscale);
    // A traversal of `direction` (-1: the active one) from −α_max to +α_max: .png strip, .gif or
    // .mp4; `frames` 0 picks 9 for a strip and 31 for an animation.
    void exportTraversal(const QString& path, int direction = -1, int frames = 0, int upscale = 4);
    void exportBasis(const QString& folder);
    void saveSession(const QString& folder);
    void openSession(const QString& folder);
    void cancelJobs();
    // Enters demo mode (and starts the director) or leaves it, restoring the layout.
    void setDemoMode(bool demo);
    // Opens the Analysis window for the current model's folder, or raises it.
    void showAnalysisWindow();

signals:
    void errorShown(const QString& message);
    void modelChanged(const latentlens::ui::ModelInfo& info);
    // A new view state is shown: a new image, another timestep, undo or redo.
    void viewChanged(const latentlens::ui::ViewState& state);
    // The last running or queued job ended.
    void becameIdle();
    // A drag preview reached the canvas (the worker took `seconds` for it).
    void previewShown(double seconds);

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    void createWidgets();
    void createActions();
    void createMenus();
    void connectWorker();
    void restoreSettings();
    void saveSettings() const;

    void chooseModelFolder();
    void chooseImage();
    void chooseExportFile();
    void chooseTraversalFile();
    void chooseBasisFolder();
    void chooseSessionToSave();
    void chooseSessionToOpen();
    void toggleFullScreen(bool fullScreen);
    void showAbout();

    quint64 track(quint64 job, JobKind kind);
    void onModelLoaded(quint64 job, const ModelInfo& info);
    void onImageReady(quint64 job, const ViewState& state, double seconds, const QString& note);
    void onTimestepReady(quint64 job, const ViewState& state, double seconds);
    // Recomputes followFrom_ for the current view's timestep (live directions).
    void followDirections();
    void onDirectionsReady(quint64 job, const ViewState& state, double seconds);
    void onPreviewReady(quint64 job, const QImage& image, double seconds);
    void onEditReady(quint64 job, const ViewState& state, double seconds);
    void onSessionOpened(quint64 job, const ModelInfo& info, const ViewState& state, double seconds, const QImage& mask);
    void onFailed(quint64 job, const QString& message);
    // Shows `direction` (adding its slider if needed) at α clamped to ±α_max on the slider stack
    // and returns the stack's sliders and values through the out-parameters; false (nothing
    // changed) when the current view has no such direction.
    bool placeSlider(int direction, double alpha, QList<int>& sliders, QMap<int, double>& alphas);
    void previewSliders(const QMap<int, double>& alphas, int direction);
    void commitSliders(const QList<int>& sliders, const QMap<int, double>& alphas, int direction);
    void showModel(const ModelInfo& info);
    void showCanvasImage();
    void setActiveDirection(int direction);
    void onJobEnded(quint64 job);
    void applyViewState(const ViewState& state);
    void showError(const QString& title, const QString& message);
    void setStatus(const QString& text);
    void updateActions();
    bool requireModel();

    // Worker.
    QThread workerThread_;
    ModelWorker* worker_ = nullptr;
    JobTracker jobs_;  // submitted and not yet ended; whether a result is still wanted
    int activeDirection_ = -1;

    // State.
    ModelInfo model_;
    ViewState current_;
    // Live directions: the last view of the current image with directions (and its sliders), which a
    // timestep change recomputes them from (followDirections); followPending_ while that runs, when
    // the panel keeps showing them. Null view: nothing to follow.
    ViewState followFrom_;
    bool followPending_ = false;
    // Live directions are refined (refineDirections) once the timestep has rested this long: a
    // refinement started during a drag would hold the worker when the next move comes.
    static constexpr int kRefineAfterMs = 250;
    QTimer* refineTimer_ = nullptr;
    void refineLiveDirections();
    void settleIfIdle();  // no job and no refinement pending: progress done, becameIdle
    QUndoStack* undoStack_ = nullptr;
    bool showDialogs_ = true;
    bool wasMaximized_ = false;

    FileDialogs dialogs_;  // remembered folders per purpose

    // Demo mode and what it changed, to put back.
    bool demoMode_ = false;
    std::unique_ptr<DemoLayout> demoLayout_;
    DemoDirector* director_ = nullptr;
    DemoBanner* demoBanner_ = nullptr;
    AnalysisWindow* analysisWindow_ = nullptr;

    // Widgets.
    SourcePanel* sourcePanel_ = nullptr;
    QDockWidget* sourceDock_ = nullptr;
    ImageCanvas* canvas_ = nullptr;
    ImageCanvas* preview_ = nullptr;
    QLabel* previewCaption_ = nullptr;
    TimestepPicker* picker_ = nullptr;
    JobProgressWidget* jobProgress_ = nullptr;
    DirectionsPanel* directionsPanel_ = nullptr;
    MaskPanel* maskPanel_ = nullptr;
    RecentModelsMenu* recentModels_ = nullptr;
    QDockWidget* directionsDock_ = nullptr;
    SliderStack* sliderStack_ = nullptr;
    QLabel* statusLabel_ = nullptr;

    // Actions.
    QAction* openModelAction_ = nullptr;
    QAction* openImageAction_ = nullptr;
    QAction* exportAction_ = nullptr;
    QAction* exportTraversalAction_ = nullptr;
    QAction* exportBasisAction_ = nullptr;
    QAction* saveSessionAction_ = nullptr;
    QAction* openSessionAction_ = nullptr;
    QAction* findDirectionsAction_ = nullptr;
    QAction* findInMaskAction_ = nullptr;
    QAction* sharperPreviewAction_ = nullptr;
    QAction* overlayAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* undoAction_ = nullptr;
    QAction* redoAction_ = nullptr;
    QAction* generateAction_ = nullptr;
    QAction* randomSeedAction_ = nullptr;
    QAction* cancelAction_ = nullptr;
    QAction* fullScreenAction_ = nullptr;
    QAction* zoomInAction_ = nullptr;
    QAction* zoomOutAction_ = nullptr;
    QAction* zoomFitAction_ = nullptr;
    QAction* actualSizeAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    QAction* demoModeAction_ = nullptr;
    QAction* analysisAction_ = nullptr;
    QAction* followTimestepAction_ = nullptr;
};

}  // namespace latentlens::ui
