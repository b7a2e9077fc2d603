#pragma once

#include <QTimer>
#include <QWidget>

class QProgressBar;
class QPushButton;

namespace latentlens::ui {

// The status-bar part that follows the running job: a progress bar with the job's step message and
// a Cancel button. Appears only for jobs that last longer than a moment, so quick timestep changes
// do not flicker it.
class JobProgressWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kShowDelayMs = 200;

    explicit JobProgressWidget(QWidget* parent = nullptr);

    void start(const QString& description);
    void setProgress(double fraction, const QString& message);
    void finish();  // hides it: the worker is idle

signals:
    void cancelRequested();

private:
    QProgressBar* bar_;
    QPushButton* cancel_;
    QTimer showDelay_;
};

}  // namespace latentlens::ui
