#pragma once

#include <QChartView>
#include <QVector>

class QBarSet;
class QBarCategoryAxis;
class QValueAxis;

namespace latentlens::ui {

// A small bar chart of the singular values σ_1 ≥ σ_2 ≥ … of the directions found (Qt Charts):
// how much each direction changes the model's features, so where the interesting ones end.
class SigmaChart : public QChartView {
    Q_OBJECT
public:
    explicit SigmaChart(QWidget* parent = nullptr);
    // Empty: no bars.
    void setSigmas(const QVector<double>& sigmas);
    // Highlights the bars of directions that have a slider.
    void setHighlighted(const QList<int>& directions);
    int barCount() const;

private:
    QBarSet* bars_;
    QBarSet* highlighted_;
    QBarCategoryAxis* axisX_;
    QValueAxis* axisY_;
    QVector<double> sigmas_;
};

}  // namespace latentlens::ui
