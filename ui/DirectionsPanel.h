#pragma once

#include <memory>

#include <QList>
#include <QWidget>

#include "ui/DirectionSet.h"
#include "ui/ModelInfo.h"

class QComboBox;
class QDoubleSpinBox;
class QGridLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace latentlens::ui {

class DirectionCard;
class SigmaChart;

// The "Directions" dock: how many directions to find (k, and in Advanced the block, method,
// tolerance and budget), the Find button, the running search's progress with Cancel, the σ bar
// chart and a grid of DirectionCards. Clicking a card asks for its slider (cardClicked).
class DirectionsPanel : public QWidget {
    Q_OBJECT
public:
    explicit DirectionsPanel(QWidget* parent = nullptr);

    DirectionRequest request() const;
    void setRequest(const DirectionRequest& request);
    void setModelInfo(const ModelInfo& info);  // the blocks to offer
    // The directions of the view (null: none); `timestep` is the view's t, for the hint. `updating`:
    // the directions are another timestep's, shown (disabled) while they are recomputed for `timestep`.
    void setDirections(std::shared_ptr<const DirectionSet> directions, int timestep, bool haveImage,
                       bool updating = false);
    void setOnStack(const QList<int>& directions);
    void setRunning(bool running);
    void setProgress(double fraction, const QString& message);
    bool isRunning() const { return running_; }
    QList<DirectionCard*> cards() const { return cards_; }
    // A further titled, collapsible section under Advanced (e.g. the mask tools).
    void addSection(const QString& title, QWidget* content, bool expanded);

signals:
    void findRequested();
    void cancelRequested();
    void cardClicked(int direction);

private:
    void relayoutCards();
    void showSummary();
    void resizeEvent(QResizeEvent* event) override;

    QSpinBox* k_;
    QComboBox* block_;
    QComboBox* method_;
    QDoubleSpinBox* tolerance_;
    QSpinBox* budget_;
    QWidget* advanced_ = nullptr;
    QPushButton* find_;
    QPushButton* cancel_;
    QProgressBar* progress_;
    QLabel* summary_;
    SigmaChart* chart_;
    QWidget* grid_;
    QGridLayout* gridLayout_;
    QList<DirectionCard*> cards_;
    std::shared_ptr<const DirectionSet> directions_;
    bool running_ = false;
    bool haveImage_ = false;
    int timestep_ = -1;
    int columns_ = 0;
};

}  // namespace latentlens::ui
