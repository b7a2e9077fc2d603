// The strict config reader shared by config.json and scheduler_config.json.
#include <fstream>

#include <gtest/gtest.h>

#include "core/config/JsonConfigReader.h"
#include "core/model/UNet2DConfig.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using test::expectError;
using Null = JsonConfigReader::Null;

const nlohmann::json kConfig = {
    {"flag", true},     {"count", 7},          {"scale", 0.5},       {"name", "silu"},
    {"empty", nullptr}, {"sizes", {1, 2, 3}},  {"huge", 18446744073709551615ull},
    {"text_count", "7"}, {"mixed", {1, "two"}},
};

TEST(JsonConfigReaderTest, ReadsTypedValuesAndDefaults) {
    const JsonConfigReader r(kConfig, "cfg.json", "key ", Null::MeansAbsent);
    EXPECT_TRUE(r.get<bool>("flag", false));
    EXPECT_EQ(r.get<int64_t>("count", 0), 7);
    EXPECT_DOUBLE_EQ(r.get<double>("count", 0.0), 7.0);  // an integer is a number
    EXPECT_DOUBLE_EQ(r.get<double>("scale", 0.0), 0.5);
    EXPECT_EQ(r.get<std::string>("name", ""), "silu");
    EXPECT_EQ(r.get<int64_t>("absent", 42), 42);
    EXPECT_EQ(r.list<int64_t>("sizes"), (std::vector<int64_t>{1, 2, 3}));
    EXPECT_FALSE(r.optional<int64_t>("absent").has_value());
    EXPECT_EQ(r.optional<int64_t>("count"), std::optional<int64_t>(7));
}

TEST(JsonConfigReaderTest, NullIsAbsentOrAnErrorAsAsked) {
    const JsonConfigReader lenient(kConfig, "cfg.json", "", Null::MeansAbsent);
    EXPECT_FALSE(lenient.has("empty"));
    EXPECT_EQ(lenient.get<int64_t>("empty", 3), 3);
    EXPECT_FALSE(lenient.optional<std::string>("empty").has_value());

    const JsonConfigReader strict(kConfig, "cfg.json", "", Null::IsAnError);
    EXPECT_TRUE(strict.has("empty"));
    expectError("cfg.json", "\"empty\" must be an integer, not null", [&] { strict.get<int64_t>("empty", 3); });
}

TEST(JsonConfigReaderTest, WrongTypesNameFileKeyAndType) {
    const JsonConfigReader r(kConfig, "cfg.json", "scheduler config key ", Null::IsAnError);
    expectError("cfg.json", "scheduler config key \"text_count\" must be an integer, not a string",
                [&] { r.get<int64_t>("text_count", 0); });
    expectError("cfg.json", "\"scale\" must be an integer, not a floating-point number", [&] { r.get<int64_t>("scale", 0); });
    expectError("cfg.json", "\"count\" must be true or false, not an integer", [&] { r.get<bool>("count", false); });
    expectError("cfg.json", "\"flag\" must be a string, not a boolean", [&] { r.get<std::string>("flag", ""); });
    expectError("cfg.json", "\"name\" must be a number, not a string", [&] { r.get<double>("name", 0.0); });
    expectError("cfg.json", "\"huge\" is too large", [&] { r.get<int64_t>("huge", 0); });
    expectError("cfg.json", "\"mixed\" must be an integer, not a string", [&] { r.list<int64_t>("mixed"); });
    expectError("cfg.json", "\"count\" must be a list, not an integer", [&] { r.list<int64_t>("count"); });
    expectError("cfg.json", "\"absent\" is missing", [&] { r.list<int64_t>("absent"); });
}

TEST(JsonConfigReaderTest, FilesThatCannotBeReadAreNamed) {
    test::TempDir dir;
    expectError(dir / "missing.json", "cannot open the model config",
                [&] { readJsonConfigFile(dir / "missing.json", "model config"); });
    std::ofstream(dir / "broken.json") << "{\"sample_size\": 32,";
    expectError(dir / "broken.json", "the model config is not valid JSON",
                [&] { UNet2DConfig::load(dir / "broken.json"); });
    std::ofstream(dir / "list.json") << "[1, 2]";
    expectError(dir / "list.json", "not a JSON object", [&] { UNet2DConfig::load(dir / "list.json"); });
}

}  // namespace
}  // namespace latentlens
