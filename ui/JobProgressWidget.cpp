#include "ui/JobProgressWidget.h"

#include <algorithm>
#include <cmath>

#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>

#include "core/Text.h"

namespace latentlens::ui {

JobProgressWidget::JobProgressWidget(QWidget* parent)
    : QWidget(parent), bar_(new QProgressBar(this)), cancel_(new QPushButton(tr("Cancel"), this)) {
    bar_->setObjectName(QStringLiteral("jobProgressBar"));
    bar_->setRange(0, 1000);
    bar_->setTextVisible(true);
    bar_->setMinimumWidth(280);
    cancel_->setObjectName(QStringLiteral("cancelButton"));
    cancel_->setToolTip(tr("Stop the running job (Esc)"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(bar_);
    layout->addWidget(cancel_);
    connect(cancel_, &QPushButton::clicked, this, &JobProgressWidget::cancelRequested);
    showDelay_.setSingleShot(true);
    showDelay_.setInterval(kShowDelayMs);
    connect(&showDelay_, &QTimer::timeout, this, &QWidget::show);
    hide();
}

void JobProgressWidget::start(const QString& description) {
    bar_->setValue(0);
    bar_->setFormat(description + QStringLiteral("…"));
    sinceStart_.start();
    cancel_->setEnabled(true);
    if (isHidden() && !showDelay_.isActive()) showDelay_.start();
}

void JobProgressWidget::setProgress(double fraction, const QString& message) {
    bar_->setValue(static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
    bar_->setFormat(progressText(message, fraction, sinceStart_.isValid() ? sinceStart_.elapsed() / 1000.0 : 0.0));
}

QString JobProgressWidget::text() const { return bar_->format(); }

QString JobProgressWidget::progressText(const QString& message, double fraction, double elapsedSeconds) {
    const double left = secondsLeft(fraction, elapsedSeconds);
    if (left < 0) return message;
    return tr("%1 · about %2 left").arg(message, QString::fromStdString(clockText(left)));
}

void JobProgressWidget::finish() {
    showDelay_.stop();
    hide();
}

}  // namespace latentlens::ui
