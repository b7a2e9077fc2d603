#include "core/pipeline/ModelCache.h"

#include <spdlog/spdlog.h>

#include "core/Runtime.h"
#include "core/pipeline/DiffusionPipeline.h"

namespace latentlens {

ModelCache& ModelCache::shared() {
    static ModelCache cache;
    return cache;
}

ModelOptions ModelCache::defaultOptions() {
    ModelOptions options;
    options.device = resolveDevice("auto");  // never throws for "auto"
    return options;
}

std::string ModelCache::keyOf(const std::filesystem::path& folder, const ModelOptions& options) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(std::filesystem::absolute(folder, ec), ec);
    if (ec) canonical = folder.lexically_normal();
    return canonical.string() + '|' + dtypeName(options.dtype) + '|' + options.device.str() + '|' +
           (options.softmaxInFloat32 ? "softmax32" : "softmax-native") + '|' + options.variant;
}

std::shared_ptr<DiffusionPipeline> ModelCache::get(const std::filesystem::path& folder, const ModelOptions& options) {
    const auto key = keyOf(folder, options);
    std::shared_ptr<Entry> entry;
    {
        std::lock_guard lock(mutex_);
        auto& slot = entries_[key];
        if (!slot) slot = std::make_shared<Entry>();
        entry = slot;
    }
    std::lock_guard loading(entry->loading);
    if (auto model = entry->model.lock()) return model;
    spdlog::debug("model cache: loading {}", key);
    auto model = DiffusionPipeline::load(folder, options);
    entry->model = model;
    std::lock_guard lock(mutex_);
    ++loads_;
    return model;
}

int ModelCache::loadCount() const {
    std::lock_guard lock(mutex_);
    return loads_;
}

}  // namespace latentlens
