#include "ui/DirectionsPanel.h"

#include <algorithm>
#include <cmath>

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/CollapsibleSection.h"
#include "ui/DirectionCard.h"
#include "ui/SigmaChart.h"

namespace latentlens::ui {

DirectionsPanel::DirectionsPanel(QWidget* parent)
    : QWidget(parent),
      k_(new QSpinBox(this)),
      block_(new QComboBox(this)),
      method_(new QComboBox(this)),
      tolerance_(new QDoubleSpinBox(this)),
      budget_(new QSpinBox(this)),
      find_(new QPushButton(tr("Find directions"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      progress_(new QProgressBar(this)),
      summary_(new QLabel(this)),
      chart_(new SigmaChart(this)),
      grid_(new QWidget),
      gridLayout_(new QGridLayout(grid_)) {
    auto* intro = new QLabel(
        tr("The ways to move this image's noisy latent x<sub>t</sub> that change the model's view of it most "
           "(Park et al. 2023). Find them, then click a card to get its slider."),
        this);
    intro->setWordWrap(true);
    intro->setTextFormat(Qt::RichText);

    k_->setObjectName(QStringLiteral("directionCountSpinBox"));
    k_->setRange(1, 64);
    k_->setValue(10);
    k_->setToolTip(tr("How many directions to find (the strongest first)"));
    block_->setObjectName(QStringLiteral("blockComboBox"));
    block_->setToolTip(tr("The U-Net block whose features the directions change most (mid: the bottleneck)"));
    block_->addItem(tr("mid (bottleneck)"), QStringLiteral("mid"));
    method_->setObjectName(QStringLiteral("methodComboBox"));
    method_->addItem(tr("Block Krylov (fast)"), QStringLiteral("krylov"));
    method_->addItem(tr("Power iteration (the paper's)"), QStringLiteral("power"));
    tolerance_->setObjectName(QStringLiteral("toleranceSpinBox"));
    tolerance_->setDecimals(6);
    tolerance_->setRange(1e-6, 0.5);
    tolerance_->setSingleStep(1e-4);
    tolerance_->setValue(1e-3);
    tolerance_->setToolTip(tr("Stop when every residual ‖JᵀJv − σ²v‖/σ₁² is below this"));
    budget_->setObjectName(QStringLiteral("budgetSpinBox"));
    budget_->setRange(0, 1'000'000);
    budget_->setSingleStep(100);
    budget_->setSpecialValueText(tr("automatic"));
    budget_->setToolTip(tr("Most Jacobian-vector products to spend (each costs about one U-Net call)"));

    auto* advancedContent = new QWidget(this);
    auto* advancedForm = new QFormLayout(advancedContent);
    advancedForm->setContentsMargins(0, 0, 0, 0);
    advancedForm->addRow(tr("Block"), block_);
    advancedForm->addRow(tr("Method"), method_);
    advancedForm->addRow(tr("Tolerance"), tolerance_);
    advancedForm->addRow(tr("Budget"), budget_);
    auto* advanced = new CollapsibleSection(tr("Advanced"), advancedContent, this);
    advanced->setExpanded(false);
    advanced_ = advanced;

    find_->setObjectName(QStringLiteral("findDirectionsButton"));
    find_->setDefault(true);
    find_->setToolTip(tr("Find the directions at the image's x_t (Ctrl+D)"));
    cancel_->setObjectName(QStringLiteral("cancelDirectionsButton"));
    cancel_->setToolTip(tr("Stop the search (Esc)"));
    progress_->setObjectName(QStringLiteral("directionsProgressBar"));
    progress_->setRange(0, 1000);
    progress_->setTextVisible(true);
    summary_->setObjectName(QStringLiteral("directionsSummary"));
    summary_->setWordWrap(true);
    chart_->setObjectName(QStringLiteral("sigmaChart"));

    auto* kRow = new QHBoxLayout;
    kRow->addWidget(new QLabel(tr("Directions"), this));
    kRow->addWidget(k_);
    kRow->addStretch(1);
    kRow->addWidget(find_);
    auto* progressRow = new QHBoxLayout;
    progressRow->addWidget(progress_, 1);
    progressRow->addWidget(cancel_);

    gridLayout_->setContentsMargins(0, 0, 0, 0);
    gridLayout_->setSpacing(6);
    gridLayout_->setAlignment(Qt::AlignTop | Qt::AlignHCenter);
    auto* scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("directionCards"));
    scroll->setWidget(grid_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    layout->addWidget(intro);
    layout->addLayout(kRow);
    layout->addWidget(advanced);
    layout->addLayout(progressRow);
    layout->addWidget(summary_);
    layout->addWidget(chart_);
    layout->addWidget(scroll, 1);

    connect(find_, &QPushButton::clicked, this, &DirectionsPanel::findRequested);
    connect(cancel_, &QPushButton::clicked, this, &DirectionsPanel::cancelRequested);
    setRunning(false);
    setDirections(nullptr, -1, false);
}

DirectionRequest DirectionsPanel::request() const {
    DirectionRequest request;
    request.k = k_->value();
    request.block = block_->currentData().toString();
    request.method = method_->currentData().toString();
    request.tolerance = tolerance_->value();
    request.maxProducts = budget_->value();
    return request;
}

void DirectionsPanel::setRequest(const DirectionRequest& request) {
    k_->setValue(request.k);
    const int block = block_->findData(request.block);
    if (block >= 0) block_->setCurrentIndex(block);
    const int method = method_->findData(request.method);
    if (method >= 0) method_->setCurrentIndex(method);
    tolerance_->setValue(request.tolerance);
    budget_->setValue(static_cast<int>(request.maxProducts));
}

void DirectionsPanel::setModelInfo(const ModelInfo& info) {
    const QString chosen = block_->currentData().toString();
    block_->clear();
    block_->addItem(tr("mid (bottleneck)"), QStringLiteral("mid"));
    for (int i = 0; i < info.blocks; ++i) block_->addItem(tr("down.%1").arg(i), QStringLiteral("down.%1").arg(i));
    for (int i = 0; i < info.blocks; ++i) block_->addItem(tr("up.%1").arg(i), QStringLiteral("up.%1").arg(i));
    block_->setCurrentIndex(std::max(0, block_->findData(chosen)));
}

void DirectionsPanel::setDirections(std::shared_ptr<const DirectionSet> directions, int timestep, bool haveImage,
                                    bool updating) {
    find_->setEnabled(haveImage && !running_);
    grid_->setEnabled(!updating);
    haveImage_ = haveImage;
    timestep_ = timestep;
    if (updating && directions) {
        summary_->setText(tr("Updating the %1 directions of t = %2 for t = %3…")
                              .arg(directions->count())
                              .arg(directions->timestep)
                              .arg(timestep));
    }
    if (directions == directions_ && !cards_.isEmpty()) {
        if (!updating) showSummary();
        return;
    }
    directions_ = std::move(directions);
    for (auto* card : cards_) card->deleteLater();
    cards_.clear();
    columns_ = 0;
    QVector<double> sigmas;
    if (directions_) {
        for (int i = 0; i < directions_->count(); ++i) {
            const auto& images = directions_->cards[i];
            sigmas.append(images.sigma);
            auto* card = new DirectionCard(i, images, directions_->thumbnailAlpha, directions_->followedTimestep, grid_);
            card->setMasked(directions_->maskCoverage >= 0);
            connect(card, &DirectionCard::cardClicked, this, &DirectionsPanel::cardClicked);
            cards_.append(card);
        }
    }
    if (!updating) showSummary();
    chart_->setSigmas(sigmas);
    chart_->setVisible(!sigmas.isEmpty());
    relayoutCards();
}

void DirectionsPanel::addSection(const QString& title, QWidget* content, bool expanded) {
    auto* section = new CollapsibleSection(title, content, this);
    section->setExpanded(expanded);
    auto* layout = static_cast<QVBoxLayout*>(this->layout());
    layout->insertWidget(layout->indexOf(advanced_) + 1, section);
}

void DirectionsPanel::showSummary() {
    if (directions_) {
        QString followed;
        if (directions_->isFollowed()) {
            const int rematched = directions_->rematchedCount();
            followed = tr(" · followed from t = %1%2")
                           .arg(directions_->followedTimestep)
                           .arg(rematched == 0 ? QString() : tr(", %n re-matched", nullptr, rematched));
        }
        const QString space =
            directions_->maskCoverage >= 0
                ? tr("in the mask: %1% of the image, %2 held still")
                      .arg(directions_->maskCoverage * 100.0, 0, 'f', 1)
                      .arg(directions_->nullRank == 1 ? tr("1 outside direction")
                                                      : tr("%1 outside directions").arg(directions_->nullRank))
                : tr("%1 block").arg(directions_->block);
        summary_->setText(tr("%1 directions at t = %2 (%3) · %4 Jacobian products · worst residual %5%6 · %7 s%8")
                              .arg(directions_->count())
                              .arg(directions_->timestep)
                              .arg(space)
                              .arg(directions_->products)
                              .arg(directions_->worstResidual, 0, 'g', 2)
                              .arg(directions_->live        ? tr(" (live: refining…)")
                                   : directions_->converged ? QString()
                                                            : tr(" (budget reached)"))
                              .arg(directions_->seconds, 0, 'f', 2)
                              .arg(followed));
    } else if (!haveImage_) {
        summary_->setText(tr("Generate or open an image first."));
    } else {
        summary_->setText(tr("No directions at t = %1 yet: press Find directions. They belong to one image at "
                             "one timestep, so a new image or t needs a new search.")
                              .arg(timestep_));
    }
}

void DirectionsPanel::setOnStack(const QList<int>& directions) {
    for (auto* card : cards_) card->setOnStack(directions.contains(card->index()));
    chart_->setHighlighted(directions);
}

void DirectionsPanel::setRunning(bool running) {
    running_ = running;
    find_->setEnabled(!running);
    progress_->setVisible(running);
    cancel_->setVisible(running);
    if (running) {
        progress_->setValue(0);
        progress_->setFormat(tr("Starting…"));
    }
}

void DirectionsPanel::setProgress(double fraction, const QString& message) {
    progress_->setValue(static_cast<int>(std::lround(std::clamp(fraction, 0.0, 1.0) * 1000)));
    progress_->setFormat(message);
    progress_->setToolTip(message);
}

void DirectionsPanel::relayoutCards() {
    const int cardWidth = cards_.isEmpty() ? 1 : cards_.first()->sizeHint().width();
    const int columns = std::max(1, (grid_->parentWidget() ? grid_->parentWidget()->width() : width()) /
                                        (cardWidth + gridLayout_->spacing()));
    if (columns == columns_) return;
    columns_ = columns;
    for (auto* card : cards_) gridLayout_->removeWidget(card);
    for (int i = 0; i < cards_.size(); ++i) {
        gridLayout_->addWidget(cards_[i], i / columns, i % columns);
        cards_[i]->show();
    }
}

void DirectionsPanel::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    columns_ = 0;
    relayoutCards();
}

}  // namespace latentlens::ui
