#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

#include "core/geometry/PullbackBasis.h"
#include "core/pipeline/TextEncoder.h"

namespace latentlens {

// Bases of one sweep over prompts: bases[t][p][n] is the basis at seed n's z_t at timesteps[t]
// with J taken under prompts[p].
using PromptSweepBases = std::vector<std::vector<std::vector<PullbackBasis>>>;

// "Similar prompts yield comparable tangent spaces" (Park et al. 2023, Sec. 4.2): at each
// timestep, the tangent spaces of the same z_t under every pair of prompts, compared in X (span of
// v_i) and H (span of u_i) as PairwiseSimilarity.h defines, averaged over the seeds; and how that
// similarity follows the prompts' text similarity.
struct PromptSimilarity {
    std::vector<int64_t> timesteps;
    std::vector<std::string> prompts;
    std::vector<uint64_t> seeds;
    int64_t k = 0;
    int64_t xDim = 0;
    int64_t hDim = 0;
    torch::Tensor xSimilarity;  // (T, P, P) mean over seeds of the mean squared principal cosine
    torch::Tensor xDistance;    // (T, P, P) mean over seeds of the Grassmannian geodesic distance
    torch::Tensor hSimilarity;
    torch::Tensor hDistance;
    torch::Tensor meanXSimilarity;  // (T) mean over the P(P−1)/2 prompt pairs
    torch::Tensor meanXDistance;
    torch::Tensor meanHSimilarity;
    torch::Tensor meanHDistance;
    torch::Tensor textSimilarity;  // (P, P) cosine of the prompts' pooled embeddings
    torch::Tensor xCorrelation;    // (T) Pearson r over prompt pairs: X similarity vs text similarity
    torch::Tensor hCorrelation;    // (T) the same in H
};

// textEmbeddings: (P, D), one row per prompt (see pooledPromptEmbedding). Needs at least two
// prompts and one seed; throws Error for missing bases or mismatched sizes.
PromptSimilarity promptSimilarity(const std::vector<int64_t>& timesteps, const std::vector<std::string>& prompts,
                                  const std::vector<uint64_t>& seeds, const PromptSweepBases& bases,
                                  const torch::Tensor& textEmbeddings);

// A prompt's pooled text embedding, (D) float64: the embeddings the U-Net reads (encode()) at the
// end-of-text token, the first position of the largest token id, as CLIP's pooled output takes it
// (before CLIP's projection).
torch::Tensor pooledPromptEmbedding(const TextEncoder& encoder, const std::string& prompt);

// Cosines of every pair of rows of (P, D): (P, P) float64.
torch::Tensor cosineSimilarityMatrix(const torch::Tensor& rows);

}  // namespace latentlens
