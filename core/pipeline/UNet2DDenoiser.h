#pragma once

#include <filesystem>
#include <memory>

#include "core/model/UNet2DModel.h"
#include "core/pipeline/Denoiser.h"
#include "core/pipeline/ModelOptions.h"

namespace latentlens {

// diffusers' UNet2DModel as a Denoiser: an unconditional pixel-space network (latents are images).
// The UNet itself stays private; everything goes through the Denoiser interface.
class UNet2DDenoiser : public Denoiser {
public:
    // Builds the UNet of `config` in options' dtype/device and loads the safetensors strictly (see
    // UNet2DModelImpl::loadWeights). Throws Error naming the file on any problem.
    static std::shared_ptr<UNet2DDenoiser> load(const UNet2DConfig& config, const std::filesystem::path& weights,
                                                const ModelOptions& options);

    std::string className() const override { return "UNet2DModel"; }
    std::vector<int64_t> latentShape() const override;
    std::vector<int64_t> featureShape(const BlockId& block) const override;
    int64_t levelCount() const override;
    int64_t parameterCount() const override;
    c10::ScalarType dtype() const override { return dtype_; }
    c10::Device device() const override { return device_; }
    void moveTo(c10::ScalarType dtype, c10::Device device) override;
    std::string describe() const override;

protected:
    Output evaluate(const torch::Tensor& x, const torch::Tensor& timesteps, const Conditioning& conditioning,
                    const BlockId* block, bool needPrediction) const override;

private:
    UNet2DDenoiser(UNet2DModel unet, c10::ScalarType dtype, c10::Device device);

    // Evaluation leaves the module unchanged; LibTorch's forward is merely not const.
    mutable UNet2DModel unet_;
    c10::ScalarType dtype_;
    c10::Device device_;
};

}  // namespace latentlens
