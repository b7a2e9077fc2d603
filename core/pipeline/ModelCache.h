#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "core/pipeline/ModelOptions.h"

namespace latentlens {

class DiffusionPipeline;

// One copy of each model in memory: folder + ModelOptions → the shared DiffusionPipeline. The
// cache holds models weakly: a model lives as long as someone (a worker, a view's state) holds it,
// and the next request after that loads it again. Thread-safe; two threads asking for the same
// model at once load it once (the second waits), and loads of different models do not wait for
// each other. Pipelines are used through their const interface only, so sharing one is safe.
class ModelCache {
public:
    // The process's cache (the desktop app's workers share it).
    static ModelCache& shared();

    // The one device policy of the desktop app: CUDA when this LibTorch has a usable GPU, else CPU;
    // float32.
    static ModelOptions defaultOptions();

    // The loaded pipeline of `folder` with `options`, loading it (DiffusionPipeline::load) if no one
    // holds it. Folders are compared by their canonical path. Throws what the loader throws.
    std::shared_ptr<DiffusionPipeline> get(const std::filesystem::path& folder,
                                           const ModelOptions& options = defaultOptions());

    // How many loads this cache has done (for tests).
    int loadCount() const;

private:
    struct Entry {
        std::mutex loading;  // held while this key's model loads
        std::weak_ptr<DiffusionPipeline> model;
    };

    static std::string keyOf(const std::filesystem::path& folder, const ModelOptions& options);

    mutable std::mutex mutex_;  // guards entries_ and loads_
    std::map<std::string, std::shared_ptr<Entry>> entries_;
    int loads_ = 0;
};

}  // namespace latentlens
