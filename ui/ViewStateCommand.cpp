#include "ui/ViewStateCommand.h"

#include "ui/DirectionSet.h"
#include "ui/LatentState.h"

namespace latentlens::ui {

ViewStateCommand::ViewStateCommand(Kind kind, const QString& text, ViewState before, ViewState after, Apply apply)
    : kind_(kind), before_(std::move(before)), after_(std::move(after)), apply_(std::move(apply)) {
    setText(text);
    sinceLastChange_.start();
}

void ViewStateCommand::undo() { apply_(before_); }

void ViewStateCommand::redo() { apply_(after_); }

int ViewStateCommand::id() const {
    switch (kind_) {
        case Kind::Timestep: return 1;
        case Kind::Directions:
        case Kind::Refinement: return 2;
        default: return -1;
    }
}

bool ViewStateCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = dynamic_cast<const ViewStateCommand*>(other);
    if (next && next->kind_ == Kind::Refinement) {
        // The refined directions of the live ones this command shows: one step with them.
        if (!after_.directions || !after_.directions->live || after_.latents != next->after_.latents) return false;
        after_ = next->after_;
        return true;
    }
    if (!next || next->kind_ != Kind::Timestep || kind_ != Kind::Timestep) return false;
    if (sinceLastChange_.elapsed() > kMergeWindowMs) return false;
    if (!after_.latents || !next->after_.latents || after_.latents->imageId != next->after_.latents->imageId)
        return false;
    after_ = next->after_;
    setText(next->text());
    sinceLastChange_.restart();
    // Dragged back to where it started: nothing left to undo.
    if (before_.latents && before_.latents->imageId == after_.latents->imageId && before_.timestep == after_.timestep)
        setObsolete(true);
    return true;
}

}  // namespace latentlens::ui
