#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "core/model/UNet2DConditionModel.h"
#include "core/pipeline/Denoiser.h"
#include "core/pipeline/ModelOptions.h"

namespace latentlens {

// diffusers' UNet2DConditionModel (the Stable Diffusion U-Net) as a Denoiser: latents z_t of the
// VAE, conditioned on prompt embeddings. Every call needs a Conditioning with embeddings (1 row
// for the whole batch or one per sample; the empty prompt's for "no prompt"); an unconditional
// Conditioning is refused. The UNet itself stays private.
class UNet2DConditionDenoiser : public Denoiser {
public:
    // Loads a diffusers unet/ folder (see loadUNet2DConditionModel) in options' dtype/device,
    // with options.variant's weights. Throws Error naming the file on any problem.
    static std::shared_ptr<UNet2DConditionDenoiser> load(const std::filesystem::path& unetFolder,
                                                         const ModelOptions& options);

    std::string className() const override { return "UNet2DConditionModel"; }
    std::vector<int64_t> latentShape() const override;
    std::vector<int64_t> featureShape(const BlockId& block) const override;
    // The mid block (Park et al.'s H); the deepest down block for a UNet without one.
    BlockId defaultFeatureBlock() const override;
    int64_t sizeMultiple() const override { return unet_->config().downsamplingFactor(); }
    int64_t levelCount() const override;
    int64_t parameterCount() const override;
    c10::ScalarType dtype() const override { return dtype_; }
    c10::Device device() const override { return device_; }
    void moveTo(c10::ScalarType dtype, c10::Device device) override;
    std::string describe() const override;

    const UNet2DConditionConfig& config() const { return unet_->config(); }
    // Width D of the (N, L, D) prompt embeddings it attends to.
    int64_t contextDim() const { return unet_->config().contextDim(); }

protected:
    Output evaluate(const torch::Tensor& x, const torch::Tensor& timesteps, const Conditioning& conditioning,
                    const BlockId* block, bool needPrediction) const override;

private:
    UNet2DConditionDenoiser(UNet2DConditionModel unet, c10::ScalarType dtype, c10::Device device);

    // Evaluation leaves the module unchanged; LibTorch's forward is merely not const.
    mutable UNet2DConditionModel unet_;
    c10::ScalarType dtype_;
    c10::Device device_;
};

}  // namespace latentlens
