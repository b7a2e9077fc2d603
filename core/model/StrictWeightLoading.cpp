#include "core/model/StrictWeightLoading.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/AttentionBlock.h"
#include "core/model/ModuleWeights.h"

namespace latentlens {
namespace {

// "encoder.mid_block.attentions.0." for every AttentionBlock inside `model`.
std::vector<std::string> attentionBlockPrefixes(torch::nn::Module& model) {
    std::vector<std::string> prefixes;
    for (const auto& item : model.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
        if (dynamic_cast<AttentionBlockImpl*>(item.value().get())) prefixes.push_back(item.key() + ".");
    }
    return prefixes;
}

// The file key a parameter is stored under: its own name, else its legacy AttentionBlock name
// if the file has that one.
std::string fileKey(const std::string& parameter, const std::vector<std::string>& attentionPrefixes,
                    const SafetensorsFile& file) {
    if (file.contains(parameter)) return parameter;
    for (const auto& prefix : attentionPrefixes) {
        if (parameter.compare(0, prefix.size(), prefix) != 0) continue;
        const auto legacy = AttentionBlockImpl::legacyParameterName(parameter.substr(prefix.size()));
        if (!legacy.empty() && file.contains(prefix + legacy)) return prefix + legacy;
    }
    return parameter;
}

}  // namespace

void loadWeightsStrictly(torch::nn::Module& model, const SafetensorsFile& file) {
    const auto attentionPrefixes = attentionBlockPrefixes(model);
    std::vector<std::string> problems;
    std::map<std::string, std::string> sources;  // parameter → file key
    std::set<std::string> used;
    auto params = model.named_parameters(/*recurse=*/true);
    for (const auto& item : params) {
        const auto key = fileKey(item.key(), attentionPrefixes, file);
        if (!file.contains(key)) {
            problems.push_back("missing " + item.key() + " " + shapeText(item.value().sizes()));
            continue;
        }
        sources[item.key()] = key;
        used.insert(key);
        const auto& entry = file.entry(key);
        if (c10::IntArrayRef(entry.shape) != item.value().sizes()) {
            problems.push_back(key + " has shape " + shapeText(entry.shape) + " but the model expects " +
                               shapeText(item.value().sizes()));
        } else if (!c10::isFloatingType(entry.dtype)) {
            problems.push_back(key + std::string(" has non-floating dtype ") + c10::toString(entry.dtype));
        }
    }
    for (const auto& name : file.names()) {
        if (!used.count(name)) problems.push_back("unexpected " + name + " " + shapeText(file.entry(name).shape));
    }
    if (!problems.empty()) {
        std::ostringstream message;
        message << file.path().string() << ": checkpoint does not match config.json (" << problems.size()
                << (problems.size() == 1 ? " problem" : " problems") << "): ";
        const size_t shown = std::min<size_t>(problems.size(), 6);
        for (size_t i = 0; i < shown; ++i) message << (i ? "; " : "") << problems[i];
        if (shown < problems.size()) message << "; ... and " << problems.size() - shown << " more";
        throw Error(message.str());
    }
    torch::NoGradGuard noGrad;
    for (auto& item : params) {
        const auto& key = sources.at(item.key());
        auto values = file.tensor(key).to(item.value().device(), item.value().scalar_type());
        if (!torch::isfinite(values).all().item<bool>()) {
            throw Error(file.path().string() + ": " + key + " contains NaN or infinite values");
        }
        item.value().copy_(values);
    }
}

void loadParametersStrictly(torch::nn::Module& module, const SafetensorsFile& file, const std::string& subject,
                            const std::set<std::string>& ignoredKeys) {
    std::vector<std::string> problems;
    std::set<std::string> expected;
    auto params = module.named_parameters(/*recurse=*/true);
    for (const auto& item : params) {
        expected.insert(item.key());
        if (!file.contains(item.key())) {
            problems.push_back("missing " + item.key() + " " + shapeText(item.value().sizes()));
            continue;
        }
        const auto& entry = file.entry(item.key());
        if (c10::IntArrayRef(entry.shape) != item.value().sizes()) {
            problems.push_back(item.key() + " has shape " + shapeText(entry.shape) + " but the model expects " +
                               shapeText(item.value().sizes()));
        } else if (!c10::isFloatingType(entry.dtype)) {
            problems.push_back(item.key() + std::string(" has non-floating dtype ") + c10::toString(entry.dtype));
        }
    }
    for (const auto& name : file.names()) {
        if (!expected.count(name) && !ignoredKeys.count(name)) {
            problems.push_back("unexpected " + name + " " + shapeText(file.entry(name).shape));
        }
    }
    if (!problems.empty()) {
        std::ostringstream message;
        message << file.path().string() << ": " << subject << " does not match config.json (" << problems.size()
                << (problems.size() == 1 ? " problem" : " problems") << "): ";
        const size_t shown = std::min<size_t>(problems.size(), 6);
        for (size_t i = 0; i < shown; ++i) message << (i ? "; " : "") << problems[i];
        if (shown < problems.size()) message << "; ... and " << problems.size() - shown << " more";
        throw Error(message.str());
    }
    torch::NoGradGuard noGrad;
    for (auto& item : params) {
        auto values = file.tensor(item.key()).to(item.value().device(), item.value().scalar_type());
        if (!torch::isfinite(values).all().item<bool>()) {
            throw Error(file.path().string() + ": " + item.key() + " contains NaN or infinite values");
        }
        item.value().copy_(values);
    }
}

}  // namespace latentlens
