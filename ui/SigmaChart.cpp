#include "ui/SigmaChart.h"

#include <algorithm>

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QStackedBarSeries>
#include <QValueAxis>

namespace latentlens::ui {

SigmaChart::SigmaChart(QWidget* parent)
    : QChartView(parent),
      bars_(new QBarSet(tr("σ"))),
      highlighted_(new QBarSet(tr("σ (on a slider)"))),
      axisX_(new QBarCategoryAxis),
      axisY_(new QValueAxis) {
    auto* chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    chart->setBackgroundBrush(palette().color(QPalette::Base));
    bars_->setColor(palette().color(QPalette::Mid).darker(120));
    bars_->setBorderColor(Qt::transparent);
    highlighted_->setColor(palette().color(QPalette::Highlight));
    highlighted_->setBorderColor(Qt::transparent);
    // Two stacked sets, one of them zero per bar: a bar takes the highlight colour by moving.
    auto* series = new QStackedBarSeries;
    series->append(bars_);
    series->append(highlighted_);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    axisX_->setLabelsFont(small);
    axisY_->setLabelsFont(small);
    axisY_->setLabelFormat(QStringLiteral("%.3g"));
    axisY_->setTickCount(3);
    axisX_->setGridLineVisible(false);
    chart->addAxis(axisX_, Qt::AlignBottom);
    chart->addAxis(axisY_, Qt::AlignLeft);
    series->attachAxis(axisX_);
    series->attachAxis(axisY_);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(110);
    setMaximumHeight(140);
    setToolTip(tr("σ_i: how strongly the model's features react to direction i.\n"
                  "Highlighted: directions on a slider."));
}

void SigmaChart::setSigmas(const QVector<double>& sigmas) {
    sigmas_ = sigmas;
    QStringList categories;
    for (int i = 0; i < sigmas.size(); ++i) categories << QString::number(i + 1);
    axisX_->clear();
    axisX_->append(categories);
    const double top = sigmas.isEmpty() ? 1.0 : *std::max_element(sigmas.begin(), sigmas.end());
    axisY_->setRange(0.0, top * 1.05);
    setHighlighted({});
}

void SigmaChart::setHighlighted(const QList<int>& directions) {
    bars_->remove(0, bars_->count());
    highlighted_->remove(0, highlighted_->count());
    for (int i = 0; i < sigmas_.size(); ++i) {
        const bool on = directions.contains(i);
        bars_->append(on ? 0.0 : sigmas_[i]);
        highlighted_->append(on ? sigmas_[i] : 0.0);
    }
}

int SigmaChart::barCount() const { return static_cast<int>(sigmas_.size()); }

}  // namespace latentlens::ui
