#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentlens {

// The fields of a diffusers scheduler_config.json that DDIM uses. Any scheduler with a beta
// schedule (DDIM, DDPM, PNDM as Stable Diffusion ships, Euler, LMS, DPM-Solver, ...) is read the
// way DDIMScheduler.from_config reads it: missing keys take DDIMScheduler's defaults, keys DDIM
// does not know are ignored. className keeps the file's class for messages.
struct SchedulerConfig {
    std::string className = "DDIMScheduler";
    int64_t numTrainTimesteps = 1000;
    double betaStart = 0.0001;
    double betaEnd = 0.02;
    std::string betaSchedule = "linear";     // linear | scaled_linear | squaredcos_cap_v2
    std::vector<double> trainedBetas;        // non-empty overrides betaSchedule
    bool clipSample = true;
    double clipSampleRange = 1.0;
    bool setAlphaToOne = true;
    int64_t stepsOffset = 0;
    std::string timestepSpacing = "leading"; // leading | trailing | linspace
    std::string predictionType = "epsilon";  // epsilon | v_prediction | sample
    bool rescaleBetasZeroSnr = false;

    // Validates every field; throws latentlens::Error naming `source` and the key
    // (thresholding: true, unknown schedule/spacing/prediction type, wrong JSON types, ...).
    static SchedulerConfig fromJson(const nlohmann::json& json, const std::string& source);
    static SchedulerConfig load(const std::filesystem::path& file);
    nlohmann::json toJson() const;
};

}  // namespace latentlens
