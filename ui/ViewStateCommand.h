#pragma once

#include <functional>

#include <QElapsedTimer>
#include <QUndoCommand>

#include "ui/ViewState.h"

namespace latentlens::ui {

// One undoable change of what the views show (a generated or opened image, a timestep change,
// directions found, a slider move):
// redo shows `after`, undo shows `before` exactly as it was, from the stored pictures and tensors.
// Timestep changes of the same image made in quick succession (a slider drag) merge into one step,
// and so do live directions (DirectionSet::live) and their refinement.
class ViewStateCommand : public QUndoCommand {
public:
    enum class Kind { NewImage, Timestep, Directions, Refinement, Sliders };
    using Apply = std::function<void(const ViewState&)>;
    static constexpr int kMergeWindowMs = 1500;

    ViewStateCommand(Kind kind, const QString& text, ViewState before, ViewState after, Apply apply);

    void undo() override;
    void redo() override;
    int id() const override;
    bool mergeWith(const QUndoCommand* other) override;

    const ViewState& before() const { return before_; }
    const ViewState& after() const { return after_; }

private:
    Kind kind_;
    ViewState before_;
    ViewState after_;
    Apply apply_;
    QElapsedTimer sinceLastChange_;
};

}  // namespace latentlens::ui
