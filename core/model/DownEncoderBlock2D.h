#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Resampling2D.h"
#include "core/model/ResnetBlock2D.h"

namespace latentlens {

struct DownEncoderBlock2DOptions {
    int64_t numLayers = 1;
    ResnetBlock2DOptions resnet;  // in/out channels of the first resnet; later ones map out → out
    bool addDownsample = true;
    int64_t downsamplePadding = 0;  // the VAE encoder's: pad right and bottom by one, then conv
};

// diffusers' DownEncoderBlock2D (the VAE encoder's block): `numLayers` resnets without a time
// embedding, then an optional Downsample2D. Unlike DownBlock2D it keeps no skip connections.
class DownEncoderBlock2DImpl : public torch::nn::Module {
public:
    explicit DownEncoderBlock2DImpl(const DownEncoderBlock2DOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::vector<ResnetBlock2D> resnets_;
    Downsample2D downsampler_{nullptr};
};
TORCH_MODULE(DownEncoderBlock2D);

}  // namespace latentlens
