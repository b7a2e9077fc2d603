#include "ui/MaskPanel.h"

#include <cmath>

#include <QAction>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QUndoStack>
#include <QVBoxLayout>

#include "ui/EditMask.h"
#include "ui/ImageCanvas.h"
#include "ui/MaskCommand.h"

namespace latentlens::ui {
namespace {

QToolButton* buttonFor(QAction* action, QWidget* parent) {
    auto* button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return button;
}

}  // namespace

MaskPanel::MaskPanel(ImageCanvas& canvas, QUndoStack& undoStack, QWidget* parent)
    : QWidget(parent),
      canvas_(canvas),
      undoStack_(undoStack),
      mask_(new EditMask(this)),
      size_(new QSpinBox(this)),
      softness_(new QSpinBox(this)),
      nullRank_(new QSpinBox(this)),
      find_(new QPushButton(tr("Find directions in the mask"), this)),
      state_(new QLabel(this)) {
    const auto make = [this](const QString& name, const QString& text, const QKeySequence& shortcut, const QString& tip) {
        auto* action = new QAction(text, this);
        action->setObjectName(name);
        action->setShortcut(shortcut);
        action->setToolTip(shortcut.isEmpty() ? tip : tip + QStringLiteral(" (%1)").arg(shortcut.toString()));
        action->setStatusTip(tip);
        return action;
    };
    paint_ = make(QStringLiteral("actionPaintMask"), tr("&Paint mask"), QKeySequence(Qt::Key_M),
                  tr("Paint where the edit should act: left button paints, right button erases, middle button pans"));
    paint_->setCheckable(true);
    erase_ = make(QStringLiteral("actionEraseMask"), tr("&Erase"), QKeySequence(Qt::Key_E),
                  tr("The left button erases the mask instead (the right button paints)"));
    erase_->setCheckable(true);
    invert_ = make(QStringLiteral("actionInvertMask"), tr("&Invert mask"), QKeySequence(Qt::CTRL | Qt::Key_I),
                   tr("Swap the painted and the unpainted region"));
    clear_ = make(QStringLiteral("actionClearMask"), tr("&Clear mask"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Backspace),
                  tr("Remove the whole mask"));
    show_ = make(QStringLiteral("actionShowMask"), tr("&Show mask"), QKeySequence(Qt::SHIFT | Qt::Key_M),
                 tr("Tint the painted region on the canvas"));
    show_->setCheckable(true);
    show_->setChecked(true);
    smaller_ = make(QStringLiteral("actionSmallerBrush"), tr("S&maller brush"), QKeySequence(Qt::Key_BracketLeft),
                    tr("Shrink the brush"));
    larger_ = make(QStringLiteral("actionLargerBrush"), tr("&Larger brush"), QKeySequence(Qt::Key_BracketRight),
                   tr("Enlarge the brush"));

    size_->setObjectName(QStringLiteral("brushSizeSpinBox"));
    size_->setRange(1, 256);
    size_->setValue(8);
    size_->setSuffix(tr(" px"));
    size_->setToolTip(tr("Brush diameter in image pixels ([ and ])"));
    softness_->setObjectName(QStringLiteral("brushSoftnessSpinBox"));
    softness_->setRange(0, 100);
    softness_->setValue(50);
    softness_->setSuffix(QStringLiteral(" %"));
    softness_->setToolTip(tr("How much of the brush's radius fades out (0: a hard edge)"));
    nullRank_->setObjectName(QStringLiteral("nullRankSpinBox"));
    nullRank_->setRange(0, 64);
    nullRank_->setValue(5);
    nullRank_->setToolTip(tr("The outside's strongest directions removed from the masked ones, so the rest of the "
                             "image barely moves (0: none)"));
    find_->setObjectName(QStringLiteral("findInMaskButton"));
    find_->setToolTip(tr("Directions that change the painted region and barely the rest (Ctrl+Alt+D)"));
    state_->setObjectName(QStringLiteral("maskState"));
    state_->setWordWrap(true);

    auto* tools = new QHBoxLayout;
    tools->setSpacing(4);
    for (QAction* action : {paint_, erase_, invert_, clear_}) tools->addWidget(buttonFor(action, this));
    tools->addStretch(1);
    auto* form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Brush"), size_);
    form->addRow(tr("Soft edge"), softness_);
    form->addRow(tr("Keep outside"), nullRank_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(tools);
    layout->addLayout(form);
    layout->addWidget(state_);
    layout->addWidget(find_);

    const auto brush = [this] {
        mask_->setBrushRadius(size_->value() / 2.0);
        mask_->setSoftness(softness_->value() / 100.0);
        canvas_.setBrushRadius(mask_->brushRadius());
    };
    brush();
    connect(size_, &QSpinBox::valueChanged, this, brush);
    connect(softness_, &QSpinBox::valueChanged, this, brush);
    connect(smaller_, &QAction::triggered, this, [this] { size_->setValue(std::max(1, static_cast<int>(std::lround(size_->value() / 1.25)))); });
    connect(larger_, &QAction::triggered, this, [this] { size_->setValue(std::max(size_->value() + 1, static_cast<int>(std::lround(size_->value() * 1.25)))); });
    connect(paint_, &QAction::toggled, this, [this](bool on) {
        // The canvas's tip tells how to use it: the brush's buttons while painting.
        if (on) {
            canvasTip_ = canvas_.toolTip();
            canvas_.setToolTip(tr("Left button: paint · right button: erase · middle button: pan · [ ]: brush size · "
                                  "M: stop painting"));
        } else {
            canvas_.setToolTip(canvasTip_);
        }
        canvas_.setPainting(on);
        if (on) show_->setChecked(true);
        updateState();
    });
    connect(show_, &QAction::toggled, this, [this] { updateState(); });
    connect(invert_, &QAction::triggered, this, [this] {
        const QImage before = mask_->image();
        mask_->invert();
        if (!before.isNull()) undoStack_.push(new MaskCommand(*mask_, tr("Invert the mask"), before, mask_->image()));
    });
    connect(clear_, &QAction::triggered, this, [this] {
        if (mask_->isEmpty()) return;
        const QImage before = mask_->image();
        mask_->clear();
        undoStack_.push(new MaskCommand(*mask_, tr("Clear the mask"), before, mask_->image()));
    });
    connect(&canvas_, &ImageCanvas::paintStarted, this, [this](const QPointF& point, bool rightButton) {
        erasing_ = rightButton != erase_->isChecked();
        mask_->beginStroke(point, erasing_);
    });
    connect(&canvas_, &ImageCanvas::paintMoved, mask_, &EditMask::continueStroke);
    connect(&canvas_, &ImageCanvas::paintFinished, this, &MaskPanel::finishStroke);
    connect(mask_, &EditMask::changed, this, &MaskPanel::updateState);
    connect(find_, &QPushButton::clicked, this, &MaskPanel::findInMaskRequested);
    updateState();
}

QList<QAction*> MaskPanel::maskActions() const { return {paint_, erase_, smaller_, larger_, invert_, clear_, show_}; }

int MaskPanel::nullRank() const { return nullRank_->value(); }

void MaskPanel::finishStroke() {
    const QImage before = mask_->endStroke();
    if (before.isNull() || before == mask_->image()) return;
    undoStack_.push(new MaskCommand(*mask_, erasing_ ? tr("Erase the mask") : tr("Paint the mask"), before, mask_->image()));
}

void MaskPanel::setImageSize(const QSize& size) { mask_->resize(size); }

void MaskPanel::setMaskImage(const QImage& image, const QString& undoText) {
    const QImage before = mask_->image();
    QImage after = image;
    if (after.isNull()) {
        after = QImage(before.size(), QImage::Format_Grayscale8);
        after.fill(0);
    }
    after = after.convertToFormat(QImage::Format_Grayscale8);
    if (after == before) return;
    mask_->setImage(after);
    undoStack_.push(new MaskCommand(*mask_, undoText, before, after));
}

void MaskPanel::setFindEnabled(bool enabled) {
    findEnabled_ = enabled;
    updateState();
}

bool MaskPanel::canFind() const { return findEnabled_ && mask_->isPartial(); }

QString MaskPanel::problem() const {
    if (mask_->isFull()) return tr("The mask covers the whole image: erase (right button) what should stay as it is.");
    if (mask_->isEmpty()) return tr("Paint a mask first (M): the region the edit should change.");
    return {};
}

void MaskPanel::updateState() {
    canvas_.setMaskOverlay(show_->isChecked() ? mask_->overlay() : QImage());
    const bool haveMask = !mask_->image().isNull();
    for (QAction* action : {invert_, clear_}) action->setEnabled(haveMask);
    find_->setEnabled(canFind());
    if (!haveMask) {
        state_->setText(tr("Open or generate an image to paint a mask."));
    } else if (mask_->isEmpty() && paint_->isChecked()) {
        state_->setText(tr("Paint on the image where the edit should act."));
    } else if (!problem().isEmpty()) {
        state_->setText(problem());
    } else {
        state_->setText(tr("The mask covers %1% of the image.").arg(mask_->coverage() * 100.0, 0, 'f', 1));
    }
}

}  // namespace latentlens::ui
