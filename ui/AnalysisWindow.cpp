#include "ui/AnalysisWindow.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <QChart>
#include <QChartView>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPainter>
#include <QPixmap>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>
#include <QValueAxis>

#include <torch/torch.h>

#include "io/DirectionSheet.h"
#include "ui/TensorImage.h"

namespace latentlens::ui {
namespace {

const char* const kTabNames[kAnalysisKindCount] = {"Coarse-to-fine", "Similarity", "Timesteps", "Curvedness",
                                                   "Compare",        "Prompts",    "Text dependence"};

QColor viridis(double fraction) {
    static const QColor stops[] = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    const double f = std::clamp(fraction, 0.0, 1.0) * 4.0;
    const int i = std::min(static_cast<int>(f), 3);
    const double s = f - i;
    auto mix = [&](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * s)); };
    return {mix(stops[i].red(), stops[i + 1].red()), mix(stops[i].green(), stops[i + 1].green()),
            mix(stops[i].blue(), stops[i + 1].blue())};
}

// A similarity matrix as coloured cells (viridis from `low` to `high`) with the row / column labels.
QImage heatmapImage(const torch::Tensor& matrix, const QStringList& labels, const QString& title, double low = 0.0,
                    double high = 1.0) {
    auto m = matrix.to(torch::kCPU, torch::kFloat64).contiguous();
    const int rows = static_cast<int>(m.size(0)), columns = static_cast<int>(m.size(1));
    const int cell = std::clamp(300 / std::max(rows, columns), 8, 36), band = 40;
    QImage image(band + columns * cell + 8, 24 + rows * cell + band, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    painter.drawText(QRect(0, 0, image.width(), 22), Qt::AlignCenter, title);
    auto data = m.accessor<double, 2>();
    for (int r = 0; r < rows; ++r) {
        for (int c = 0; c < columns; ++c) painter.fillRect(band + c * cell, 24 + r * cell, cell, cell,
                                                           viridis(high > low ? (data[r][c] - low) / (high - low) : 1.0));
        if (r < labels.size()) painter.drawText(QRect(0, 24 + r * cell, band - 4, cell), Qt::AlignRight | Qt::AlignVCenter, labels[r]);
    }
    for (int c = 0; c < columns && c < labels.size(); ++c) {
        painter.save();
        painter.translate(band + c * cell + cell / 2 + 4, 24 + rows * cell + 4);
        painter.rotate(90);
        painter.drawText(0, 0, labels[c]);
        painter.restore();
    }
    return image;
}

QStringList timestepLabels(const std::vector<int64_t>& timesteps) {
    QStringList labels;
    for (auto t : timesteps) labels << QString::number(t);
    return labels;
}

QLineSeries* lineSeries(const QString& name, const std::vector<double>& x, const torch::Tensor& y) {
    auto* series = new QLineSeries;
    series->setName(name);
    series->setPointsVisible(true);
    auto values = y.to(torch::kCPU, torch::kFloat64).contiguous();
    for (size_t i = 0; i < x.size(); ++i) series->append(x[i], values[static_cast<int64_t>(i)].item<double>());
    return series;
}

std::vector<double> asDoubles(const std::vector<int64_t>& values) { return {values.begin(), values.end()}; }

// Images side by side on a white strip.
QImage sideBySide(const std::vector<QImage>& images, int gap) {
    int width = 0, height = 0;
    for (const auto& image : images) {
        width += image.width() + gap;
        height = std::max(height, image.height());
    }
    QImage row(std::max(width, 1), std::max(height, 1), QImage::Format_RGB32);
    row.fill(Qt::white);
    QPainter painter(&row);
    int x = 0;
    for (const auto& image : images) {
        painter.drawImage(x, 0, image);
        x += image.width() + gap;
    }
    return row;
}

// Replaces the chart's content: the series, value axes with the titles, x reversed (generation
// runs left to right).
void setChart(QChartView* view, const QString& title, const QString& xTitle, const QString& yTitle,
              const QList<QLineSeries*>& series, std::optional<double> yMin = std::nullopt) {
    auto* chart = view->chart();
    chart->removeAllSeries();
    for (auto* axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    chart->setTitle(title);
    auto* xAxis = new QValueAxis;
    auto* yAxis = new QValueAxis;
    xAxis->setTitleText(xTitle);
    xAxis->setReverse(true);
    yAxis->setTitleText(yTitle);
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    double low = std::numeric_limits<double>::infinity(), high = -low, left = low, right = -low;
    for (auto* s : series) {
        chart->addSeries(s);
        s->attachAxis(xAxis);
        s->attachAxis(yAxis);
        for (const auto& p : s->points()) {
            low = std::min(low, p.y());
            high = std::max(high, p.y());
            left = std::min(left, p.x());
            right = std::max(right, p.x());
        }
    }
    if (std::isfinite(low)) {
        if (yMin) low = std::min(low, *yMin);
        const double pad = high > low ? 0.05 * (high - low) : 0.5;
        yAxis->setRange(yMin ? *yMin : low - pad, high + pad);
        xAxis->setRange(left, right > left ? right : left + 1);
    }
}

}  // namespace

AnalysisWindow::AnalysisWindow(const QString& modelFolder, QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("LatentLens - Analysis"));
    auto* central = new QWidget;
    auto* columns = new QHBoxLayout(central);

    auto* form = new QFormLayout;
    auto* formBox = new QWidget;
    formBox->setLayout(form);
    formBox->setMaximumWidth(330);
    modelFolder_ = new QLineEdit(modelFolder);
    secondModelFolder_ = new QLineEdit;
    secondModelFolder_->setPlaceholderText(tr("model folder to compare with"));
    auto folderRow = [this](QLineEdit* edit) {
        auto* row = new QWidget;
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto* browse = new QPushButton(tr("..."));
        browse->setMaximumWidth(32);
        connect(browse, &QPushButton::clicked, this, [this, edit] {
            const auto folder = QFileDialog::getExistingDirectory(this, tr("Model folder"), edit->text());
            if (!folder.isEmpty()) edit->setText(folder);
        });
        layout->addWidget(edit);
        layout->addWidget(browse);
        return row;
    };
    form->addRow(tr("Model"), folderRow(modelFolder_));
    form->addRow(tr("Compare with"), folderRow(secondModelFolder_));
    auto addInt = [&](const QString& name, const QString& label, int low, int high, int value, const QString& tip) {
        auto* box = new QSpinBox;
        box->setObjectName(name);
        box->setRange(low, high);
        box->setValue(value);
        box->setToolTip(tip);
        form->addRow(label, box);
    };
    auto addFraction = [&](const QString& name, const QString& label, double value, const QString& tip) {
        auto* box = new QDoubleSpinBox;
        box->setObjectName(name);
        box->setRange(0.0, 0.99);
        box->setSingleStep(0.05);
        box->setValue(value);
        box->setToolTip(tip);
        form->addRow(label, box);
    };
    addInt("k", tr("Directions k"), 1, 1000, 10, tr("Top-k directions of each basis"));
    addInt("count", tr("Timesteps"), 1, 100, 10, tr("Number of timesteps of the sweep"));
    addFraction("from", tr("From t/T"), 0.9, tr("First timestep as a fraction of T"));
    addFraction("to", tr("To t/T"), 0.1, tr("Last timestep as a fraction of T"));
    addInt("steps", tr("DDIM steps"), 1, 1000, 50, tr("Steps of the trajectory that reaches each x_t"));
    addInt("seed", tr("Seed"), 0, 1000000, 0, tr("The sample's noise seed (the first of several; sample A)"));
    addInt("samples", tr("Samples"), 2, 256, 8, tr("Samples compared (Similarity, Compare)"));
    addInt("seedB", tr("Seed B"), 0, 1000000, 1, tr("Sample B of Curvedness"));
    addInt("segments", tr("Segments"), 1, 256, 8, tr("Pieces of the segment between A and B (Curvedness)"));
    prompts_ = new QPlainTextEdit(QStringLiteral("a photograph of a cat\na photograph of a dog\na painting of a cat"));
    prompts_->setObjectName("prompts");
    prompts_->setToolTip(tr("Text-conditioned models (Stable Diffusion): one prompt a line. The first is the prompt of "
                            "the other analyses and the reference prompt z_t is sampled under for Prompts; Text "
                            "dependence runs every line. Ignored for unconditional models."));
    prompts_->setMaximumHeight(96);
    form->addRow(tr("Prompts"), prompts_);
    negativePrompt_ = new QLineEdit;
    negativePrompt_->setObjectName("negativePrompt");
    negativePrompt_->setPlaceholderText(tr("negative prompt (optional)"));
    form->addRow(tr("Negative"), negativePrompt_);
    auto* guidance = new QDoubleSpinBox;
    guidance->setObjectName("guidance");
    guidance->setRange(0.0, 30.0);
    guidance->setSingleStep(0.5);
    guidance->setValue(7.5);
    guidance->setToolTip(tr("Classifier-free guidance of the sampling of z_t (J is taken without guidance)"));
    form->addRow(tr("Guidance"), guidance);
    columns->addWidget(formBox);

    auto* right = new QVBoxLayout;
    tabs_ = new QTabWidget;
    for (int i = 0; i < kAnalysisKindCount; ++i) {
        auto* page = new QWidget;
        auto* layout = new QVBoxLayout(page);
        charts_[i] = new QChartView(new QChart);
        charts_[i]->setRenderHint(QPainter::Antialiasing);
        charts_[i]->setMinimumSize(480, 300);
        pictures_[i] = new QLabel;
        pictures_[i]->setAlignment(Qt::AlignCenter);
        layout->addWidget(charts_[i], 3);
        auto* scroll = new QScrollArea;
        scroll->setWidget(pictures_[i]);
        scroll->setWidgetResizable(true);
        layout->addWidget(scroll, 2);
        tabs_->addTab(page, tr(kTabNames[i]));
    }
    right->addWidget(tabs_);
    auto* bottom = new QHBoxLayout;
    progress_ = new QProgressBar;
    progress_->setRange(0, 1000);
    status_ = new QLabel(tr("Choose an analysis and press Run."));
    run_ = new QPushButton(tr("Run"));
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    bottom->addWidget(status_, 1);
    bottom->addWidget(progress_);
    bottom->addWidget(run_);
    bottom->addWidget(cancel_);
    right->addLayout(bottom);
    columns->addLayout(right, 1);
    setCentralWidget(central);
    resize(1100, 720);

    thread_ = new QThread(this);
    worker_ = new AnalysisWindowWorker;
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &AnalysisWindowWorker::progressed, this, [this](double fraction, const QString& message) {
        if (!running_) return;
        progress_->setValue(static_cast<int>(std::lround(fraction * 1000)));
        status_->setText(message);
    });
    connect(worker_, &AnalysisWindowWorker::finished, this, [this](std::shared_ptr<const AnalysisOutcome> outcome) {
        setRunning(false);
        showOutcome(*outcome);
        status_->setText(tr("Done in %1 s.").arg(outcome->seconds, 0, 'f', 1));
        emit analysisFinished();
    });
    connect(worker_, &AnalysisWindowWorker::failed, this, [this](const QString& message) {
        setRunning(false);
        status_->setText(tr("Failed: %1").arg(message));
        emit analysisFailed(message);
    });
    connect(worker_, &AnalysisWindowWorker::cancelled, this, [this] {
        setRunning(false);
        status_->setText(tr("Cancelled."));
        emit analysisCancelled();
    });
    connect(run_, &QPushButton::clicked, this, &AnalysisWindow::runCurrent);
    connect(cancel_, &QPushButton::clicked, this, &AnalysisWindow::cancel);
    thread_->start();
}

