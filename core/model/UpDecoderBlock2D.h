#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/Resampling2D.h"
#include "core/model/ResnetBlock2D.h"

namespace latentlens {

struct UpDecoderBlock2DOptions {
    int64_t numLayers = 1;
    ResnetBlock2DOptions resnet;  // in/out channels of the first resnet; later ones map out → out
    bool addUpsample = true;
};

// diffusers' UpDecoderBlock2D (the VAE decoder's block): `numLayers` resnets without a time
// embedding, then an optional Upsample2D. Unlike UpBlock2D it takes no skip connections.
class UpDecoderBlock2DImpl : public torch::nn::Module {
public:
    explicit UpDecoderBlock2DImpl(const UpDecoderBlock2DOptions& options);
    torch::Tensor forward(const torch::Tensor& x);

private:
    std::vector<ResnetBlock2D> resnets_;
    Upsample2D upsampler_{nullptr};
};
TORCH_MODULE(UpDecoderBlock2D);

}  // namespace latentlens
