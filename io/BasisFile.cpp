#include "io/BasisFile.h"

#include <fstream>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "io/NpyFile.h"

namespace latentlens {
namespace fs = std::filesystem;

void writeBasis(const fs::path& folder, const PullbackBasis& basis) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw Error(folder.string() + ": cannot create the basis folder (" + ec.message() + ")");
    writeNpy(folder / "sigma.npy", basis.sigma.to(torch::kFloat64));
    writeNpy(folder / "v.npy", basis.v.to(torch::kFloat64));
    writeNpy(folder / "u.npy", basis.u.to(torch::kFloat64));
    if (basis.xt.defined()) writeNpy(folder / "xt.npy", basis.xt.to(torch::kFloat64));
    if (basis.mask.defined()) {
        writeNpy(folder / "mask.npy", basis.mask.to(torch::kFloat64));
    } else {
        std::error_code ignored;
        fs::remove(folder / "mask.npy", ignored);  // a stale mask from an earlier basis in this folder
    }
    nlohmann::json json;
    json["format"] = "latentlens-basis-1";
    json["model"] = basis.modelName;
    json["conditioning"] = basis.conditioning;
    if (!basis.conditioning.empty()) {
        json["prompts"] = {{"jacobian", basis.jacobianPrompt},
                           {"sampling", basis.samplingPrompt},
                           {"negative", basis.negativePrompt},
                           {"guidance", basis.guidance}};
    }
    json["kind"] = basis.kind;
    json["block"] = basis.block;
    if (basis.kind == PullbackBasis::kPosteriorMean) {
        json["masked"] = basis.mask.defined();
        json["null_rank"] = basis.nullRank;
        json["outside_sigma"] = basis.outsideSigma;
    }
    json["method"] = basis.method;
    json["timestep"] = basis.timestep;
    json["k"] = basis.k;
    json["feature_shape"] = basis.featureShape;
    json["input_shape"] = std::vector<int64_t>(basis.v.sizes().begin() + 1, basis.v.sizes().end());
    json["sigma"] = std::vector<double>(basis.sigma.data_ptr<double>(), basis.sigma.data_ptr<double>() + basis.sigma.numel());
    json["residuals"] = basis.residuals;
    json["jvp_products"] = basis.jvpProducts;
    json["vjp_products"] = basis.vjpProducts;
    json["iterations"] = basis.iterations;
    json["converged"] = basis.converged;
    json["wall_seconds"] = basis.wallSeconds;
    json["seed"] = basis.seed;
    for (const auto& it : basis.history) {
        json["history"].push_back({{"iteration", it.iteration},
                                   {"products", it.products},
                                   {"sigma", it.sigma},
                                   {"residuals", it.residuals}});
    }
    std::ofstream out(folder / "basis.json");
    out << json.dump(2) << '\n';
    if (!out) throw Error((folder / "basis.json").string() + ": cannot write");
}

PullbackBasis readBasis(const fs::path& folder) {
    const auto jsonPath = folder / "basis.json";
    std::ifstream in(jsonPath);
    if (!in) throw Error(jsonPath.string() + ": no basis here (basis.json missing)");
    nlohmann::json json;
    PullbackBasis basis;
    try {
        in >> json;
        basis.modelName = json.at("model").get<std::string>();
        basis.conditioning = json.value("conditioning", std::string());  // absent before prompts existed
        basis.kind = json.value("kind", std::string(PullbackBasis::kPullback));  // absent before masked bases
        if (json.contains("prompts")) {
            const auto& prompts = json.at("prompts");
            basis.jacobianPrompt = prompts.at("jacobian").get<std::string>();
            basis.samplingPrompt = prompts.at("sampling").get<std::string>();
            basis.negativePrompt = prompts.at("negative").get<std::string>();
            basis.guidance = prompts.at("guidance").get<double>();
        }
        basis.block = json.at("block").get<std::string>();
        basis.nullRank = json.value("null_rank", int64_t(0));
        basis.outsideSigma = json.value("outside_sigma", std::vector<double>{});
        basis.method = json.at("method").get<std::string>();
        basis.timestep = json.at("timestep").get<int64_t>();
        basis.k = json.at("k").get<int64_t>();
        basis.featureShape = json.at("feature_shape").get<std::vector<int64_t>>();
        basis.residuals = json.value("residuals", std::vector<double>{});
        basis.jvpProducts = json.value("jvp_products", int64_t(0));
        basis.vjpProducts = json.value("vjp_products", int64_t(0));
        basis.iterations = json.value("iterations", 0);
        basis.converged = json.value("converged", false);
        basis.wallSeconds = json.value("wall_seconds", 0.0);
        basis.seed = json.value("seed", uint64_t(0));
    } catch (const nlohmann::json::exception& e) {
        throw Error(jsonPath.string() + ": not a valid basis description (" + e.what() + ")");
    }
    if (basis.kind != PullbackBasis::kPullback && basis.kind != PullbackBasis::kPosteriorMean) {
        throw Error(jsonPath.string() + ": unknown basis kind \"" + basis.kind + "\" (expected " +
                    PullbackBasis::kPullback + " or " + PullbackBasis::kPosteriorMean + ")");
    }
    const bool masked = json.value("masked", false);
    basis.sigma = readNpy(folder / "sigma.npy").to(torch::kFloat64);
    basis.v = readNpy(folder / "v.npy").to(torch::kFloat64);
    basis.u = readNpy(folder / "u.npy").to(torch::kFloat64);
    if (fs::exists(folder / "xt.npy")) basis.xt = readNpy(folder / "xt.npy").to(torch::kFloat64);
    if (masked) {
        if (!fs::exists(folder / "mask.npy")) throw Error((folder / "mask.npy").string() + ": missing (basis.json says the basis is masked)");
        basis.mask = readNpy(folder / "mask.npy").to(torch::kFloat64);
        if (basis.mask.dim() != 2) throw Error((folder / "mask.npy").string() + ": expected a (height, width) mask");
    }
    int64_t featureDim = 1;
    for (int64_t d : basis.featureShape) featureDim *= d;
    if (basis.k < 1 || basis.sigma.dim() != 1 || basis.sigma.size(0) != basis.k) {
        throw Error((folder / "sigma.npy").string() + ": expected " + std::to_string(basis.k) + " singular values");
    }
    if (basis.v.dim() != 4 || basis.v.size(0) != basis.k) {
        throw Error((folder / "v.npy").string() + ": expected shape (" + std::to_string(basis.k) + ", C, S, S)");
    }
    if (basis.u.dim() != 2 || basis.u.size(0) != basis.k || basis.u.size(1) != featureDim) {
        throw Error((folder / "u.npy").string() + ": expected shape (" + std::to_string(basis.k) + ", " +
                    std::to_string(featureDim) + ")");
    }
    if (basis.xt.defined() && basis.xt.sizes() != basis.v.sizes().slice(1)) {
        throw Error((folder / "xt.npy").string() + ": does not have the shape of the directions in v.npy");
    }
    return basis;
}

}  // namespace latentlens
