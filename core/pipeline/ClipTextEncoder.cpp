#include "core/pipeline/ClipTextEncoder.h"

#include <sstream>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/Runtime.h"

namespace latentlens {

ClipTextEncoder::ClipTextEncoder(std::unique_ptr<ClipTokenizer> tokenizer, ClipTextModel model, c10::Device device)
    : tokenizer_(std::move(tokenizer)), model_(std::move(model)), device_(device) {}

std::shared_ptr<ClipTextEncoder> ClipTextEncoder::load(const std::filesystem::path& tokenizerFolder,
                                                       const std::filesystem::path& textEncoderFolder,
                                                       const ModelOptions& options) {
    auto tokenizer = std::make_unique<ClipTokenizer>(tokenizerFolder);
    auto model = loadClipTextModel(textEncoderFolder, options.dtype, options.device, options.variant);
    const auto& c = model->config();
    if (tokenizer->maxLength() > c.maxPositionEmbeddings) {
        throw Error(tokenizerFolder.string() + ": the tokenizer makes " + std::to_string(tokenizer->maxLength()) +
                    " tokens but the text encoder (" + (textEncoderFolder / "config.json").string() + ") reads at most " +
                    std::to_string(c.maxPositionEmbeddings));
    }
    if (tokenizer->vocabSize() > c.vocabSize) {
        throw Error(tokenizerFolder.string() + ": the vocabulary has " + std::to_string(tokenizer->vocabSize()) +
                    " entries but the text encoder (" + (textEncoderFolder / "config.json").string() + ") knows " +
                    std::to_string(c.vocabSize));
    }
    return std::shared_ptr<ClipTextEncoder>(new ClipTextEncoder(std::move(tokenizer), std::move(model), options.device));
}

std::vector<int64_t> ClipTextEncoder::tokenIds(const std::string& prompt) const { return tokenizer_->encode(prompt); }

torch::Tensor ClipTextEncoder::encode(const std::string& prompt) const {
    {
        std::lock_guard lock(recentMutex_);
        for (auto it = recent_.begin(); it != recent_.end(); ++it) {
            if (it->first != prompt) continue;
            recent_.splice(recent_.begin(), recent_, it);
            return it->second.clone();
        }
    }
    torch::NoGradGuard noGrad;
    const auto ids = tokenizer_->encodeBatch({prompt}).to(device_);
    auto embeddings = model_->forward(ids).lastHiddenState;
    std::lock_guard lock(recentMutex_);
    recent_.emplace_front(prompt, embeddings.clone());
    if (recent_.size() > kRememberedPrompts) recent_.pop_back();
    return embeddings;
}

std::vector<int64_t> ClipTextEncoder::embeddingShape() const {
    return {tokenizer_->maxLength(), model_->config().hiddenSize};
}

int64_t ClipTextEncoder::parameterCount() const { return model_->parameterCount(); }

std::string ClipTextEncoder::describe() const {
    const auto& c = model_->config();
    std::ostringstream out;
    out << "text:        CLIPTextModel, " << parameterCount() << " parameters, " << c.numHiddenLayers << " layers of "
        << c.hiddenSize << ", " << c.hiddenAct << "; tokenizer " << tokenizer_->vocabSize() << " tokens, "
        << tokenizer_->maxLength() << " per prompt, pad id " << tokenizer_->padId() << "\n";
    return out.str();
}

}  // namespace latentlens
