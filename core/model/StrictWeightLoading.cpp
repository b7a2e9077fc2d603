#include "core/model/StrictWeightLoading.h"

#include <algorithm>
#include <sstream>
#include <vector>

#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {

std::string shapeText(c10::IntArrayRef shape) {
    std::ostringstream out;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
    out << ']';
    return out.str();
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