AnalysisWindow::~AnalysisWindow() {
    worker_->cancel();  // the running analysis stops at its next check
    thread_->quit();
    thread_->wait();
}

void AnalysisWindow::setModelFolder(const QString& folder) { modelFolder_->setText(folder); }

QSpinBox* AnalysisWindow::intField(const QString& name) const { return findChild<QSpinBox*>(name); }
QDoubleSpinBox* AnalysisWindow::fractionField(const QString& name) const { return findChild<QDoubleSpinBox*>(name); }
QString AnalysisWindow::statusText() const { return status_->text(); }

QList<QLineSeries*> AnalysisWindow::series(AnalysisKind kind) const {
    QList<QLineSeries*> result;
    for (auto* s : charts_[static_cast<int>(kind)]->chart()->series()) {
        if (auto* line = qobject_cast<QLineSeries*>(s)) result << line;
    }
    return result;
}

AnalysisRequest AnalysisWindow::request() const {
    AnalysisRequest request;
    request.kind = static_cast<AnalysisKind>(tabs_->currentIndex());
    request.modelFolder = modelFolder_->text().trimmed();
    request.secondModelFolder = secondModelFolder_->text().trimmed();
    request.sweep.basis.k = intField("k")->value();
    request.sweep.count = intField("count")->value();
    request.sweep.from = fractionField("from")->value();
    request.sweep.to = fractionField("to")->value();
    request.sweep.steps = intField("steps")->value();
    request.seed = static_cast<uint64_t>(intField("seed")->value());
    request.samples = intField("samples")->value();
    request.seedB = static_cast<uint64_t>(intField("seedB")->value());
    request.segments = intField("segments")->value();
    request.prompts = prompts_->toPlainText().split('\n');
    request.negativePrompt = negativePrompt_->text();
    request.guidance = fractionField("guidance")->value();
    return request;
}

