#include "core/model/ClipTextModel.h"

#include <string>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/Runtime.h"
#include "core/model/ComponentWeights.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {
namespace {

// transformers registers it as a buffer; older checkpoints store it, it is always arange(L).
constexpr const char* kPositionIdsKey = "text_model.embeddings.position_ids";

}  // namespace

ClipTextModelImpl::ClipTextModelImpl(ClipTextConfig config) : config_(std::move(config)) {
    const int64_t hidden = config_.hiddenSize;
    auto textModel = register_module("text_model", std::make_shared<torch::nn::Module>());
    auto embeddings = textModel->register_module("embeddings", std::make_shared<torch::nn::Module>());
    tokenEmbedding_ = embeddings->register_module("token_embedding", torch::nn::Embedding(config_.vocabSize, hidden));
    positionEmbedding_ =
        embeddings->register_module("position_embedding", torch::nn::Embedding(config_.maxPositionEmbeddings, hidden));
    auto encoder = textModel->register_module("encoder", std::make_shared<torch::nn::Module>());
    auto layerList = encoder->register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < config_.numHiddenLayers; ++i) {
        layers_.emplace_back(config_);
        layerList->push_back(layers_.back());
    }
    finalLayerNorm_ = textModel->register_module(
        "final_layer_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden}).eps(config_.layerNormEps)));
    eval();
}

ClipTextModelImpl::Output ClipTextModelImpl::forward(const torch::Tensor& input) {
    if (input.dim() != 2 || input.size(0) < 1 || input.size(1) < 1 || input.size(1) > config_.maxPositionEmbeddings) {
        throw Error("text encoder input must be token ids of shape (N, L) with 1 <= L <= " +
                    std::to_string(config_.maxPositionEmbeddings) + ", got " + shapeText(input.sizes()));
    }
    if (!c10::isIntegralType(input.scalar_type(), /*includeBool=*/false)) {
        throw Error(std::string("text encoder input must be integer token ids, not ") + c10::toString(input.scalar_type()));
    }
    const auto device = tokenEmbedding_->weight.device();
    const auto ids = input.to(device, torch::kLong);
    const int64_t low = ids.min().item<int64_t>();
    const int64_t high = ids.max().item<int64_t>();
    if (low < 0 || high >= config_.vocabSize) {
        throw Error("text encoder input has token id " + std::to_string(low < 0 ? low : high) + ", outside 0.." +
                    std::to_string(config_.vocabSize - 1));
    }
    const int64_t length = ids.size(1);
    auto positions = torch::arange(length, torch::TensorOptions().dtype(torch::kLong).device(device));
    auto h = tokenEmbedding_->forward(ids) + positionEmbedding_->forward(positions);
    for (auto& layer : layers_) h = layer->forward(h, /*causal=*/true);

    Output output;
    output.lastHiddenState = finalLayerNorm_->forward(h);
    // The EOS token has the largest id (49407); argmax takes its first occurrence, as transformers does.
    auto eosPositions = ids.argmax(-1);
    auto rows = torch::arange(ids.size(0), eosPositions.options());
    output.pooled = output.lastHiddenState.index({rows, eosPositions});
    return output;
}

int64_t ClipTextModelImpl::parameterCount() const { return countParameters(*this); }

void ClipTextModelImpl::loadWeights(const SafetensorsFile& file) {
    loadParametersStrict(*this, file, StrictLoadOptions{"text encoder checkpoint", {kPositionIdsKey}});
}

ClipTextModel loadClipTextModel(const std::filesystem::path& folder, c10::ScalarType dtype, c10::Device device,
                                const std::string& variant) {
    checkComputeDtype(dtype, device, folder.string());
    ClipTextModel model(ClipTextConfig::load(folder / "config.json"));
    const auto weightsPath = findComponentWeights(folder, "model", variant);
    model->to(device, dtype);
    {
        SafetensorsFile weights(weightsPath);
        model->loadWeights(weights);
    }
    for (auto& parameter : model->parameters()) parameter.set_requires_grad(false);
    model->eval();
    spdlog::debug("loaded text encoder {} ({} parameters, {}, {})", folder.string(), model->parameterCount(),
                  dtypeName(dtype), device.str());
    return model;
}

}  // namespace latentlens
