#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>

class QProgressBar;
class QPushButton;

namespace latentlens::ui {

// The status-bar part that follows the running job: a progress bar with the job's step message,
// the time left once it can be estimated, and a Cancel button. Appears only for jobs that last
// longer than a moment, so quick timestep changes do not flicker it.
class JobProgressWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kShowDelayMs = 200;

    explicit JobProgressWidget(QWidget* parent = nullptr);

    void start(const QString& description);
    void setProgress(double fraction, const QString& message);
    void finish();  // hides it: the worker is idle
    QString text() const;  // what the bar says
    // The bar's text: the message, and "· about 1:05 left" once an estimate is possible.
    static QString progressText(const QString& message, double fraction, double elapsedSeconds);

signals:
    void cancelRequested();

private:
    QProgressBar* bar_;
    QPushButton* cancel_;
    QTimer showDelay_;
    QElapsedTimer sinceStart_;
};

}  // namespace latentlens::ui