void AnalysisWindow::runCurrent() {
    if (running_) return;
    const auto job = request();
    setRunning(true);
    status_->setText(tr("Running %1...").arg(tabs_->tabText(tabs_->currentIndex())));
    worker_->run(job);
}

void AnalysisWindow::cancel() {
    if (!running_) return;
    worker_->cancel();
    status_->setText(tr("Cancelling..."));
}

void AnalysisWindow::setRunning(bool running) {
    running_ = running;
    run_->setEnabled(!running);
    cancel_->setEnabled(running);
    tabs_->tabBar()->setEnabled(!running);
    progress_->setValue(0);
}

void AnalysisWindow::showOutcome(const AnalysisOutcome& outcome) {
    switch (outcome.kind) {
    case AnalysisKind::CoarseToFine: showCoarseToFine(*outcome.coarseToFine); break;
    case AnalysisKind::Similarity: showSimilarity(outcome.similarity.front()); break;
    case AnalysisKind::Timesteps: showTimesteps(*outcome.timesteps); break;
    case AnalysisKind::Curvedness: showCurvedness(*outcome.curvedness); break;
    case AnalysisKind::Compare: showComparison(outcome); break;
    case AnalysisKind::Prompts: showPrompts(*outcome.prompts); break;
    case AnalysisKind::TextDependence: showTextDependence(*outcome.textDependence); break;
    }
}

