#pragma once

#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/model/ClipTextModel.h"
#include "core/model/ClipTokenizer.h"
#include "core/pipeline/ModelOptions.h"
#include "core/pipeline/TextEncoder.h"

namespace latentlens {

// Stable Diffusion's text encoder: the CLIP BPE tokenizer and CLIPTextModel. encode() is what
// StableDiffusionPipeline.encode_prompt returns (clip_skip None): the last hidden state after
// the final LayerNorm, (1, 77, D), no attention mask. The last few prompts' embeddings are kept, so
// that a command or view asking for the same prompt twice (the sampling conditioning and the
// Jacobian's prompt, say) runs the encoder once; callers get their own copy. Thread-safe.
class ClipTextEncoder : public TextEncoder {
public:
    // tokenizer/ (vocab.json, merges.txt, tokenizer_config.json, special_tokens_map.json) and
    // text_encoder/ (config.json + model.safetensors) folders. Throws Error naming the file at fault.
    static std::shared_ptr<ClipTextEncoder> load(const std::filesystem::path& tokenizerFolder,
                                                 const std::filesystem::path& textEncoderFolder,
                                                 const ModelOptions& options);

    std::vector<int64_t> tokenIds(const std::string& prompt) const override;
    torch::Tensor encode(const std::string& prompt) const override;
    std::vector<int64_t> embeddingShape() const override;
    int64_t parameterCount() const override;
    std::string describe() const override;

    const ClipTokenizer& tokenizer() const { return *tokenizer_; }

private:
    ClipTextEncoder(std::unique_ptr<ClipTokenizer> tokenizer, ClipTextModel model, c10::Device device);

    std::unique_ptr<ClipTokenizer> tokenizer_;
    mutable ClipTextModel model_;
    c10::Device device_;
    static constexpr size_t kRememberedPrompts = 8;
    mutable std::mutex recentMutex_;                                  // guards recent_
    mutable std::list<std::pair<std::string, torch::Tensor>> recent_;  // most recently used first
};

}  // namespace latentlens
