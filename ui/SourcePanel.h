#pragma once

#include <QWidget>

#include "ui/ModelInfo.h"

class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace latentlens::ui {

class CollapsibleSection;

// Where images come from: the loaded model (name, resolution, parameters, "Open model folder…"),
// seeded generation (seed, dice, Generate), "Open image…", and the Advanced sampling settings
// (steps, eta). It only asks; MainWindow does.
class SourcePanel : public QWidget {
    Q_OBJECT
public:
    explicit SourcePanel(QWidget* parent = nullptr);

    void setModelInfo(const ModelInfo& info);
    void setModelLoading(const QString& folder);

    int seed() const;
    void setSeed(int seed);
    int steps() const;
    void setSteps(int steps);
    double eta() const;
    void setEta(double eta);
    // Steps run 1..T.
    void setTrainTimesteps(int trainTimesteps);

signals:
    void openModelRequested();
    void generateRequested();
    void randomSeedRequested();
    void openImageRequested();

private:
    QLabel* modelName_;
    QLabel* modelDetails_;
    QSpinBox* seed_;
    QSpinBox* steps_;
    QDoubleSpinBox* eta_;
    CollapsibleSection* advanced_;
};

}  // namespace latentlens::ui