void AnalysisWindow::showCoarseToFine(const CoarseToFine& result) {
    const auto ts = asDoubles(result.timesteps);
    setChart(charts_[0], tr("Mean frequency of the latent basis"), tr("timestep t"), tr("cycles / image"),
             {lineSeries(tr("mean over v_1..v_k"), ts, result.averageFrequency),
              lineSeries(tr("v_1"), ts, result.meanFrequency.select(1, 0))},
             0.0);
    // v_1 at each t side by side, as directionPicture draws a direction.
    const int count = static_cast<int>(result.timesteps.size());
    const int size = 80;
    QImage strip(count * (size + 4), size + 20, QImage::Format_RGB32);
    strip.fill(Qt::white);
    QPainter painter(&strip);
    for (int i = 0; i < count; ++i) {
        const auto picture = TensorImage::toQImage(directionPicture(result.firstDirection[i]));
        painter.drawImage(QRect(i * (size + 4), 0, size, size), picture);
        painter.drawText(QRect(i * (size + 4), size, size, 20), Qt::AlignCenter, QString("t=%1").arg(result.timesteps[i]));
    }
    painter.end();
    pictures_[0]->setPixmap(QPixmap::fromImage(strip));
}

void AnalysisWindow::showSimilarity(const SampleSimilarity& result) {
    const auto ts = asDoubles(result.timesteps);
    setChart(charts_[1], tr("Similarity across %1 samples (mean cos^2 of principal angles)").arg(result.seeds.size()),
             tr("timestep t"), tr("similarity"),
             {lineSeries(tr("X (v_i)"), ts, result.meanXSimilarity), lineSeries(tr("H (u_i)"), ts, result.meanHSimilarity)},
             0.0);
    QStringList seeds;
    for (auto seed : result.seeds) seeds << QString::number(seed);
    // The per-t matrices in X side by side.
    std::vector<QImage> images;
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        images.push_back(heatmapImage(result.xSimilarity[static_cast<int64_t>(t)], seeds,
                                      QString("t=%1").arg(result.timesteps[t])));
    }
    pictures_[1]->setPixmap(QPixmap::fromImage(sideBySide(images, 0)));
}

