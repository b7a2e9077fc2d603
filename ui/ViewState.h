#pragma once

#include <memory>

#include <QImage>
#include <QMetaType>
#include <QString>

namespace latentlens::ui {

struct LatentState;

// Everything needed to put the views back exactly as they were: the pictures, the timestep and
// seed they belong to, and the tensors behind them (opaque here). Cheap to copy.
struct ViewState {
    std::shared_ptr<const LatentState> latents;
    QImage image;      // the clean image (big canvas)
    QImage predicted;  // x̂0 implied by x_t (small view)
    int timestep = -1;
    qint64 seed = -1;  // -1: not generated from a seed (an opened image)
    QString source;    // "seed 3" or the opened file's name

    bool isNull() const { return !latents; }
};

}  // namespace latentlens::ui

Q_DECLARE_METATYPE(latentlens::ui::ViewState)
