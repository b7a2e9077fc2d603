#include "ui/JobProgressWidget.h"

#include <algorithm>
#include <cmath>

#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>

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
    cancel_->setEnabled(true);
    if (isHidden() && !showDelay_.isActive()) showDelay_.start();
}

void JobProgressWidget::setProgress(double fraction, const QString& message) {
    bar_->setValue(static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
    bar_->setFormat(message);
}

void JobProgressWidget::finish() {
    showDelay_.stop();
    hide();
}

}  // namespace latentlens::ui