void AnalysisWindow::showTimesteps(const TimestepSimilarity& result) {
    const auto labels = timestepLabels(result.timesteps);
    // The chart: similarity of each t to the first (earliest in generation) timestep.
    const auto ts = asDoubles(result.timesteps);
    setChart(charts_[2], tr("Similarity to the subspace at t=%1").arg(result.timesteps.front()), tr("timestep t"),
             tr("similarity"),
             {lineSeries(tr("X (v_i)"), ts, result.xSimilarity[0]), lineSeries(tr("H (u_i)"), ts, result.hSimilarity[0])},
             0.0);
    auto x = heatmapImage(result.xSimilarity, labels, tr("in X"));
    auto h = heatmapImage(result.hSimilarity, labels, tr("in H"));
    QImage both(x.width() + h.width() + 16, std::max(x.height(), h.height()), QImage::Format_RGB32);
    both.fill(Qt::white);
    QPainter painter(&both);
    painter.drawImage(0, 0, x);
    painter.drawImage(x.width() + 16, 0, h);
    painter.end();
    pictures_[2]->setPixmap(QPixmap::fromImage(both));
}

void AnalysisWindow::showCurvedness(const CurvednessSweep& result) {
    const auto ts = asDoubles(result.timesteps);
    setChart(charts_[3], tr("Curvedness between seeds %1 and %2").arg(result.seedA).arg(result.seedB), tr("timestep t"),
             tr("rad per unit length"), {lineSeries(tr("curvedness L / |x_B - x_A|"), ts, result.curvedness)}, 0.0);
    QString text = tr("t, turning L (rad), chord D (rad), |x_B - x_A|:\n");
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        const auto i = static_cast<int64_t>(t);
        text += QString("%1: %2, %3, %4\n")
                    .arg(result.timesteps[t])
                    .arg(result.turning[i].item<double>(), 0, 'f', 3)
                    .arg(result.chord[i].item<double>(), 0, 'f', 3)
                    .arg(result.euclideanLength[i].item<double>(), 0, 'f', 2);
    }
    pictures_[3]->setText(text);
}

void AnalysisWindow::showComparison(const AnalysisOutcome& outcome) {
    QList<QLineSeries*> lines;
    for (size_t m = 0; m < outcome.similarity.size(); ++m) {
        const auto& r = outcome.similarity[m];
        std::vector<double> fractions;
        for (auto t : r.timesteps) fractions.push_back(static_cast<double>(t) / outcome.trainTimesteps[m]);
        lines << lineSeries(QString::fromStdString(r.modelName) + tr(" (random %1)").arg(double(r.k) / r.xDim, 0, 'f', 4),
                            fractions, r.meanXSimilarity);
    }
    setChart(charts_[4], tr("Similarity across samples in X, by model"), tr("t / T"), tr("similarity"), lines, 0.0);
    pictures_[4]->setText(tr("Random k-dimensional subspaces of D dimensions have similarity k/D on average."));
}

