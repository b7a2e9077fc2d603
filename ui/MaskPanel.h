#pragma once

#include <QWidget>

class QAction;
class QCheckBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QToolButton;
class QUndoStack;

namespace latentlens::ui {

class EditMask;
class ImageCanvas;

// The "Local edit" section of the Directions panel and the mask brush on the canvas (LOCO Edit):
// Paint (M) turns the canvas into a brush — left button paints, right button erases, middle
// button pans — with a size ([ and ]) and a soft edge; Erase (E) swaps the buttons; Invert
// (Ctrl+I), Clear (Ctrl+Shift+Backspace) and Show mask (Shift+M). Every stroke, invert and clear
// is one step on the window's undo stack. "Find directions in the mask" asks for directions that
// change only the painted region.
class MaskPanel : public QWidget {
    Q_OBJECT
public:
    MaskPanel(ImageCanvas& canvas, QUndoStack& undoStack, QWidget* parent = nullptr);

    EditMask& mask() const { return *mask_; }
    // The picture's size: a mask of another size is cleared (without an undo step).
    void setImageSize(const QSize& size);
    // Replaces the mask as one undo step (a session's mask); null clears it.
    void setMaskImage(const QImage& image, const QString& undoText);
    // Whether directions can be found now (an image is shown and nothing runs).
    void setFindEnabled(bool enabled);
    // The mask is painted somewhere but not everywhere, and "Find in the mask" may run.
    bool canFind() const;
    // Why the mask cannot be used for a local edit (empty or full), for messages; empty if it can.
    QString problem() const;
    // Paint, erase, brush size, invert, clear and show: for the window's menu and shortcuts.
    QList<QAction*> maskActions() const;
    QAction* paintAction() const { return paint_; }
    int nullRank() const;

signals:
    void findInMaskRequested();

private:
    void updateState();
    void finishStroke();

    ImageCanvas& canvas_;
    QUndoStack& undoStack_;
    EditMask* mask_;
    QAction* paint_;
    QAction* erase_;
    QAction* invert_;
    QAction* clear_;
    QAction* show_;
    QAction* smaller_;
    QAction* larger_;
    QSpinBox* size_;
    QSpinBox* softness_;
    QSpinBox* nullRank_;
    QPushButton* find_;
    QLabel* state_;
    QString canvasTip_;
    bool findEnabled_ = false;
    bool erasing_ = false;
};

}  // namespace latentlens::ui
