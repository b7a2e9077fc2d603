#include "support/TestSupport.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>

#include <torch/torch.h>

#include "core/model/SafetensorsFile.h"

namespace latentlens::test {

std::filesystem::path fixturesDir() { return LATENTLENS_FIXTURES_DIR; }

std::filesystem::path fixtureDir(const std::string& name) { return fixturesDir() / name; }

nlohmann::json readJson(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return nlohmann::json::parse(in);
}

void writeJson(const std::filesystem::path& path, const nlohmann::json& json) { std::ofstream(path) << json.dump(2); }

std::vector<std::pair<std::string, torch::Tensor>> readAllTensors(const std::filesystem::path& path) {
    SafetensorsFile file(path);
    std::vector<std::pair<std::string, torch::Tensor>> tensors;
    for (const auto& name : file.names()) tensors.emplace_back(name, file.tensor(name).clone());
    return tensors;
}

void recordError(const std::string& name, double error) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3e", error);
    ::testing::Test::RecordProperty(name, text);
}

namespace {

// Fixture folders (those with a fixture.json) of one kind: a diffusers pipeline folder has a
// model_index.json, a single-model fixture (UNet2DModel) has none.
std::vector<std::string> fixtureNamesOfKind(bool pipelines) {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(fixturesDir())) {
        if (!entry.is_directory() || !std::filesystem::exists(entry.path() / "fixture.json")) continue;
        if (std::filesystem::exists(entry.path() / "model_index.json") == pipelines) {
            found.push_back(entry.path().filename().string());
        }
    }
    std::sort(found.begin(), found.end());
    return found;
}

}  // namespace

const std::vector<std::string>& unetFixtureNames() {
    static const std::vector<std::string> names = fixtureNamesOfKind(false);
    return names;
}

const std::vector<std::string>& pipelineFixtureNames() {
    static const std::vector<std::string> names = fixtureNamesOfKind(true);
    return names;
}

std::string fixtureTestName(const ::testing::TestParamInfo<std::string>& info) {
    std::string name = info.param;
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

std::filesystem::path defaultModelDir() { return std::filesystem::path(LATENTLENS_SOURCE_MODEL_DIR) / "fmnist32"; }

TempDir::TempDir(const std::string& prefix) {
    std::random_device device;
    std::mt19937_64 generator(device());
    for (int attempt = 0; attempt < 100; ++attempt) {
        auto candidate = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(generator() % 1000000000));
        if (std::filesystem::create_directory(candidate)) {
            path_ = candidate;
            return;
        }
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

double relativeError(const torch::Tensor& actual, const torch::Tensor& expected) {
    auto a = actual.detach().to(torch::kCPU, torch::kFloat64);
    auto b = expected.detach().to(torch::kCPU, torch::kFloat64);
    return (a - b).norm().item<double>() / b.norm().item<double>();
}

double maxRelativeError(const torch::Tensor& actual, const torch::Tensor& expected) {
    auto a = actual.detach().to(torch::kCPU, torch::kFloat64);
    auto b = expected.detach().to(torch::kCPU, torch::kFloat64);
    return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

}  // namespace latentlens::test
