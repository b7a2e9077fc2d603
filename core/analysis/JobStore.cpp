#include "core/analysis/JobStore.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <unistd.h>

#include <torch/serialize.h>
#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens {
namespace fs = std::filesystem;
namespace {

constexpr const char* kExtension = ".pt";

void checkKey(const std::string& key) {
    const bool valid = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!valid || key.front() == '.') throw Error("internal: job key \"" + key + "\" is not a file name");
}

}  // namespace

JobStore::JobStore(fs::path folder) : folder_(std::move(folder)) {
    std::error_code error;
    fs::create_directories(folder_ / "jobs", error);
    if (error || !fs::is_directory(folder_ / "jobs")) {
        throw Error((folder_ / "jobs").string() + ": cannot create the folder of job results (" + error.message() + ")");
    }
}

fs::path JobStore::fileOf(const std::string& key) const {
    checkKey(key);
    return folder_ / "jobs" / (key + kExtension);
}

bool JobStore::has(const std::string& key) const { return fs::is_regular_file(fileOf(key)); }

void JobStore::save(const std::string& key, const Values& values) const {
    static std::atomic<uint64_t> counter{0};
    const auto target = fileOf(key);
    auto temporary = target;
    temporary += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    try {
        torch::serialize::OutputArchive archive;
        for (const auto& [name, tensor] : values) archive.write(name, tensor.detach().to(torch::kCPU).contiguous());
        archive.save_to(temporary.string());
    } catch (const c10::Error& error) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error(temporary.string() + ": cannot write a job result (" + error.what_without_backtrace() + ")");
    }
    std::error_code error;
    fs::rename(temporary, target, error);
    if (error) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        throw Error(target.string() + ": cannot store a job result (" + error.message() + ")");
    }
}

JobStore::Values JobStore::load(const std::string& key) const {
    const auto file = fileOf(key);
    if (!fs::is_regular_file(file)) throw Error(file.string() + ": no such job result");
    Values values;
    try {
        torch::serialize::InputArchive archive;
        archive.load_from(file.string());
        for (const auto& name : archive.keys()) {
            torch::Tensor tensor;
            archive.read(name, tensor);
            values[name] = tensor;
        }
    } catch (const c10::Error& error) {
        throw Error(file.string() + ": not a readable job result (" + error.what_without_backtrace() + ")");
    }
    return values;
}

std::vector<std::string> JobStore::keys() const {
    std::vector<std::string> result;
    for (const auto& entry : fs::directory_iterator(folder_ / "jobs")) {
        const auto name = entry.path().filename().string();
        if (entry.is_regular_file() && entry.path().extension() == kExtension) {
            result.push_back(name.substr(0, name.size() - std::string(kExtension).size()));
        }
    }
    std::sort(result.begin(), result.end());
    return result;
}

JobStore::Values basisValues(const PullbackBasis& basis) {
    return {{"v", basis.v},
            {"u", basis.u},
            {"sigma", basis.sigma},
            {"products", torch::tensor(basis.products(), torch::kInt64)},
            {"timestep", torch::tensor(basis.timestep, torch::kInt64)},
            {"seconds", torch::tensor(basis.wallSeconds, torch::kFloat64)}};
}

PullbackBasis basisFromValues(const JobStore::Values& values, const std::string& where) {
    auto get = [&](const char* name) {
        auto it = values.find(name);
        if (it == values.end()) throw Error(where + ": the job result has no \"" + name + "\"");
        return it->second;
    };
    PullbackBasis basis;
    basis.v = get("v");
    basis.u = get("u");
    basis.sigma = get("sigma");
    basis.k = basis.v.size(0);
    basis.jvpProducts = get("products").item<int64_t>();
    basis.timestep = get("timestep").item<int64_t>();
    basis.wallSeconds = get("seconds").item<double>();
    if (basis.u.size(0) != basis.k || basis.sigma.numel() != basis.k) {
        throw Error(where + ": the job result's v, u and sigma disagree on k");
    }
    return basis;
}

}  // namespace latentlens
