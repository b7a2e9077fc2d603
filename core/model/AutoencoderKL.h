#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "core/model/AutoencoderKLConfig.h"
#include "core/model/Conv2d.h"
#include "core/model/DiagonalGaussianDistribution.h"
#include "core/model/SafetensorsFile.h"
#include "core/model/VaeDecoder.h"
#include "core/model/VaeEncoder.h"

namespace latentlens {

// diffusers' AutoencoderKL (the Stable Diffusion VAE), built from vae/config.json. Module and
// parameter names equal the diffusers state-dict keys (encoder.conv_in.weight, quant_conv.bias,
// ...), so loadWeights() is a strict name and shape match.
//
// Two latent scales: encode()/decode() work on the VAE's own latent, exactly as diffusers'
// AutoencoderKL.encode(x).latent_dist and .decode(z).sample. The diffusion UNet works on that
// latent times scalingFactor() (0.18215 for SD 1.x/2.x): encodeLatent() and decodeLatent() do
// the scaling, as StableDiffusionPipeline does around the VAE.
class AutoencoderKLImpl : public torch::nn::Module {
public:
    explicit AutoencoderKLImpl(AutoencoderKLConfig config);

    const AutoencoderKLConfig& config() const { return config_; }
    double scalingFactor() const { return config_.scalingFactor; }

    // image (N, in_channels, H, W) in [-1, 1], H and W multiples of config().downsamplingFactor()
    // → the posterior over the unscaled latent (N, latent_channels, H/f, W/f), logvar clamped to
    // [-30, 20]. Sample it with posterior.sample(generator or seed).
    DiagonalGaussianDistribution encode(const torch::Tensor& image);
    // Unscaled latent (N, latent_channels, h, w) → image (N, out_channels, h·f, w·f), roughly in
    // [-1, 1] (not clamped).
    torch::Tensor decode(const torch::Tensor& latent);

    // The UNet's latent of an image: the posterior mean (deterministic) times scalingFactor().
    // For a sampled latent: encode(image).sample(generator) * scalingFactor().
    torch::Tensor encodeLatent(const torch::Tensor& image);
    // The image of a UNet latent: decode(latent / scalingFactor()).
    torch::Tensor decodeLatent(const torch::Tensor& scaledLatent);

    int64_t parameterCount() const;
    // See AttentionBlockImpl::setSoftmaxInFloat32 (default true: diffusers' upcast_softmax,
    // which its VAE mid-block attentions have).
    void setSoftmaxInFloat32(bool enabled);

    // Copies every parameter from the checkpoint (see loadParametersStrict in
    // core/model/ModuleWeights.h: converted to the parameter's dtype/device, strict, legacy
    // attention names accepted); throws Error naming the file and every mismatch.
    void loadWeights(const SafetensorsFile& file);

private:
    // Throws Error unless `input` is (N, channels, H, W) with H, W multiples of `multiple`, in
    // the model's dtype.
    void checkInput(const torch::Tensor& input, int64_t channels, int64_t multiple, const char* what) const;

    AutoencoderKLConfig config_;
    VaeEncoder encoder_{nullptr};
    VaeDecoder decoder_{nullptr};
    Conv2d quantConv_{nullptr};
    Conv2d postQuantConv_{nullptr};
};
TORCH_MODULE(AutoencoderKL);

// A VAE folder as diffusers saves it (config.json + diffusion_pytorch_model.safetensors, e.g. a
// pipeline's vae/), loaded strictly in `dtype` (float32 or float64; float16/bfloat16 on CUDA) on `device`, in eval mode
// and without parameter gradients. Throws Error naming the file at fault.
// `variant` picks the weight file as findComponentWeights does (core/model/ComponentWeights.h).
AutoencoderKL loadAutoencoderKL(const std::filesystem::path& folder, c10::ScalarType dtype = c10::kFloat,
                                c10::Device device = c10::Device(c10::kCPU), const std::string& variant = {});

}  // namespace latentlens
