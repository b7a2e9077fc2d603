#include "core/sampling/SchedulerConfig.h"

#include "core/Error.h"
#include "core/config/JsonConfigReader.h"

namespace latentlens {
namespace {

// The largest num_train_timesteps accepted: far beyond any real checkpoint, small enough that the
// (T) float32 schedule tensors stay tiny.
constexpr int64_t kMaxTrainTimesteps = 1'000'000;

std::string joinChoices(std::initializer_list<const char*> choices) {
    std::string out;
    size_t i = 0;
    for (const char* choice : choices) {
        if (i > 0) out += (i + 1 == choices.size()) ? " or " : ", ";
        out += choice;
        ++i;
    }
    return out;
}

}  // namespace

SchedulerConfig SchedulerConfig::fromJson(const nlohmann::json& json, const std::string& source) {
    if (!json.is_object()) throw Error(source + ": the scheduler config is not a JSON object");
    JsonConfigReader r(json, source, "scheduler config key ", JsonConfigReader::Null::IsAnError);
    const SchedulerConfig defaults;
    SchedulerConfig c;

    c.className = r.get<std::string>("_class_name", defaults.className);
    // Any scheduler of the DDPM family is read as DDIMScheduler.from_config reads it: its betas,
    // offset, spacing and prediction type (DDIM's defaults for keys it lacks). Schedulers without
    // a beta schedule are another model family and refused.
    const bool endsInScheduler =
        c.className.size() > 9 && c.className.compare(c.className.size() - 9, 9, "Scheduler") == 0;
    bool betaFree = false;
    for (const char* prefix : {"FlowMatch", "ScoreSdeVe", "KarrasVe", "CMStochasticIterative", "EDM", "IPNDM"}) {
        if (c.className.rfind(prefix, 0) == 0) betaFree = true;
    }
    if (!endsInScheduler || betaFree) {
        r.fail("_class_name", "is \"" + c.className +
                                  "\"; LatentLens runs schedulers with a beta schedule (DDIM, DDPM, PNDM, Euler, LMS, "
                                  "DPM-Solver, ...) as DDIM");
    }

    // Dynamic thresholding (Imagen) changes every step; refuse rather than compute something else.
    if (r.get<bool>("thresholding", false)) {
        r.fail("thresholding", "is true: dynamic thresholding is not supported (set it to false)");
    }

    c.numTrainTimesteps = r.get<int64_t>("num_train_timesteps", defaults.numTrainTimesteps);
    if (c.numTrainTimesteps < 1 || c.numTrainTimesteps > kMaxTrainTimesteps) {
        r.fail("num_train_timesteps", "is " + std::to_string(c.numTrainTimesteps) + "; it must be between 1 and " +
                                          std::to_string(kMaxTrainTimesteps));
    }

    c.betaStart = r.get<double>("beta_start", defaults.betaStart);
    c.betaEnd = r.get<double>("beta_end", defaults.betaEnd);
    if (c.betaStart < 0.0 || c.betaStart > 1.0) r.fail("beta_start", "must lie in [0, 1]");
    if (c.betaEnd < 0.0 || c.betaEnd > 1.0) r.fail("beta_end", "must lie in [0, 1]");

    c.betaSchedule = r.get<std::string>("beta_schedule", defaults.betaSchedule);
    if (c.betaSchedule != "linear" && c.betaSchedule != "scaled_linear" && c.betaSchedule != "squaredcos_cap_v2") {
        r.fail("beta_schedule", "has unknown value \"" + c.betaSchedule + "\"; expected " +
                                    joinChoices({"linear", "scaled_linear", "squaredcos_cap_v2"}));
    }

    if (r.has("trained_betas") && !r.at("trained_betas").is_null()) {
        const auto& betas = r.at("trained_betas");
        if (!betas.is_array()) r.fail("trained_betas", "must be null or a list of numbers, not " + describeJsonType(betas));
        c.trainedBetas.reserve(betas.size());
        for (const auto& beta : betas) c.trainedBetas.push_back(r.value<double>("trained_betas", beta));
        if (static_cast<int64_t>(c.trainedBetas.size()) != c.numTrainTimesteps) {
            r.fail("trained_betas", "has " + std::to_string(c.trainedBetas.size()) +
                                        " entries; it needs one per training timestep (num_train_timesteps = " +
                                        std::to_string(c.numTrainTimesteps) + ")");
        }
        for (double beta : c.trainedBetas) {
            if (beta < 0.0 || beta > 1.0) r.fail("trained_betas", "must hold values in [0, 1]");
        }
    }

    c.clipSample = r.get<bool>("clip_sample", defaults.clipSample);
    c.clipSampleRange = r.get<double>("clip_sample_range", defaults.clipSampleRange);
    if (c.clipSampleRange <= 0.0) r.fail("clip_sample_range", "must be positive");
    c.setAlphaToOne = r.get<bool>("set_alpha_to_one", defaults.setAlphaToOne);

    c.stepsOffset = r.get<int64_t>("steps_offset", defaults.stepsOffset);
    if (c.stepsOffset < 0 || c.stepsOffset >= c.numTrainTimesteps) {
        r.fail("steps_offset", "is " + std::to_string(c.stepsOffset) + "; it must lie in [0, num_train_timesteps)");
    }

    c.timestepSpacing = r.get<std::string>("timestep_spacing", defaults.timestepSpacing);
    if (c.timestepSpacing != "leading" && c.timestepSpacing != "trailing" && c.timestepSpacing != "linspace") {
        r.fail("timestep_spacing", "has unknown value \"" + c.timestepSpacing + "\"; expected " +
                                       joinChoices({"leading", "trailing", "linspace"}));
    }

    c.predictionType = r.get<std::string>("prediction_type", defaults.predictionType);
    if (c.predictionType != "epsilon" && c.predictionType != "v_prediction" && c.predictionType != "sample") {
        r.fail("prediction_type", "has unknown value \"" + c.predictionType + "\"; expected " +
                                      joinChoices({"epsilon", "v_prediction", "sample"}));
    }

    c.rescaleBetasZeroSnr = r.get<bool>("rescale_betas_zero_snr", defaults.rescaleBetasZeroSnr);
    return c;
}

SchedulerConfig SchedulerConfig::load(const std::filesystem::path& file) {
    return fromJson(readJsonConfigFile(file, "scheduler config"), file.string());
}

nlohmann::json SchedulerConfig::toJson() const {
    nlohmann::json j;
    j["_class_name"] = className;
    j["num_train_timesteps"] = numTrainTimesteps;
    j["beta_start"] = betaStart;
    j["beta_end"] = betaEnd;
    j["beta_schedule"] = betaSchedule;
    j["trained_betas"] = trainedBetas.empty() ? nlohmann::json(nullptr) : nlohmann::json(trainedBetas);
    j["clip_sample"] = clipSample;
    j["clip_sample_range"] = clipSampleRange;
    j["set_alpha_to_one"] = setAlphaToOne;
    j["steps_offset"] = stepsOffset;
    j["timestep_spacing"] = timestepSpacing;
    j["prediction_type"] = predictionType;
    j["rescale_betas_zero_snr"] = rescaleBetasZeroSnr;
    j["thresholding"] = false;
    return j;
}

}  // namespace latentlens
