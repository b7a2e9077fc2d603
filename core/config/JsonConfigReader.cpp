#include "core/config/JsonConfigReader.h"

#include <cmath>
#include <fstream>
#include <limits>

#include "core/Error.h"

namespace latentlens {

nlohmann::json readJsonConfigFile(const std::filesystem::path& file, const std::string& what) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot open the " + what);
    nlohmann::json json;
    try {
        in >> json;
    } catch (const nlohmann::json::exception& e) {
        throw Error(file.string() + ": the " + what + " is not valid JSON (" + e.what() + ")");
    }
    return json;
}

std::string describeJsonType(const nlohmann::json& value) {
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

JsonConfigReader::JsonConfigReader(const nlohmann::json& json, std::string source, std::string keyPrefix, Null null)
    : json_(json), source_(std::move(source)), keyPrefix_(std::move(keyPrefix)), null_(null) {}

void JsonConfigReader::fail(const std::string& key, const std::string& problem) const {
    throw Error(source_ + ": " + keyPrefix_ + "\"" + key + "\" " + problem);
}

bool JsonConfigReader::has(const std::string& key) const {
    if (!json_.contains(key)) return false;
    return null_ == Null::IsAnError || !json_.at(key).is_null();
}

bool JsonConfigReader::booleanValue(const std::string& key, const nlohmann::json& item) const {
    if (!item.is_boolean()) fail(key, "must be true or false, not " + describeJsonType(item));
    return item.get<bool>();
}

int64_t JsonConfigReader::integerValue(const std::string& key, const nlohmann::json& item) const {
    if (item.is_number_unsigned()) {
        if (item.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) fail(key, "is too large");
        return static_cast<int64_t>(item.get<uint64_t>());
    }
    if (!item.is_number_integer()) fail(key, "must be an integer, not " + describeJsonType(item));
    return item.get<int64_t>();
}

double JsonConfigReader::numberValue(const std::string& key, const nlohmann::json& item) const {
    if (!item.is_number()) fail(key, "must be a number, not " + describeJsonType(item));
    const double out = item.get<double>();
    if (!std::isfinite(out)) fail(key, "must be a finite number");
    return out;
}

std::string JsonConfigReader::stringValue(const std::string& key, const nlohmann::json& item) const {
    if (!item.is_string()) fail(key, "must be a string, not " + describeJsonType(item));
    return item.get<std::string>();
}

}  // namespace latentlens
