#pragma once

#include <memory>

#include <QList>
#include <QMap>
#include <QWidget>

class QLabel;
class QPushButton;
class QVBoxLayout;

namespace latentlens::ui {

class DirectionSlider;
struct DirectionSet;

// The sliders of the chosen directions (one DirectionSlider per direction, in the order they were
// added), "Reset all" and the before/after toggle. Dragging asks for previews, releasing for the
// final edit; the window answers with setSliders() once the result is shown, so the stack always
// mirrors the view state (and undo).
class SliderStack : public QWidget {
    Q_OBJECT
public:
    explicit SliderStack(QWidget* parent = nullptr);

    // Rebuilds the rows when the directions or the list of sliders changed; else only moves them.
    // Emits nothing.
    void setSliders(std::shared_ptr<const DirectionSet> directions, const QList<int>& sliders,
                    const QMap<int, double>& alphas);
    QList<int> sliders() const { return sliders_; }
    QMap<int, double> alphas() const;
    DirectionSlider* sliderFor(int direction) const;
    bool showsOriginal() const;
    void setShowsOriginal(bool original);
    // Large rows (big font, pictures and handles) for demo mode.
    void setLarge(bool large);
    bool isLarge() const { return large_; }

signals:
    // The α of every slider with `direction` at `alpha` (a drag in progress).
    void previewRequested(const QMap<int, double>& alphas, int direction);
    // Sliders and α to render and keep (release, keyboard, remove, reset).
    void commitRequested(const QList<int>& sliders, const QMap<int, double>& alphas, int direction);
    void showOriginalToggled(bool original);

private:
    void clearRows();

    std::shared_ptr<const DirectionSet> directions_;
    QList<int> sliders_;
    QList<DirectionSlider*> rows_;
    QVBoxLayout* rowsLayout_;
    QLabel* hint_;
    QPushButton* resetAll_;
    QPushButton* beforeAfter_;
    bool large_ = false;
};

}  // namespace latentlens::ui
