#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <vector>

#include "core/model/Activation.h"
#include "core/model/Conv2d.h"
#include "core/model/GroupNorm.h"
#include "core/model/Linear.h"

namespace latentlens {

struct ResnetBlock2DOptions {
    int64_t inChannels = 0;
    int64_t outChannels = 0;
    int64_t tembChannels = 0;       // 0: no time embedding (diffusers' temb_channels=None, the VAE)
    int64_t groups = 32;
    double eps = 1e-6;
    Activation activation = Activation::SiLU;
    bool scaleShift = false;        // resnet_time_scale_shift == "scale_shift"
    double outputScaleFactor = 1.0;
};

// diffusers' ResnetBlock2D (pre-norm, time embedding added after conv1, or as scale/shift
// after norm2), with a 1x1 conv_shortcut when the channel count changes. With tembChannels 0
// there is no time_emb_proj and forward() takes no temb.
class ResnetBlock2DImpl : public torch::nn::Module {
public:
    explicit ResnetBlock2DImpl(const ResnetBlock2DOptions& options);
    // temb (N, tembChannels), or undefined when tembChannels is 0.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& temb = {});

private:
    ResnetBlock2DOptions options_;
    GroupNorm norm1_{nullptr};
    Conv2d conv1_{nullptr};
    Linear timeEmbProj_{nullptr};
    GroupNorm norm2_{nullptr};
    Conv2d conv2_{nullptr};
    Conv2d convShortcut_{nullptr};
};
TORCH_MODULE(ResnetBlock2D);

// `count` resnets registered under "resnets" of `parent` (state-dict keys resnets.0, resnets.1,
// ...), as the VAE's encoder and decoder blocks stack them: the first with `first`'s channels,
// the others from outChannels to outChannels.
std::vector<ResnetBlock2D> registerResnetStack(torch::nn::Module& parent, const ResnetBlock2DOptions& first,
                                               int64_t count);

}  // namespace latentlens
