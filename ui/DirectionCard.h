#pragma once

#include <QPointer>
#include <QWidget>

#include "ui/DirectionSet.h"

class QLabel;

namespace latentlens::ui {

// One card of the directions grid: "Direction i" with σ_i, the direction v_i as a picture
// (diverging colours: red brightens, blue darkens) and the image edited to −α and +α along it.
// Hovering shows the three pictures enlarged beside the card (inside its window) with a caption; clicking adds the direction to the
// slider stack (cardClicked).
class DirectionCard : public QWidget {
    Q_OBJECT
public:
    static constexpr int kThumbnail = 56;  // logical pixels per picture

    // followedTimestep: the timestep of the set the card's set follows (-1: none); the card then
    // says when its direction continues another number ("was 2") or none ("new").
    DirectionCard(int index, DirectionCardImages images, double alpha, int followedTimestep = -1,
                  QWidget* parent = nullptr);
    ~DirectionCard() override;

    int index() const { return index_; }
    // Marks the card as having a slider.
    void setOnStack(bool onStack);
    bool isOnStack() const { return onStack_; }
    // A local-edit direction: σ measures the predicted image inside the mask, not the features.
    void setMasked(bool masked) { masked_ = masked; }
    QSize sizeHint() const override;

signals:
    void cardClicked(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void enterEvent(QEnterEvent* event) override;
    void leaveEvent(QEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;

private:
    QPixmap enlarged() const;
    QString caption() const;  // what the card shows, in words (under the enlarged pictures)
    QString matchNote() const;  // " (was 2)", " (new)" or empty

    int index_;
    DirectionCardImages images_;
    double alpha_;
    int followedTimestep_;
    bool onStack_ = false;
    bool masked_ = false;
    bool hovered_ = false;
    QPointer<QLabel> popup_;  // the enlarged view while hovered: a child of the card's window
};

}  // namespace latentlens::ui
