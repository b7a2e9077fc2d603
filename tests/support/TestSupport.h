#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "core/Error.h"

namespace latentlens::test {

// ../shared/fixtures (diffusers references), and the names of the UNet2DModel fixtures in it
// (not the Stable Diffusion pipeline fixtures sd1-tiny and sd2-tiny).
std::filesystem::path fixturesDir();
std::filesystem::path fixtureDir(const std::string& name);
const std::vector<std::string>& modelFixtureNames();
// The Stable Diffusion pipeline fixtures (model_index.json, unet/, vae/, text_encoder/, ...).
const std::vector<std::string>& stableDiffusionFixtureNames();
// The embedded default model folder (resources/models/fmnist32).
std::filesystem::path defaultModelDir();

// A fresh empty folder under the system temp dir, removed when the object dies.
class TempDir {
public:
    explicit TempDir(const std::string& prefix = "latentlens-test");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Runs `action` and expects a latentlens::Error with a one-line message that names `path` and
// contains `fragment`.
template <typename Action>
void expectError(const std::filesystem::path& path, const std::string& fragment, Action action) {
    try {
        action();
        ADD_FAILURE() << "no Error thrown for " << path << " (expected '" << fragment << "')";
    } catch (const Error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
        EXPECT_NE(message.find(fragment), std::string::npos) << "'" << message << "' lacks '" << fragment << "'";
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

// ‖a − b‖ / ‖b‖ over all elements, in float64.
double relativeError(const torch::Tensor& actual, const torch::Tensor& expected);
// max |a − b| / max |b|, in float64.
double maxRelativeError(const torch::Tensor& actual, const torch::Tensor& expected);

}  // namespace latentlens::test
