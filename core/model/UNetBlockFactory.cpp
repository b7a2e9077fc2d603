#include "core/model/UNetBlockFactory.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/CrossAttnDownBlock2D.h"
#include "core/model/CrossAttnUpBlock2D.h"
#include "core/model/DownBlock2D.h"
#include "core/model/UNetMidBlock2DCrossAttn.h"
#include "core/model/UpBlock2D.h"

namespace latentlens {
namespace {

DownBlock2DOptions downOptions(const UNetBlockSpec& spec) {
    DownBlock2DOptions options;
    options.numLayers = spec.numLayers;
    options.resnet = spec.resnet;
    options.resnet.inChannels = spec.inChannels;
    options.resnet.outChannels = spec.outChannels;
    options.addDownsample = spec.addResample;
    options.downsamplePadding = spec.downsamplePadding;
    return options;
}

UpBlock2DOptions upOptions(const UNetBlockSpec& spec) {
    UpBlock2DOptions options;
    options.numLayers = spec.numLayers;
    options.inChannels = spec.inChannels;
    options.prevOutputChannels = spec.prevOutputChannels;
    options.resnet = spec.resnet;
    options.resnet.outChannels = spec.outChannels;
    options.addUpsample = spec.addResample;
    return options;
}

UNetBlock downBlock2D(const UNetBlockSpec& spec) {
    auto block = std::make_shared<DownBlock2DImpl>(downOptions(spec));
    return {block, [block](const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor&,
                                 std::vector<torch::Tensor>& skips) { return block->forward(x, temb, skips); }};
}

UNetBlock crossAttnDownBlock2D(const UNetBlockSpec& spec) {
    auto block = std::make_shared<CrossAttnDownBlock2DImpl>(CrossAttnDownBlock2DOptions{downOptions(spec), spec.transformer});
    return {block, [block](const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                                 std::vector<torch::Tensor>& skips) { return block->forward(x, temb, context, skips); }};
}

UNetBlock upBlock2D(const UNetBlockSpec& spec) {
    auto block = std::make_shared<UpBlock2DImpl>(upOptions(spec));
    return {block, [block](const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor&,
                                 std::vector<torch::Tensor>& skips) { return block->forward(x, temb, skips); }};
}

UNetBlock crossAttnUpBlock2D(const UNetBlockSpec& spec) {
    auto block = std::make_shared<CrossAttnUpBlock2DImpl>(CrossAttnUpBlock2DOptions{upOptions(spec), spec.transformer});
    return {block, [block](const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                                 std::vector<torch::Tensor>& skips) { return block->forward(x, temb, context, skips); }};
}

UNetBlock midBlock2DCrossAttn(const UNetBlockSpec& spec) {
    ResnetBlock2DOptions resnet = spec.resnet;
    resnet.inChannels = resnet.outChannels = spec.inChannels;
    auto block = std::make_shared<UNetMidBlock2DCrossAttnImpl>(resnet, spec.transformer);
    return {block, [block](const torch::Tensor& x, const torch::Tensor& temb, const torch::Tensor& context,
                                 std::vector<torch::Tensor>&) { return block->forward(x, temb, context); }};
}

struct BlockType {
    std::string name;
    bool crossAttention;
    UNetBlock (*build)(const UNetBlockSpec&);
};

const std::vector<BlockType>& downTypes() {
    static const std::vector<BlockType> types = {{"DownBlock2D", false, downBlock2D},
                                                 {"CrossAttnDownBlock2D", true, crossAttnDownBlock2D}};
    return types;
}

const std::vector<BlockType>& midTypes() {
    static const std::vector<BlockType> types = {{"UNetMidBlock2DCrossAttn", true, midBlock2DCrossAttn}};
    return types;
}

const std::vector<BlockType>& upTypes() {
    static const std::vector<BlockType> types = {{"UpBlock2D", false, upBlock2D},
                                                 {"CrossAttnUpBlock2D", true, crossAttnUpBlock2D}};
    return types;
}

const BlockType* find(const std::vector<BlockType>& types, const std::string& name) {
    const auto it = std::find_if(types.begin(), types.end(), [&](const BlockType& type) { return type.name == name; });
    return it == types.end() ? nullptr : &*it;
}

UNetBlock make(const std::vector<BlockType>& types, const char* kind, const std::string& name, const UNetBlockSpec& spec) {
    const BlockType* type = find(types, name);
    if (!type) throw Error(std::string("unknown UNet ") + kind + " block type \"" + name + "\"");
    return type->build(spec);
}

std::vector<std::string> names(const std::vector<BlockType>& types) {
    std::vector<std::string> out;
    for (const auto& type : types) out.push_back(type.name);
    return out;
}

}  // namespace

UNetBlock makeUNetDownBlock(const std::string& type, const UNetBlockSpec& spec) { return make(downTypes(), "down", type, spec); }
UNetBlock makeUNetMidBlock(const std::string& type, const UNetBlockSpec& spec) { return make(midTypes(), "mid", type, spec); }
UNetBlock makeUNetUpBlock(const std::string& type, const UNetBlockSpec& spec) { return make(upTypes(), "up", type, spec); }

const std::vector<std::string>& unetDownBlockTypes() {
    static const std::vector<std::string> list = names(downTypes());
    return list;
}

const std::vector<std::string>& unetUpBlockTypes() {
    static const std::vector<std::string> list = names(upTypes());
    return list;
}

bool isCrossAttentionBlockType(const std::string& type) {
    for (const auto* types : {&downTypes(), &midTypes(), &upTypes()}) {
        if (const BlockType* found = find(*types, type)) return found->crossAttention;
    }
    return false;
}

}  // namespace latentlens
