#include "io/SessionFile.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/Error.h"

namespace latentlens {
namespace fs = std::filesystem;

void writeSessionFile(const fs::path& folder, const Session& session) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) throw Error(folder.string() + ": cannot create the session folder");
    nlohmann::json json;
    json["version"] = Session::kVersion;
    json["model"] = session.model;
    json["modelName"] = session.modelName;
    json["conditioning"] = session.conditioning;
    if (!session.conditioning.empty()) {
        json["prompt"] = session.prompt;
        json["negativePrompt"] = session.negativePrompt;
        json["guidance"] = session.guidance;
    }
    json["steps"] = session.steps;
    json["eta"] = session.eta;
    json["timestep"] = session.timestep;
    if (session.seed) {
        json["seed"] = *session.seed;
    } else {
        json["image"] = session.image;
        json["imageName"] = session.imageName;
        if (session.invertedTo) json["invertedTo"] = *session.invertedTo;
    }
    if (!session.mask.empty()) json["mask"] = session.mask;
    if (!session.basis.empty()) {
        json["basis"] = session.basis;
        json["sliders"] = nlohmann::json::array();
        for (const auto& slider : session.sliders)
            json["sliders"].push_back({{"direction", slider.direction}, {"alpha", slider.alpha}});
    }
    const auto path = folder / kSessionFileName;
    std::ofstream out(path, std::ios::trunc);
    out << json.dump(4) << '\n';
    out.flush();
    if (!out) throw Error(path.string() + ": cannot write the session file");
}

Session readSessionFile(const fs::path& folder) {
    const auto path = folder / kSessionFileName;
    const std::string where = path.string();
    std::ifstream in(path);
    if (!in) throw Error(where + ": cannot open the session (missing or unreadable); choose a folder saved with File › Save session");
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(where + ": not a valid session file (" + e.what() + ")");
    }
    if (!json.is_object()) throw Error(where + ": not a valid session file (not a JSON object)");

    const auto require = [&](const char* key) -> const nlohmann::json& {
        if (!json.contains(key)) throw Error(where + ": the session has no \"" + key + "\"");
        return json.at(key);
    };
    const auto number = [&](const char* key, const nlohmann::json& value) {
        if (!value.is_number()) throw Error(where + ": \"" + key + "\" must be a number");
        return value;
    };
    const auto textOf = [&](const char* key, const nlohmann::json& value) {
        if (!value.is_string()) throw Error(where + ": \"" + key + "\" must be a string");
        return value.get<std::string>();
    };

    const int version = json.contains("version") ? number("version", json.at("version")).get<int>() : 1;
    if (version < 1 || version > Session::kVersion)
        throw Error(where + ": session version " + std::to_string(version) +
                    " is not supported (this LatentLens reads versions 1 to " + std::to_string(Session::kVersion) + ")");
    Session session;
    session.model = textOf("model", require("model"));
    if (json.contains("modelName")) session.modelName = textOf("modelName", json.at("modelName"));
    if (json.contains("conditioning")) session.conditioning = textOf("conditioning", json.at("conditioning"));
    if (json.contains("prompt")) session.prompt = textOf("prompt", json.at("prompt"));
    if (json.contains("negativePrompt")) session.negativePrompt = textOf("negativePrompt", json.at("negativePrompt"));
    if (json.contains("guidance")) session.guidance = number("guidance", json.at("guidance")).get<double>();
    session.steps = number("steps", require("steps")).get<int64_t>();
    session.eta = number("eta", require("eta")).get<double>();
    session.timestep = number("timestep", require("timestep")).get<int64_t>();
    if (session.steps < 1) throw Error(where + ": \"steps\" must be at least 1");
    if (json.contains("seed")) {
        const auto& seed = json.at("seed");
        if (!seed.is_number_integer() || seed.get<int64_t>() < 0)
            throw Error(where + ": \"seed\" must be a whole number >= 0");
        session.seed = seed.get<uint64_t>();
    } else {
        session.image = textOf("image", require("image"));
        if (json.contains("imageName")) session.imageName = textOf("imageName", json.at("imageName"));
        if (json.contains("invertedTo")) session.invertedTo = number("invertedTo", json.at("invertedTo")).get<int64_t>();
    }
    if (json.contains("mask")) session.mask = textOf("mask", json.at("mask"));
    if (json.contains("basis")) {
        session.basis = textOf("basis", json.at("basis"));
        if (json.contains("sliders")) {
            if (!json.at("sliders").is_array()) throw Error(where + ": \"sliders\" must be a list");
            for (const auto& entry : json.at("sliders")) {
                if (!entry.is_object()) throw Error(where + ": every slider must be an object");
                SessionSlider slider;
                slider.direction = entry.contains("direction") && entry.at("direction").is_number_integer()
                                       ? entry.at("direction").get<int>()
                                       : -1;
                slider.alpha = entry.contains("alpha") ? number("alpha", entry.at("alpha")).get<double>() : 0.0;
                session.sliders.push_back(slider);
            }
        }
    }
    return session;
}

}  // namespace latentlens
