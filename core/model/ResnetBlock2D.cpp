#include "core/model/ResnetBlock2D.h"

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

ResnetBlock2DImpl::ResnetBlock2DImpl(const ResnetBlock2DOptions& options) : options_(options) {
    if (options.scaleShift && options.tembChannels <= 0) {
        throw Error("ResnetBlock2D: scale_shift needs a time embedding (temb_channels > 0)");
    }
    const auto conv3 = [](int64_t in, int64_t out) {
        return Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(1).padding(1));
    };
    norm1_ = register_module("norm1", GroupNorm(options.groups, options.inChannels, options.eps));
    conv1_ = register_module("conv1", conv3(options.inChannels, options.outChannels));
    if (options.tembChannels > 0) {
        timeEmbProj_ = register_module(
            "time_emb_proj",
            Linear(options.tembChannels, options.scaleShift ? 2 * options.outChannels : options.outChannels));
    }
    norm2_ = register_module("norm2", GroupNorm(options.groups, options.outChannels, options.eps));
    conv2_ = register_module("conv2", conv3(options.outChannels, options.outChannels));
    if (options.inChannels != options.outChannels) {
        convShortcut_ = register_module(
            "conv_shortcut", Conv2d(torch::nn::Conv2dOptions(options.inChannels, options.outChannels, 1)));
    }
}

torch::Tensor ResnetBlock2DImpl::forward(const torch::Tensor& x, const torch::Tensor& temb) {
    auto h = activate(options_.activation, norm1_->forward(x));
    h = conv1_->forward(h);
    if (timeEmbProj_.is_empty() == temb.defined()) {
        throw Error(temb.defined() ? "ResnetBlock2D: this block has no time embedding but was given one"
                                   : "ResnetBlock2D: this block needs a time embedding");
    }
    if (timeEmbProj_.is_empty()) {
        h = norm2_->forward(h);
    } else {
        auto t = timeEmbProj_->forward(activate(options_.activation, temb)).unsqueeze(-1).unsqueeze(-1);
        if (options_.scaleShift) {
            auto parts = t.chunk(2, 1);
            h = norm2_->forward(h) * (1 + parts[0]) + parts[1];
        } else {
            h = norm2_->forward(h + t);
        }
    }
    h = conv2_->forward(activate(options_.activation, h));
    auto shortcut = convShortcut_ ? convShortcut_->forward(x) : x;
    auto out = shortcut + h;
    return options_.outputScaleFactor == 1.0 ? out : out / options_.outputScaleFactor;
}

std::vector<ResnetBlock2D> registerResnetStack(torch::nn::Module& parent, const ResnetBlock2DOptions& first,
                                               int64_t count) {
    auto list = parent.register_module("resnets", torch::nn::ModuleList());
    std::vector<ResnetBlock2D> resnets;
    for (int64_t i = 0; i < count; ++i) {
        ResnetBlock2DOptions options = first;
        if (i > 0) options.inChannels = options.outChannels;
        resnets.emplace_back(options);
        list->push_back(resnets.back());
    }
    return resnets;
}

}  // namespace latentlens
