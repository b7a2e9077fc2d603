#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace latentlens {

struct PullbackBasis;

// Which direction of a previous basis each direction of a new one continues, e.g. the basis of
// the same image a few timesteps away, so that a slider on "direction 3" can stay on the same
// edit when the basis is recomputed. Directions are matched one to one, greedily by |cos|
// (the most similar pair first); a pair below the minimum cosine is not a match.
struct DirectionMatch {
    static constexpr double kMinimumCosine = 0.5;

    std::vector<int64_t> previous;  // per new direction: the previous direction it continues, -1 none
    std::vector<double> cosine;     // per new direction: |cos| with that previous direction (0: none)
    std::vector<bool> opposite;     // per new direction: whether that cos is negative

    // The new direction that continues previous direction i, or -1.
    int64_t continuationOf(int64_t i) const;
};

// Matches the rows of `current` (k, ...) to those of `previous` (p, ...), both unit vectors of the
// same space (any shape after the first dimension).
DirectionMatch matchDirections(const torch::Tensor& previous, const torch::Tensor& current,
                               double minimumCosine = DirectionMatch::kMinimumCosine);

// `current` (the basis `match` was made for) with the sign of each matched direction (v_i with
// its u_i) turned to agree with the direction it continues (cos > 0), so that +α edits the same
// way as before. The order (σ descending) is kept; unmatched directions keep their sign.
PullbackBasis withMatchedSigns(const PullbackBasis& current, const DirectionMatch& match);

}  // namespace latentlens
