#include "ui/DemoBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace latentlens::ui {
namespace {

void scaleFont(QWidget* widget, double factor, bool bold) {
    QFont font = widget->font();
    font.setPointSizeF(font.pointSizeF() * factor);
    font.setBold(bold);
    widget->setFont(font);
}

}  // namespace

DemoBanner::DemoBanner(QWidget* parent)
    : QWidget(parent),
      caption_(new QLabel(this)),
      hint_(new QLabel(this)),
      resume_(new QPushButton(tr("▶ Resume demo (R)"), this)),
      exit_(new QPushButton(tr("Exit demo (Esc)"), this)) {
    setObjectName(QStringLiteral("demoBanner"));
    caption_->setObjectName(QStringLiteral("demoCaption"));
    hint_->setObjectName(QStringLiteral("demoHint"));
    resume_->setObjectName(QStringLiteral("resumeDemoButton"));
    exit_->setObjectName(QStringLiteral("exitDemoButton"));
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::AlternateBase);
    scaleFont(caption_, 2.4, true);
    scaleFont(hint_, 1.3, false);
    scaleFont(resume_, 1.3, false);
    scaleFont(exit_, 1.3, false);
    caption_->setTextFormat(Qt::PlainText);
    resume_->setShortcut(QKeySequence(Qt::Key_R));
    resume_->setToolTip(tr("Play the demo scenes again from the current one"));
    exit_->setToolTip(tr("Back to the normal window (Esc, F5)"));
    resume_->setFocusPolicy(Qt::NoFocus);
    exit_->setFocusPolicy(Qt::NoFocus);

    auto* text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(caption_);
    text->addWidget(hint_);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(24, 12, 24, 12);
    layout->setSpacing(16);
    layout->addLayout(text, 1);
    layout->addWidget(resume_, 0, Qt::AlignVCenter);
    layout->addWidget(exit_, 0, Qt::AlignVCenter);

    connect(resume_, &QPushButton::clicked, this, &DemoBanner::resumeRequested);
    connect(exit_, &QPushButton::clicked, this, &DemoBanner::exitRequested);
    setRunning(false);
}

void DemoBanner::setCaption(const QString& caption) { caption_->setText(caption); }

QString DemoBanner::caption() const { return caption_->text(); }

void DemoBanner::setRunning(bool running) {
    hint_->setText(running ? tr("LatentLens demo · steering the noisy latent x_t along its strongest directions · "
                                "touch anything to take over")
                           : tr("You are in control: drag a slider · R resumes the demo · Esc leaves demo mode"));
    resume_->setVisible(!running);
}

}  // namespace latentlens::ui
