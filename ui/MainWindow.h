#pragma once

#include <QHash>
#include <QMainWindow>
#include <QSet>
#include <QThread>

#include "ui/ModelInfo.h"
#include "ui/ViewState.h"

class QAction;
class QDockWidget;
class QLabel;
class QUndoStack;

namespace latentlens::ui {

class ImageCanvas;
class JobProgressWidget;
class ModelWorker;
class SourcePanel;
class TimestepPicker;

// The LatentLens window: the source panel (a dock on the left), the image canvas, the timestep
// picker with the x̂0 view, menus, undo and the job status. All model work goes to a ModelWorker on
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

    bool isBusy() const { return !jobs_.isEmpty(); }
    const ModelInfo& modelInfo() const { return model_; }
    const ViewState& viewState() const { return current_; }
    QString statusText() const;
    QUndoStack* undoStack() const { return undoStack_; }
    ModelWorker* worker() const { return worker_; }

public slots:
    void openModelFolder(const QString& folder);
    void openImage(const QString& path);
    void generate();
    void generateRandomSeed();
    // Shows the current image at timestep t (what the picker does once it rests).
    void showTimestep(int timestep);
    void exportImage(const QString& path, int upscale);
    void cancelJobs();

signals:
    void errorShown(const QString& message);
    void modelChanged(const latentlens::ui::ModelInfo& info);
    // A new view state is shown: a new image, another timestep, undo or redo.
    void viewChanged(const latentlens::ui::ViewState& state);
    // The last running or queued job ended.
    void becameIdle();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    enum class JobPurpose { Model, Image, Timestep, Export };

    void createWidgets();
    void createActions();
    void createMenus();
    void connectWorker();
    void restoreSettings();
    void saveSettings() const;

    void chooseModelFolder();
    void chooseImage();
    void chooseExportFile();
    void toggleFullScreen(bool fullScreen);
    void showAbout();

    quint64 track(quint64 job, JobPurpose purpose);
    bool isLatest(quint64 job) const;
    void onModelLoaded(quint64 job, const ModelInfo& info);
    void onImageReady(quint64 job, const ViewState& state, double seconds, const QString& note);
    void onTimestepReady(quint64 job, const ViewState& state, double seconds);
    void onFailed(quint64 job, const QString& message);
    void onJobEnded(quint64 job);
    void applyViewState(const ViewState& state);
    void showError(const QString& title, const QString& message);
    void setStatus(const QString& text);
    void updateActions();
    bool requireModel();

    // Worker.
    QThread workerThread_;
    ModelWorker* worker_ = nullptr;
    QSet<quint64> jobs_;                   // submitted and not yet ended
    QHash<quint64, JobPurpose> purposes_;  // of those jobs
    quint64 modelJob_ = 0;                 // the latest request of each purpose; older results are stale
    quint64 imageJob_ = 0;
    quint64 timestepJob_ = 0;

    // State.
    ModelInfo model_;
    ViewState current_;
    QUndoStack* undoStack_ = nullptr;
    bool showDialogs_ = true;
    bool wasMaximized_ = false;

    // Widgets.
    SourcePanel* sourcePanel_ = nullptr;
    QDockWidget* sourceDock_ = nullptr;
    ImageCanvas* canvas_ = nullptr;
    ImageCanvas* preview_ = nullptr;
    QLabel* previewCaption_ = nullptr;
    TimestepPicker* picker_ = nullptr;
    JobProgressWidget* jobProgress_ = nullptr;
    QLabel* statusLabel_ = nullptr;

    // Actions.
    QAction* openModelAction_ = nullptr;
    QAction* openImageAction_ = nullptr;
    QAction* exportAction_ = nullptr;
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
};

}  // namespace latentlens::ui
