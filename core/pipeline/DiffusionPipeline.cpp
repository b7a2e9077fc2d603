#include "core/pipeline/DiffusionPipeline.h"

#include <sstream>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/pipeline/PipelineLoader.h"
#include "core/sampling/GuidedNoisePredictor.h"

namespace latentlens {

DiffusionPipeline::DiffusionPipeline(ModelFolder folder, std::shared_ptr<Denoiser> denoiser,
                                     std::shared_ptr<LatentCodec> codec, std::shared_ptr<TextEncoder> textEncoder,
                                     DdimScheduler scheduler)
    : folder_(std::move(folder)),
      denoiser_(std::move(denoiser)),
      codec_(std::move(codec)),
      textEncoder_(std::move(textEncoder)),
      scheduler_(std::move(scheduler)) {
    if (!denoiser_ || !codec_) throw Error("a pipeline needs a denoiser and a codec");
}

std::shared_ptr<DiffusionPipeline> DiffusionPipeline::load(const std::filesystem::path& folder,
                                                           const ModelOptions& options) {
    return PipelineLoader::load(folder, options);
}

torch::TensorOptions DiffusionPipeline::tensorOptions() const {
    return torch::TensorOptions().dtype(dtype()).device(device());
}

Conditioning DiffusionPipeline::condition(const std::string& prompt, const std::string& negativePrompt,
                                          double guidanceScale) const {
    if (!textEncoder_) {
        if (prompt.empty() && negativePrompt.empty() && guidanceScale == 1.0) return Conditioning::none();
        throw Error("model " + name() + " is unconditional (" + denoiser_->className() +
                    "): it takes no prompt or guidance scale");
    }
    Conditioning conditioning;
    conditioning.embeddings = textEncoder_->encode(prompt);
    if (guidanceScale != 1.0) conditioning.unconditionalEmbeddings = textEncoder_->encode(negativePrompt);
    conditioning.guidanceScale = guidanceScale;
    conditioning.id = Conditioning::idFor(prompt, negativePrompt, guidanceScale);
    return conditioning;
}

std::shared_ptr<const NoisePredictor> DiffusionPipeline::noisePredictor(const Conditioning& conditioning) const {
    return std::make_shared<GuidedNoisePredictor>(denoiser_, conditioning);
}

std::string DiffusionPipeline::describe() const {
    const auto& s = scheduler_.config();
    std::ostringstream out;
    out << "model:       " << name() << " (" << folder_.root.string() << ")\n"
        << "weights:     " << folder_.weights.string() << "\n"
        << denoiser_->describe() << codec_->describe() << (textEncoder_ ? textEncoder_->describe() : std::string())
        << "scheduler:   " << s.className << " -> DDIM, " << s.numTrainTimesteps << " train steps, "
        << (s.trainedBetas.empty() ? s.betaSchedule : std::string("trained")) << " betas " << s.betaStart << ".."
        << s.betaEnd << ", " << s.predictionType << " prediction, spacing " << s.timestepSpacing << ", clip_sample "
        << (s.clipSample ? "true" : "false") << ", set_alpha_to_one " << (s.setAlphaToOne ? "true" : "false") << "\n";
    return out.str();
}

}  // namespace latentlens
