#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

namespace latentlens {

// Reads a diffusers config file (config.json, scheduler_config.json) as JSON; throws Error naming
// the file and `what` ("model config", "scheduler config") if it cannot be opened or parsed.
nlohmann::json readJsonConfigFile(const std::filesystem::path& file, const std::string& what);

// "null", "a boolean", "a list", ... for messages about a value of the wrong type.
std::string describeJsonType(const nlohmann::json& value);

// Typed, strict access to the keys of one config object. A key that is absent takes the caller's
// default; a key that is present must have the right JSON type. Every failure throws Error with
// `source`, `keyPrefix`, the key in quotes and the problem ("…: scheduler config key \"beta_end\"
// must be a number, not a string").
class JsonConfigReader {
public:
    // How an explicit null reads. diffusers' model configs write null for "use the default";
    // in a scheduler config diffusers would pass None on, which is not the default, so it is an error.
    enum class Null { MeansAbsent, IsAnError };

    JsonConfigReader(const nlohmann::json& json, std::string source, std::string keyPrefix, Null null);

    [[noreturn]] void fail(const std::string& key, const std::string& problem) const;

    // Present (and, with Null::MeansAbsent, not null).
    bool has(const std::string& key) const;
    const nlohmann::json& at(const std::string& key) const { return json_.at(key); }

    // T is bool, int64_t, double (finite) or std::string.
    template <typename T>
    T get(const std::string& key, T fallback) const {
        return has(key) ? value<T>(key, at(key)) : fallback;
    }

    template <typename T>
    std::optional<T> optional(const std::string& key) const {
        if (!has(key)) return std::nullopt;
        return value<T>(key, at(key));
    }

    // A required list.
    template <typename T>
    std::vector<T> list(const std::string& key) const {
        if (!has(key)) fail(key, "is missing");
        const auto& items = at(key);
        if (!items.is_array()) fail(key, "must be a list, not " + describeJsonType(items));
        std::vector<T> out;
        out.reserve(items.size());
        for (const auto& item : items) out.push_back(value<T>(key, item));
        return out;
    }

    // One value (a key's own or an element of its list) as T; failures name `key`.
    template <typename T>
    T value(const std::string& key, const nlohmann::json& item) const {
        if constexpr (std::is_same_v<T, bool>) {
            return booleanValue(key, item);
        } else if constexpr (std::is_same_v<T, int64_t>) {
            return integerValue(key, item);
        } else if constexpr (std::is_same_v<T, double>) {
            return numberValue(key, item);
        } else {
            static_assert(std::is_same_v<T, std::string>, "config values are bool, int64_t, double or std::string");
            return stringValue(key, item);
        }
    }

private:
    bool booleanValue(const std::string& key, const nlohmann::json& item) const;
    int64_t integerValue(const std::string& key, const nlohmann::json& item) const;
    double numberValue(const std::string& key, const nlohmann::json& item) const;
    std::string stringValue(const std::string& key, const nlohmann::json& item) const;

    const nlohmann::json& json_;
    std::string source_;
    std::string keyPrefix_;
    Null null_;
};

}  // namespace latentlens
