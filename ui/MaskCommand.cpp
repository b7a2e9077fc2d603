#include "ui/MaskCommand.h"

#include "ui/EditMask.h"

namespace latentlens::ui {

MaskCommand::MaskCommand(EditMask& mask, const QString& text, QImage before, QImage after)
    : QUndoCommand(text), mask_(mask), before_(std::move(before)), after_(std::move(after)) {}

void MaskCommand::undo() { mask_.setImage(before_); }

void MaskCommand::redo() {
    if (mask_.image() != after_) mask_.setImage(after_);
}

}  // namespace latentlens::ui
