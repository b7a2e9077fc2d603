#include "core/sampling/SchedulerConfig.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/Error.h"

namespace latentlens {
namespace {

// The largest num_train_timesteps accepted: far beyond any real checkpoint, small enough that the
// (T) float32 schedule tensors stay tiny.
constexpr int64_t kMaxTrainTimesteps = 1'000'000;

std::string describe(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null: return "null";
        case nlohmann::json::value_t::boolean: return "a boolean";
        case nlohmann::json::value_t::string: return "a string";
        case nlohmann::json::value_t::array: return "a list";
        case nlohmann::json::value_t::object: return "an object";
        case nlohmann::json::value_t::number_float: return "a floating-point number";
        case nlohmann::json::value_t::number_integer:
        case nlohmann::json::value_t::number_unsigned: return "an integer";
        default: return "an unsupported JSON value";
    }
}

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

// Reads the keys of one scheduler_config.json; every failure names the file and the key.
// A key that is absent takes the default; a key that is present must have the right JSON type
// (null included: diffusers would pass None on, which is not the default).
class Reader {
public:
    Reader(const nlohmann::json& json, const std::string& source) : json_(json), source_(source) {}

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
        throw Error(source_ + ": scheduler config key \"" + key + "\" " + problem);
    }

    bool has(const std::string& key) const { return json_.contains(key); }
    const nlohmann::json& at(const std::string& key) const { return json_.at(key); }

    bool boolean(const std::string& key, bool fallback) const {
        if (!has(key)) return fallback;
        const auto& value = at(key);
        if (!value.is_boolean()) fail(key, "must be true or false, not " + describe(value));
        return value.get<bool>();
    }

    int64_t integer(const std::string& key, int64_t fallback) const {
        if (!has(key)) return fallback;
        const auto& value = at(key);
        if (value.is_number_unsigned()) {
            if (value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                fail(key, "is too large");
            }
            return static_cast<int64_t>(value.get<uint64_t>());
        }
        if (!value.is_number_integer()) fail(key, "must be an integer, not " + describe(value));
        return value.get<int64_t>();
    }

    double number(const std::string& key, double fallback) const {
        if (!has(key)) return fallback;
        return numberValue(key, at(key));
    }

    double numberValue(const std::string& key, const nlohmann::json& value) const {
        if (!value.is_number()) fail(key, "must be a number, not " + describe(value));
        const double out = value.get<double>();
        if (!std::isfinite(out)) fail(key, "must be a finite number");
        return out;
    }

    std::string string(const std::string& key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        const auto& value = at(key);
        if (!value.is_string()) fail(key, "must be a string, not " + describe(value));
        return value.get<std::string>();
    }

private:
    const nlohmann::json& json_;
    const std::string& source_;
};

}  // namespace

SchedulerConfig SchedulerConfig::fromJson(const nlohmann::json& json, const std::string& source) {
    if (!json.is_object()) throw Error(source + ": the scheduler config is not a JSON object");
    Reader r(json, source);
    const SchedulerConfig defaults;
    SchedulerConfig c;

    c.className = r.string("_class_name", defaults.className);
    if (c.className != "DDIMScheduler" && c.className != "DDPMScheduler" && c.className != "DDIMInverseScheduler") {
        r.fail("_class_name", "is \"" + c.className +
                                  "\"; LatentLens reads DDIMScheduler, DDPMScheduler or DDIMInverseScheduler configs");
    }

    // Dynamic thresholding (Imagen) changes every step; refuse rather than compute something else.
    if (r.boolean("thresholding", false)) {
        r.fail("thresholding", "is true: dynamic thresholding is not supported (set it to false)");
    }

    c.numTrainTimesteps = r.integer("num_train_timesteps", defaults.numTrainTimesteps);
    if (c.numTrainTimesteps < 1 || c.numTrainTimesteps > kMaxTrainTimesteps) {
        r.fail("num_train_timesteps", "is " + std::to_string(c.numTrainTimesteps) + "; it must be between 1 and " +
                                          std::to_string(kMaxTrainTimesteps));
    }

    c.betaStart = r.number("beta_start", defaults.betaStart);
    c.betaEnd = r.number("beta_end", defaults.betaEnd);
    if (c.betaStart < 0.0 || c.betaStart > 1.0) r.fail("beta_start", "must lie in [0, 1]");
    if (c.betaEnd < 0.0 || c.betaEnd > 1.0) r.fail("beta_end", "must lie in [0, 1]");

    c.betaSchedule = r.string("beta_schedule", defaults.betaSchedule);
    if (c.betaSchedule != "linear" && c.betaSchedule != "scaled_linear" && c.betaSchedule != "squaredcos_cap_v2") {
        r.fail("beta_schedule", "has unknown value \"" + c.betaSchedule + "\"; expected " +
                                    joinChoices({"linear", "scaled_linear", "squaredcos_cap_v2"}));
    }

    if (r.has("trained_betas") && !r.at("trained_betas").is_null()) {
        const auto& betas = r.at("trained_betas");
        if (!betas.is_array()) r.fail("trained_betas", "must be null or a list of numbers, not " + describe(betas));
        c.trainedBetas.reserve(betas.size());
        for (const auto& beta : betas) c.trainedBetas.push_back(r.numberValue("trained_betas", beta));
        if (static_cast<int64_t>(c.trainedBetas.size()) != c.numTrainTimesteps) {
            r.fail("trained_betas", "has " + std::to_string(c.trainedBetas.size()) +
                                        " entries; it needs one per training timestep (num_train_timesteps = " +
                                        std::to_string(c.numTrainTimesteps) + ")");
        }
        for (double beta : c.trainedBetas) {
            if (beta < 0.0 || beta > 1.0) r.fail("trained_betas", "must hold values in [0, 1]");
        }
    }

    c.clipSample = r.boolean("clip_sample", defaults.clipSample);
    c.clipSampleRange = r.number("clip_sample_range", defaults.clipSampleRange);
    if (c.clipSampleRange <= 0.0) r.fail("clip_sample_range", "must be positive");
    c.setAlphaToOne = r.boolean("set_alpha_to_one", defaults.setAlphaToOne);

    c.stepsOffset = r.integer("steps_offset", defaults.stepsOffset);
    if (c.stepsOffset < 0 || c.stepsOffset >= c.numTrainTimesteps) {
        r.fail("steps_offset", "is " + std::to_string(c.stepsOffset) + "; it must lie in [0, num_train_timesteps)");
    }

    c.timestepSpacing = r.string("timestep_spacing", defaults.timestepSpacing);
    if (c.timestepSpacing != "leading" && c.timestepSpacing != "trailing" && c.timestepSpacing != "linspace") {
        r.fail("timestep_spacing", "has unknown value \"" + c.timestepSpacing + "\"; expected " +
                                       joinChoices({"leading", "trailing", "linspace"}));
    }

    c.predictionType = r.string("prediction_type", defaults.predictionType);
    if (c.predictionType != "epsilon" && c.predictionType != "v_prediction" && c.predictionType != "sample") {
        r.fail("prediction_type", "has unknown value \"" + c.predictionType + "\"; expected " +
                                      joinChoices({"epsilon", "v_prediction", "sample"}));
    }

    c.rescaleBetasZeroSnr = r.boolean("rescale_betas_zero_snr", defaults.rescaleBetasZeroSnr);
    return c;
}

SchedulerConfig SchedulerConfig::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot open the scheduler config");
    nlohmann::json json;
    try {
        in >> json;
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": the scheduler config is not valid JSON (" + e.what() + ")");
    }
    return fromJson(json, file.string());
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
