#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include "core/Error.h"

namespace latentlens::test {

// ../shared/fixtures (diffusers references) and the names of its fixtures of each kind:
// single UNet2DModel folders (config.json + weights) and diffusers pipeline folders
// (model_index.json + component subfolders, e.g. the Stable Diffusion ones).
std::filesystem::path fixturesDir();
std::filesystem::path fixtureDir(const std::string& name);
const std::vector<std::string>& unetFixtureNames();
const std::vector<std::string>& pipelineFixtureNames();
// The gtest name of a suite instantiated over fixture names: "sd1-tiny" → "sd1_tiny".
std::string fixtureTestName(const ::testing::TestParamInfo<std::string>& info);
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

// A JSON file read (throws on a missing or malformed file) and written (indented).
nlohmann::json readJson(const std::filesystem::path& path);
void writeJson(const std::filesystem::path& path, const nlohmann::json& json);
// Every tensor of a .safetensors file by name, copied out of the mapping, in file order.
std::vector<std::pair<std::string, torch::Tensor>> readAllTensors(const std::filesystem::path& path);
// A measured error as a property of the running test (--gtest_output=xml): "3.142e-08".
void recordError(const std::string& name, double error);

// ‖a − b‖ / ‖b‖ over all elements, in float64.
double relativeError(const torch::Tensor& actual, const torch::Tensor& expected);
// max |a − b| / max |b|, in float64.
double maxRelativeError(const torch::Tensor& actual, const torch::Tensor& expected);

}  // namespace latentlens::test
