#include "ui/SourcePanel.h"

#include <limits>

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include "ui/CollapsibleSection.h"

namespace latentlens::ui {
namespace {

QString parameterText(qint64 parameters) {
    if (parameters >= 1'000'000'000) return QObject::tr("%1 B parameters").arg(parameters / 1e9, 0, 'f', 2);
    if (parameters >= 1'000'000) return QObject::tr("%1 M parameters").arg(parameters / 1e6, 0, 'f', 2);
    if (parameters >= 1'000) return QObject::tr("%1 k parameters").arg(parameters / 1e3, 0, 'f', 1);
    return QObject::tr("%1 parameters").arg(parameters);
}

QLabel* hintLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

}  // namespace

SourcePanel::SourcePanel(QWidget* parent) : QWidget(parent) {
    // Model.
    auto* modelBox = new QGroupBox(tr("Model"), this);
    modelName_ = new QLabel(tr("No model"), modelBox);
    modelName_->setObjectName(QStringLiteral("modelNameLabel"));
    QFont bold = modelName_->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.15);
    modelName_->setFont(bold);
    modelName_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    modelDetails_ = new QLabel(modelBox);
    modelDetails_->setObjectName(QStringLiteral("modelDetailsLabel"));
    modelDetails_->setWordWrap(true);
    auto* openModel = new QPushButton(tr("Open model folder…"), modelBox);
    openModel->setToolTip(tr("A diffusers UNet2DModel folder (config.json + safetensors) or a Stable Diffusion "
                             "pipeline folder (model_index.json) (Ctrl+Shift+O)"));
    auto* modelLayout = new QVBoxLayout(modelBox);
    modelLayout->addWidget(modelName_);
    modelLayout->addWidget(modelDetails_);
    modelLayout->addWidget(openModel);

    // The prompt of a text-conditioned model.
    promptBox_ = new QGroupBox(tr("Prompt"), this);
    promptBox_->setObjectName(QStringLiteral("promptBox"));
    prompt_ = new QLineEdit(promptBox_);
    prompt_->setObjectName(QStringLiteral("promptEdit"));
    prompt_->setPlaceholderText(tr("What the image shows, e.g. a photo of a cat"));
    prompt_->setToolTip(tr("The text prompt: images are sampled under it, and directions are found under it"));
    negativePrompt_ = new QLineEdit(promptBox_);
    negativePrompt_->setObjectName(QStringLiteral("negativePromptEdit"));
    negativePrompt_->setPlaceholderText(tr("optional"));
    negativePrompt_->setToolTip(tr("What guidance steers away from (empty: the unconditional prediction)"));
    guidance_ = new QDoubleSpinBox(promptBox_);
    guidance_->setObjectName(QStringLiteral("guidanceSpinBox"));
    guidance_->setRange(1.0, 30.0);
    guidance_->setSingleStep(0.5);
    guidance_->setDecimals(1);
    guidance_->setValue(7.5);
    guidance_->setToolTip(tr("Classifier-free guidance scale: how strongly the image follows the prompt (1: the prompt "
                             "alone, no guidance; each step then costs one U-Net call instead of two)"));
    auto* promptForm = new QFormLayout(promptBox_);
    promptForm->addRow(tr("Prompt"), prompt_);
    promptForm->addRow(tr("Negative"), negativePrompt_);
    promptForm->addRow(tr("Guidance"), guidance_);
    promptBox_->hide();

    // Image: generate from a seed, or open one.
    auto* imageBox = new QGroupBox(tr("Image"), this);
    seed_ = new QSpinBox(imageBox);
    seed_->setObjectName(QStringLiteral("seedSpinBox"));
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setToolTip(tr("The noise seed: the same seed, steps and eta give the same image"));
    auto* dice = new QToolButton(imageBox);
    dice->setObjectName(QStringLiteral("randomSeedButton"));
    dice->setIcon(QIcon(QStringLiteral(":/icons/dice.png")));
    dice->setIconSize(QSize(20, 20));
    dice->setToolTip(tr("Random seed, then generate (Ctrl+R)"));
    auto* generate = new QPushButton(tr("Generate"), imageBox);
    generate->setObjectName(QStringLiteral("generateButton"));
    generate->setToolTip(tr("Generate the image of this seed by DDIM (Ctrl+G)"));
    generate->setDefault(true);
    QFont generateFont = generate->font();
    generateFont.setBold(true);
    generate->setFont(generateFont);
    generate->setMinimumHeight(generate->sizeHint().height() + 6);
    auto* openImage = new QPushButton(tr("Open image…"), imageBox);
    openImage->setToolTip(tr("Fit an image file to the model and DDIM-invert it to t (Ctrl+O)"));

    auto* seedRow = new QHBoxLayout;
    seedRow->addWidget(new QLabel(tr("Seed"), imageBox));
    seedRow->addWidget(seed_, 1);
    seedRow->addWidget(dice);

    // Advanced sampling settings, folded away.
    auto* advancedContent = new QWidget;
    steps_ = new QSpinBox(advancedContent);
    steps_->setObjectName(QStringLiteral("stepsSpinBox"));
    steps_->setRange(1, 1000);
    steps_->setValue(50);
    steps_->setToolTip(tr("DDIM steps of a full trajectory from pure noise to the image"));
    eta_ = new QDoubleSpinBox(advancedContent);
    eta_->setObjectName(QStringLiteral("etaSpinBox"));
    eta_->setRange(0.0, 1.0);
    eta_->setSingleStep(0.1);
    eta_->setDecimals(2);
    eta_->setToolTip(tr("DDIM eta: 0 is deterministic; 1 adds as much fresh noise per step as DDPM"));
    auto* advancedForm = new QFormLayout(advancedContent);
    advancedForm->setContentsMargins(18, 0, 0, 0);
    advancedForm->addRow(tr("Steps"), steps_);
    advancedForm->addRow(tr("Eta"), eta_);
    advanced_ = new CollapsibleSection(tr("Advanced"), advancedContent, imageBox);
    advanced_->setObjectName(QStringLiteral("advancedSection"));

    auto* imageLayout = new QVBoxLayout(imageBox);
    imageLayout->addLayout(seedRow);
    imageLayout->addWidget(generate);
    imageLayout->addSpacing(6);
    imageLayout->addWidget(openImage);
    imageLayout->addWidget(hintLabel(tr("or drop an image file on the canvas"), imageBox));
    imageLayout->addSpacing(4);
    imageLayout->addWidget(advanced_);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(modelBox);
    layout->addWidget(promptBox_);
    layout->addWidget(imageBox);
    layout->addStretch(1);

    connect(openModel, &QPushButton::clicked, this, &SourcePanel::openModelRequested);
    connect(dice, &QToolButton::clicked, this, &SourcePanel::randomSeedRequested);
    connect(generate, &QPushButton::clicked, this, &SourcePanel::generateRequested);
    connect(seed_, &QSpinBox::editingFinished, this, [this] {
        if (seed_->hasFocus()) emit generateRequested();  // Enter in the seed box
    });
    connect(openImage, &QPushButton::clicked, this, &SourcePanel::openImageRequested);
    connect(prompt_, &QLineEdit::returnPressed, this, &SourcePanel::generateRequested);
    connect(negativePrompt_, &QLineEdit::returnPressed, this, &SourcePanel::generateRequested);
}

PromptSettings SourcePanel::prompt() const {
    if (!takesPrompt_) return {};
    return {prompt_->text(), negativePrompt_->text(), guidance_->value()};
}

void SourcePanel::setPrompt(const PromptSettings& prompt) {
    prompt_->setText(prompt.prompt);
    negativePrompt_->setText(prompt.negativePrompt);
    guidance_->setValue(prompt.guidance);
}

void SourcePanel::setModelInfo(const ModelInfo& info) {
    takesPrompt_ = !info.isNull() && info.takesPrompt;
    promptBox_->setVisible(takesPrompt_);
    if (info.isNull()) {
        modelName_->setText(tr("No model"));
        modelDetails_->setText(tr("Open a diffusers model folder to start."));
        return;
    }
    modelName_->setText(info.name);
    modelName_->setToolTip(info.folder);
    const QString colour = info.channels == 1   ? tr("grayscale")
                           : info.channels == 3 ? tr("RGB")
                                                : tr("%1 channels").arg(info.channels);
    modelDetails_->setText(tr("%1 × %1 %2\n%3\nT = %4 timesteps · %5")
                               .arg(info.size)
                               .arg(colour, parameterText(info.parameters))
                               .arg(info.trainTimesteps)
                               .arg(info.precision));
    modelDetails_->setToolTip(QStringLiteral("<pre>%1</pre>").arg(info.description.toHtmlEscaped()));
}

void SourcePanel::setModelLoading(const QString& folder) { modelDetails_->setText(tr("Loading %1…").arg(folder)); }

int SourcePanel::seed() const { return seed_->value(); }

void SourcePanel::setSeed(int seed) { seed_->setValue(seed); }

int SourcePanel::steps() const { return steps_->value(); }

void SourcePanel::setSteps(int steps) { steps_->setValue(steps); }

double SourcePanel::eta() const { return eta_->value(); }

void SourcePanel::setEta(double eta) { eta_->setValue(eta); }

void SourcePanel::setTrainTimesteps(int trainTimesteps) { steps_->setMaximum(std::max(1, trainTimesteps)); }

}  // namespace latentlens::ui
