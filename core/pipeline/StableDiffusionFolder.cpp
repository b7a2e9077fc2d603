#include "core/pipeline/StableDiffusionFolder.h"

#include <map>
#include <set>
#include <system_error>

#include <spdlog/spdlog.h>

#include "core/Error.h"
#include "core/FileSystem.h"
#include "core/config/JsonConfigReader.h"

namespace latentlens {
namespace fs = std::filesystem;
namespace {



// model_index.json's component entry: ["library", "Class"], or [null, null] / null for none.
// Returns the class ("" for none); anything else throws naming the file and the key.
std::string componentClass(const nlohmann::json& index, const std::string& key, const fs::path& file) {
    const auto found = index.find(key);
    if (found == index.end() || found->is_null()) return {};
    const auto& entry = *found;
    if (!entry.is_array() || entry.size() != 2) {
        throw Error(file.string() + ": component \"" + key + "\" must be [library, class], not " +
                    describeJsonType(entry));
    }
    if (entry[1].is_null()) return {};
    if (!entry[1].is_string()) throw Error(file.string() + ": component \"" + key + "\" has a class that is not a string");
    return entry[1].get<std::string>();
}

void requireFile(const fs::path& path, const std::string& what) {
    if (!isRegularFile(path)) throw Error(path.string() + ": missing (" + what + ")");
}

}  // namespace

bool StableDiffusionFolder::isStableDiffusion(const fs::path& folder) {
    const auto indexFile = folder / "model_index.json";
    if (!isRegularFile(indexFile)) return false;
    const auto index = readJsonConfigFile(indexFile, "pipeline index");
    const auto found = index.is_object() ? index.find("_class_name") : index.end();
    return found != index.end() && found->is_string() && found->get<std::string>().rfind("StableDiffusion", 0) == 0;
}

StableDiffusionFolder StableDiffusionFolder::resolve(const fs::path& folder) {
    if (!isDirectory(folder)) throw Error(folder.string() + ": no such model folder");
    const auto indexFile = folder / "model_index.json";
    const auto index = readJsonConfigFile(indexFile, "pipeline index");
    if (!index.is_object()) throw Error(indexFile.string() + ": the pipeline index is not a JSON object");

    StableDiffusionFolder result;
    result.root = folder;
    const auto className = index.find("_class_name");
    result.pipelineClass = className != index.end() && className->is_string() ? className->get<std::string>() : "";
    if (result.pipelineClass != "StableDiffusionPipeline" && result.pipelineClass != "StableDiffusionImg2ImgPipeline") {
        throw Error(indexFile.string() + ": " + (result.pipelineClass.empty() ? "no _class_name" : result.pipelineClass) +
                    " is not supported; LatentLens runs StableDiffusionPipeline folders (Stable Diffusion 1.x and 2.x)");
    }

    // What each known component must be.
    const std::map<std::string, std::set<std::string>> expected = {
        {"unet", {"UNet2DConditionModel"}},
        {"vae", {"AutoencoderKL"}},
        {"text_encoder", {"CLIPTextModel"}},
        {"tokenizer", {"CLIPTokenizer", "CLIPTokenizerFast"}},
    };
    const std::set<std::string> ignorable = {"safety_checker", "feature_extractor", "image_encoder"};
    for (const auto& [key, value] : index.items()) {
        if (key.empty() || key[0] == '_' || key == "requires_safety_checker") continue;
        const auto cls = componentClass(index, key, indexFile);
        if (key == "scheduler") {
            if (cls.empty()) throw Error(indexFile.string() + ": the pipeline has no scheduler");
            continue;
        }
        if (const auto known = expected.find(key); known != expected.end()) {
            if (!known->second.count(cls)) {
                throw Error(indexFile.string() + ": component \"" + key + "\" is " + (cls.empty() ? "absent" : cls) +
                            "; LatentLens needs " + *known->second.begin());
            }
            continue;
        }
        if (ignorable.count(key)) {
            if (!cls.empty()) result.ignoredComponents.push_back(key);
            continue;
        }
        if (!cls.empty()) {
            throw Error(indexFile.string() + ": component \"" + key + "\" (" + cls +
                        ") is not supported; a Stable Diffusion 1.x/2.x pipeline has unet, vae, text_encoder, "
                        "tokenizer and scheduler");
        }
    }
    for (const auto& [key, classes] : expected) {
        if (!index.contains(key)) throw Error(indexFile.string() + ": the pipeline has no \"" + key + "\" component");
    }
    if (!index.contains("scheduler")) throw Error(indexFile.string() + ": the pipeline has no \"scheduler\" component");
    for (const auto& name : result.ignoredComponents) {
        spdlog::info("{}: ignoring the {} component (LatentLens does not run it)", folder.string(), name);
    }

    result.unet = folder / "unet";
    result.vae = folder / "vae";
    result.textEncoder = folder / "text_encoder";
    result.tokenizer = folder / "tokenizer";
    result.schedulerConfig = folder / "scheduler" / "scheduler_config.json";
    requireFile(result.unet / "config.json", "the UNet's config");
    requireFile(result.vae / "config.json", "the VAE's config");
    requireFile(result.textEncoder / "config.json", "the text encoder's config");
    for (const char* file : {"vocab.json", "merges.txt"}) requireFile(result.tokenizer / file, "the tokenizer's files");
    requireFile(result.schedulerConfig, "the scheduler's config");
    return result;
}

}  // namespace latentlens