void AnalysisWindow::showPrompts(const PromptSimilarity& result) {
    const auto index = static_cast<int>(AnalysisKind::Prompts);
    const auto ts = asDoubles(result.timesteps);
    setChart(charts_[index], tr("Similarity across %1 prompts at the same z_t").arg(result.prompts.size()),
             tr("timestep t"), tr("mean cos^2 of principal angles"),
             {lineSeries(tr("X (v_i)"), ts, result.meanXSimilarity), lineSeries(tr("H (u_i)"), ts, result.meanHSimilarity)});
    QStringList labels;
    for (size_t p = 0; p < result.prompts.size(); ++p) labels << QString("P%1").arg(p + 1);
    // One colour scale for every t: from the least similar pair to 1 (the values often sit near 1).
    const double low = result.xSimilarity.min().item<double>();
    std::vector<QImage> images;
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        images.push_back(heatmapImage(result.xSimilarity[static_cast<int64_t>(t)], labels,
                                      QString("X, t=%1").arg(result.timesteps[t]), low, 1.0));
    }
    images.push_back(heatmapImage(result.textSimilarity, labels, tr("text"), result.textSimilarity.min().item<double>(),
                                  1.0));
    auto strip = sideBySide(images, 8);
    QString legend = tr("Colours from %1 (purple) to 1 (yellow); the text panel (cosine of the pooled prompt "
                        "embeddings) from its own minimum.\nPearson r of X similarity with text similarity over the "
                        "prompt pairs:").arg(low, 0, 'f', 4);
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        legend += QString(" t=%1: %2").arg(result.timesteps[t]).arg(result.xCorrelation[static_cast<int64_t>(t)].item<double>(), 0, 'f', 2);
    }
    for (size_t p = 0; p < result.prompts.size(); ++p) {
        legend += QString("\nP%1: %2").arg(p + 1).arg(QString::fromStdString(result.prompts[p]));
    }
    const int legendHeight = 18 * (static_cast<int>(result.prompts.size()) + 3);
    QImage withLegend(std::max(strip.width(), 640), strip.height() + legendHeight, QImage::Format_RGB32);
    withLegend.fill(Qt::white);
    QPainter painter(&withLegend);
    painter.drawImage(0, 0, strip);
    painter.drawText(QRect(4, strip.height(), withLegend.width() - 8, legendHeight), Qt::TextWordWrap, legend);
    painter.end();
    pictures_[index]->setPixmap(QPixmap::fromImage(withLegend));
}

void AnalysisWindow::showTextDependence(const TextDependence& result) {
    const auto index = static_cast<int>(AnalysisKind::TextDependence);
    const auto ts = asDoubles(result.timesteps);
    setChart(charts_[index], tr("Distance to the empty prompt's tangent space at the same z_t"), tr("timestep t"),
             tr("Grassmann distance (rad)"),
             {lineSeries(tr("X (v_i)"), ts, result.meanXDistance), lineSeries(tr("H (u_i)"), ts, result.meanHDistance)},
             0.0);
    QString text = tr("Mean over %1 prompt(s); orthogonal spaces are %2 rad apart.\nt: X distance, X similarity\n")
                       .arg(result.prompts.size())
                       .arg(M_PI / 2 * std::sqrt(static_cast<double>(result.k)), 0, 'f', 2);
    for (size_t t = 0; t < result.timesteps.size(); ++t) {
        const auto i = static_cast<int64_t>(t);
        text += QString("%1: %2, %3\n")
                    .arg(result.timesteps[t])
                    .arg(result.meanXDistance[i].item<double>(), 0, 'f', 4)
                    .arg(result.meanXSimilarity[i].item<double>(), 0, 'f', 4);
    }
    pictures_[index]->setText(text);
}

}  // namespace latentlens::ui
