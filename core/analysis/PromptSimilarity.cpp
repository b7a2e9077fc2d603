#include "core/analysis/PromptSimilarity.h"

#include <algorithm>

#include <torch/torch.h>

#include "core/Error.h"
#include "core/analysis/Correlation.h"
#include "core/analysis/PairwiseSimilarity.h"

namespace latentlens {
namespace {

// The entries above the diagonal of (P, P), row by row.
std::vector<double> upperTriangle(const torch::Tensor& matrix) {
    std::vector<double> values;
    auto m = matrix.to(torch::kFloat64).contiguous();
    auto a = m.accessor<double, 2>();
    for (int64_t i = 0; i < m.size(0); ++i) {
        for (int64_t j = i + 1; j < m.size(1); ++j) values.push_back(a[i][j]);
    }
    return values;
}

}  // namespace

PromptSimilarity promptSimilarity(const std::vector<int64_t>& timesteps, const std::vector<std::string>& prompts,
                                  const std::vector<uint64_t>& seeds, const PromptSweepBases& bases,
                                  const torch::Tensor& textEmbeddings) {
    const auto P = static_cast<int64_t>(prompts.size());
    if (P < 2) throw Error("comparing prompts needs at least two prompts");
    if (seeds.empty()) throw Error("comparing prompts needs at least one seed");
    if (bases.size() != timesteps.size()) throw Error("the prompt sweep has no bases for some timesteps");
    if (!textEmbeddings.defined() || textEmbeddings.dim() != 2 || textEmbeddings.size(0) != P) {
        throw Error("the prompt sweep needs one text embedding per prompt");
    }
    PromptSimilarity result;
    result.timesteps = timesteps;
    result.prompts = prompts;
    result.seeds = seeds;
    result.textSimilarity = cosineSimilarityMatrix(textEmbeddings);
    const auto text = upperTriangle(result.textSimilarity);
    std::vector<torch::Tensor> xs, xd, hs, hd;
    std::vector<double> meanXs, meanXd, meanHs, meanHd, xr, hr;
    for (const auto& atTimestep : bases) {
        if (static_cast<int64_t>(atTimestep.size()) != P) throw Error("the prompt sweep has no bases for some prompts");
        auto sumXs = torch::zeros({P, P}, torch::kFloat64), sumXd = torch::zeros({P, P}, torch::kFloat64);
        auto sumHs = torch::zeros({P, P}, torch::kFloat64), sumHd = torch::zeros({P, P}, torch::kFloat64);
        for (size_t n = 0; n < seeds.size(); ++n) {
            std::vector<torch::Tensor> vs, us;
            for (const auto& underPrompt : atTimestep) {
                if (underPrompt.size() != seeds.size()) throw Error("the prompt sweep has no bases for some seeds");
                vs.push_back(underPrompt[n].v);
                us.push_back(underPrompt[n].u);
            }
            result.k = atTimestep.front()[n].k;
            result.xDim = vs.front().numel() / vs.front().size(0);
            result.hDim = us.front().numel() / us.front().size(0);
            auto x = pairwiseSimilarity(vs);
            auto h = pairwiseSimilarity(us);
            sumXs += x.similarity;
            sumXd += x.distance;
            sumHs += h.similarity;
            sumHd += h.distance;
        }
        const auto N = static_cast<double>(seeds.size());
        xs.push_back(sumXs / N);
        xd.push_back(sumXd / N);
        hs.push_back(sumHs / N);
        hd.push_back(sumHd / N);
        meanXs.push_back(meanAboveDiagonal(xs.back()));
        meanXd.push_back(meanAboveDiagonal(xd.back()));
        meanHs.push_back(meanAboveDiagonal(hs.back()));
        meanHd.push_back(meanAboveDiagonal(hd.back()));
        xr.push_back(pearsonCorrelation(upperTriangle(xs.back()), text));
        hr.push_back(pearsonCorrelation(upperTriangle(hs.back()), text));
    }
    auto series = [](const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); };
    result.xSimilarity = torch::stack(xs);
    result.xDistance = torch::stack(xd);
    result.hSimilarity = torch::stack(hs);
    result.hDistance = torch::stack(hd);
    result.meanXSimilarity = series(meanXs);
    result.meanXDistance = series(meanXd);
    result.meanHSimilarity = series(meanHs);
    result.meanHDistance = series(meanHd);
    result.xCorrelation = series(xr);
    result.hCorrelation = series(hr);
    return result;
}

torch::Tensor pooledPromptEmbedding(const TextEncoder& encoder, const std::string& prompt) {
    const auto ids = encoder.tokenIds(prompt);
    if (ids.empty()) throw Error("the text encoder gave no tokens for \"" + prompt + "\"");
    const auto position = std::max_element(ids.begin(), ids.end()) - ids.begin();
    auto embeddings = encoder.encode(prompt);  // (1, L, D)
    return embeddings[0][position].to(torch::kCPU, torch::kFloat64);
}

torch::Tensor cosineSimilarityMatrix(const torch::Tensor& rows) {
    if (!rows.defined() || rows.dim() != 2) throw Error("cosine similarities need a (P, D) matrix");
    auto r = rows.to(torch::kCPU, torch::kFloat64);
    auto unit = r / r.norm(2, 1, true).clamp_min(1e-300);
    return unit.matmul(unit.t());
}

}  // namespace latentlens
