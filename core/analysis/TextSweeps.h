#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/Progress.h"
#include "core/analysis/PromptSimilarity.h"
#include "core/analysis/TextDependence.h"
#include "core/analysis/TimestepSweep.h"

namespace latentlens {

// The two text analyses computed in one process (the Analysis window; the CLI runs the same jobs
// through its shards). Both need a text-conditioned model: Error naming the model otherwise.
//
// Prompts: each seed's z_t sampled under options.sampling (the reference prompt, with its
// guidance), the basis at z_t under every prompt (J without guidance), compared per t.
PromptSimilarity promptSimilarityOver(DiffusionPipeline& model, const std::vector<std::string>& prompts,
                                      const std::vector<uint64_t>& seeds, const SweepOptions& options,
                                      const Progress& progress = {});

// Text dependence: for each prompt, each seed's z_t sampled under the prompt (negative prompt,
// guidance), the bases there under the prompt and under the empty prompt. options.sampling and
// options.jacobian are not used.
TextDependence textDependenceOver(DiffusionPipeline& model, const std::vector<std::string>& prompts,
                                  const std::vector<uint64_t>& seeds, const SweepOptions& options,
                                  const std::string& negativePrompt, double guidance, const Progress& progress = {});

}  // namespace latentlens
