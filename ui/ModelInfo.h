#pragma once

#include <QMetaType>
#include <QString>

namespace latentlens::ui {

// What the window shows about the loaded model: plain Qt values, copied out of the worker.
struct ModelInfo {
    QString name;      // folder name, e.g. "fmnist32"
    QString folder;    // the folder the user opened
    int channels = 0;  // 1 (grayscale) or 3 (RGB)
    int size = 0;      // images are size x size
    qint64 parameters = 0;
    int trainTimesteps = 0;  // T: timesteps run 0..T-1
    int blocks = 0;          // U-Net resolution levels: blocks down.0.., mid, up.0..
    QString precision;       // "float32 on cpu"
    QString description;     // DiffusionPipeline::describe(), for tooltips
    bool takesPrompt = false;
    bool latentPreview = false;  // drags preview through a cheap latent → RGB map (LatentRgbPreview), not the VAE  // a text-conditioned pipeline (Stable Diffusion): the Source panel asks for a prompt

    bool isNull() const { return name.isEmpty(); }
};

}  // namespace latentlens::ui

Q_DECLARE_METATYPE(latentlens::ui::ModelInfo)
