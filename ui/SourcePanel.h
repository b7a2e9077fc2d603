#pragma once

#include <QWidget>

#include "ui/ModelInfo.h"
#include "ui/PromptSettings.h"

class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace latentlens::ui {

class CollapsibleSection;

// Where images come from: the loaded model (name, resolution, parameters, "Open model folder…"),
// the prompt of a text-conditioned model (prompt, negative prompt, guidance; shown only for one),
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
    // The prompt fields (empty settings for an unconditional model, whose fields are hidden).
    PromptSettings prompt() const;
    void setPrompt(const PromptSettings& prompt);

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
    QGroupBox* promptBox_;
    QLineEdit* prompt_;
    QLineEdit* negativePrompt_;
    QDoubleSpinBox* guidance_;
    bool takesPrompt_ = false;
    CollapsibleSection* advanced_;
};

}  // namespace latentlens::ui
