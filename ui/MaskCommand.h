#pragma once

#include <QImage>
#include <QUndoCommand>

namespace latentlens::ui {

class EditMask;

// One undoable change of the painted mask (a stroke, invert, clear, a loaded mask): redo shows
// `after`, undo `before`. The first redo is a no-op when the mask already shows `after` (a
// stroke is painted live, then pushed).
class MaskCommand : public QUndoCommand {
public:
    MaskCommand(EditMask& mask, const QString& text, QImage before, QImage after);

    void undo() override;
    void redo() override;

private:
    EditMask& mask_;
    QImage before_;
    QImage after_;
};

}  // namespace latentlens::ui
