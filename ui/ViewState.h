#pragma once

#include <memory>

#include <QImage>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include "ui/DirectionSet.h"

namespace latentlens::ui {

struct LatentState;

// Everything needed to put the views back exactly as they were: the pictures, the timestep and
// seed they belong to, the tensors behind them (opaque here), the directions found at this x_t and
// the slider values applied along them. Cheap to copy.
struct ViewState {
    std::shared_ptr<const LatentState> latents;
    QImage image;      // the clean image of x_t as it is
    QImage predicted;  // x̂0 implied by x_t (small view)
    int timestep = -1;
    qint64 seed = -1;    // -1: not generated from a seed (an opened image)
    QString source;      // "seed 3" or the opened file's name
    QString sourcePath;  // the opened file (empty for a seed)

    // Directions (null: none found at this x_t) and the sliders: the directions on the slider
    // stack in the order they were added, and their α (unit: ‖x_t‖/20, see core editUnit).
    std::shared_ptr<const DirectionSet> directions;
    QList<int> sliders;
    QMap<int, double> alphas;
    QImage edited;  // the fully re-denoised edit for `alphas`; null when every α is 0

    bool isNull() const { return !latents; }
    bool hasEdit() const { return !edited.isNull(); }
    // What the big canvas shows: the edit if there is one, else the image.
    const QImage& shownImage() const { return edited.isNull() ? image : edited; }
};

}  // namespace latentlens::ui

Q_DECLARE_METATYPE(latentlens::ui::ViewState)
