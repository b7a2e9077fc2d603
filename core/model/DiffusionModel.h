#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include "core/model/ModelFolder.h"
#include "core/model/UNet2DModel.h"
#include "core/sampling/DdimScheduler.h"

namespace latentlens {

struct ModelOptions {
    c10::ScalarType dtype = c10::kFloat;
    c10::Device device = c10::Device(c10::kCPU);
    // Attention softmax in float32 even for float64 models, exactly as diffusers computes it
    // (its upcast_softmax calls .float()). Turn off for float64 throughout.
    bool softmaxInFloat32 = true;
};

// A loaded diffusers model: the UNet (weights in the requested dtype/device, no parameter
// gradients) and its DDIM scheduler. Shared by the CLI, the GUI's worker and the tests.
class DiffusionModel {
public:
    // Resolves `folder` (see ModelFolder), parses config.json and scheduler_config.json,
    // memory-maps the safetensors and loads it strictly. Throws Error on any problem; nothing
    // is half-loaded.
    static std::shared_ptr<DiffusionModel> load(const std::filesystem::path& folder, const ModelOptions& options = {});

    const ModelFolder& folder() const { return folder_; }
    const std::string& name() const { return folder_.name; }
    const UNet2DConfig& config() const { return unet_->config(); }
    UNet2DModel& unet() { return unet_; }
    const DdimScheduler& scheduler() const { return scheduler_; }
    c10::ScalarType dtype() const { return options_.dtype; }
    c10::Device device() const { return options_.device; }
    int64_t parameterCount() const { return unet_->parameterCount(); }

    // (C, S, S) of one sample, and the tensor options for model inputs.
    std::vector<int64_t> sampleShape() const;
    torch::TensorOptions tensorOptions() const;
    // A multi-line human-readable summary: architecture, parameters, scheduler.
    std::string describe() const;

private:
    DiffusionModel(ModelFolder folder, UNet2DModel unet, DdimScheduler scheduler, ModelOptions options);

    ModelFolder folder_;
    UNet2DModel unet_;
    DdimScheduler scheduler_;
    ModelOptions options_;
};

}  // namespace latentlens
