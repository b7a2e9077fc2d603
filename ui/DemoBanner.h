#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace latentlens::ui {

// The strip over the canvas in demo mode: what the demo is doing in large type ("Seed 3 · t = 700
// · direction 1: α +2.50"), a smaller line saying how to take over or resume, and the Resume demo
// (R) and Exit demo (Esc) buttons.
class DemoBanner : public QWidget {
    Q_OBJECT
public:
    explicit DemoBanner(QWidget* parent = nullptr);

    void setCaption(const QString& caption);
    QString caption() const;
    // Running: the hint says that touching anything takes over; else it offers to resume.
    void setRunning(bool running);
    QPushButton* resumeButton() const { return resume_; }

signals:
    void resumeRequested();
    void exitRequested();

private:
    QLabel* caption_;
    QLabel* hint_;
    QPushButton* resume_;
    QPushButton* exit_;
};

}  // namespace latentlens::ui
