#include "core/model/ModuleWeights.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/AttentionBlock.h"

namespace latentlens {
namespace {

// "encoder.mid_block.attentions.0." for every AttentionBlock inside `module`.
std::vector<std::string> attentionBlockPrefixes(torch::nn::Module& module) {
    std::vector<std::string> prefixes;
    for (const auto& item : module.named_modules(/*name_prefix=*/"", /*include_self=*/false)) {
        if (dynamic_cast<AttentionBlockImpl*>(item.value().get())) prefixes.push_back(item.key() + ".");
    }
    return prefixes;
}

// The file key a parameter is stored under: its own name, else its legacy AttentionBlock name
// if the file has that one (else its own name, reported missing).
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

std::string shapeText(c10::IntArrayRef shape) {
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
}

int64_t countParameters(const torch::nn::Module& module) {
    int64_t count = 0;
    for (const auto& parameter : module.parameters()) count += parameter.numel();
    return count;
}

void loadParametersStrict(torch::nn::Module& module, const SafetensorsFile& file, const StrictLoadOptions& options) {
    const auto attentionPrefixes = attentionBlockPrefixes(module);
    std::vector<std::string> problems;
    std::map<std::string, std::string> sources;  // parameter → file key
    std::set<std::string> used(options.ignoredKeys.begin(), options.ignoredKeys.end());
    auto params = module.named_parameters(/*recurse=*/true);
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
        message << file.path().string() << ": " << options.subject << " does not match config.json ("
                << problems.size() << (problems.size() == 1 ? " problem" : " problems") << "): ";
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

}  // namespace latentlens
