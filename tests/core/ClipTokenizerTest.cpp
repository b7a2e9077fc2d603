// ClipTokenizer against the token ids StableDiffusionPipeline's CLIPTokenizer produced for the
// 13 prompts of ../shared/fixtures/sd{1,2}-tiny (fixture.json "prompts", reference.safetensors
// "token_ids"): exact, with SD 1.x's and SD 2.x's padding.
#include "core/model/ClipTokenizer.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/model/SafetensorsFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using test::expectError;
using test::fixtureDir;


nlohmann::json fixtureJson(const std::string& name) {
    std::ifstream in(fixtureDir(name) / "fixture.json");
    return nlohmann::json::parse(in);
}

std::string readText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeText(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

// The fixture's tokenizer folder copied into `dir`, writable, so one file can be spoiled.
fs::path copyTokenizer(const test::TempDir& dir, const std::string& fixture = "sd1-tiny") {
    const fs::path target = dir / "tokenizer";
    fs::create_directory(target);
    for (const auto& entry : fs::directory_iterator(fixtureDir(fixture) / "tokenizer")) {
        writeText(target / entry.path().filename(), readText(entry.path()));
    }
    return target;
}

// One tokenizer per fixture for the whole suite (reading 49408 entries and 48894 merges takes a moment).
const ClipTokenizer& tokenizerOf(const std::string& fixture) {
    static std::map<std::string, std::unique_ptr<ClipTokenizer>> loaded;
    auto& slot = loaded[fixture];
    if (!slot) slot = std::make_unique<ClipTokenizer>(fixtureDir(fixture) / "tokenizer");
    return *slot;
}

class ClipTokenizerFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(ClipTokenizerFixture, TokenIdsOfAllPromptsAreExact) {
    const auto& tokenizer = tokenizerOf(GetParam());
    const auto prompts = fixtureJson(GetParam()).at("prompts").get<std::vector<std::string>>();
    ASSERT_EQ(prompts.size(), 13u);
    SafetensorsFile reference(fixtureDir(GetParam()) / "reference.safetensors");
    const auto expected = reference.tensor("token_ids");
    ASSERT_EQ(expected.sizes().vec(), (std::vector<int64_t>{13, 77}));

    const auto ids = tokenizer.encodeBatch(prompts);
    EXPECT_EQ(ids.scalar_type(), torch::kLong);
    ASSERT_EQ(ids.sizes().vec(), (std::vector<int64_t>{13, 77}));
    for (size_t i = 0; i < prompts.size(); ++i) {
        const auto row = static_cast<int64_t>(i);
        EXPECT_TRUE(torch::equal(ids[row], expected[row])) << "prompt " << i << " '" << prompts[i] << "'\n got "
                                                           << ids[row] << "\n expected " << expected[row];
        // encode() and encodeBatch() agree.
        const auto single = tokenizer.encode(prompts[i]);
        EXPECT_EQ(single, std::vector<int64_t>(ids[row].data_ptr<int64_t>(), ids[row].data_ptr<int64_t>() + 77));
    }
}

TEST_P(ClipTokenizerFixture, TokenCountsBeforeTruncationMatchTheFixture) {
    const auto& tokenizer = tokenizerOf(GetParam());
    const auto json = fixtureJson(GetParam());
    const auto prompts = json.at("prompts").get<std::vector<std::string>>();
    const auto counts = json.at("info").at("token_counts_before_truncation").get<std::vector<size_t>>();
    ASSERT_EQ(counts.size(), prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) {
        EXPECT_EQ(tokenizer.tokenize(prompts[i]).size(), counts[i]) << "prompt " << i;
    }
}

TEST_P(ClipTokenizerFixture, SpecialTokensAndPaddingComeFromTheFolder) {
    const auto& tokenizer = tokenizerOf(GetParam());
    EXPECT_EQ(tokenizer.maxLength(), 77);
    EXPECT_EQ(tokenizer.vocabSize(), 49408);
    EXPECT_EQ(tokenizer.bosId(), 49406);
    EXPECT_EQ(tokenizer.eosId(), 49407);
    EXPECT_EQ(tokenizer.padId(), GetParam() == "sd1-tiny" ? 49407 : 0);  // SD 1.x "<|endoftext|>", SD 2.x "!"

    // The long prompt: BOS, the first 75 BPE ids, EOS last.
    const std::string prompt = fixtureJson(GetParam()).at("prompts").back().get<std::string>();
    const auto pieces = tokenizer.tokenize(prompt);
    ASSERT_GT(pieces.size(), 75u);
    const auto ids = tokenizer.encode(prompt);
    ASSERT_EQ(ids.size(), 77u);
    EXPECT_EQ(ids.front(), 49406);
    EXPECT_EQ(std::vector<int64_t>(ids.begin() + 1, ids.end() - 1), std::vector<int64_t>(pieces.begin(), pieces.begin() + 75));
    EXPECT_EQ(ids.back(), 49407);
}

INSTANTIATE_TEST_SUITE_P(Clip, ClipTokenizerFixture, ::testing::ValuesIn(test::pipelineFixtureNames()),
                         test::fixtureTestName);

TEST(ClipTokenizer, CleansTextLikeTheReference) {
    // White space runs of any kind become one space; ends are trimmed; lower case.
    EXPECT_EQ(ClipTokenizer::cleanText("  a   photo\tof  a\n dog  "), "a photo of a dog");
    EXPECT_EQ(ClipTokenizer::cleanText("A\u00a0B\u3000C\u2029"), "a b c");  // no-break, ideographic, paragraph space
    EXPECT_EQ(ClipTokenizer::cleanText("\x1c" "x" "\x1f"), "x");          // str.strip() separators
    EXPECT_EQ(ClipTokenizer::cleanText(""), "");
    // NFC: a decomposed é becomes the precomposed one.
    EXPECT_EQ(ClipTokenizer::cleanText("Cafe\u0301"), "caf\u00e9");
    // Full Unicode lower-casing, Python's str.lower(): capital sharp s, final sigma.
    EXPECT_EQ(ClipTokenizer::cleanText("STRASSE \u1E9E \u039F\u0394\u039F\u03A3"), "strasse \u00df \u03bf\u03b4\u03bf\u03c2");
    EXPECT_THROW(ClipTokenizer::cleanText(std::string("bad \xff byte")), Error);
}

TEST(ClipTokenizer, EquivalentSpellingsGiveTheSameIds) {
    const auto& tokenizer = tokenizerOf("sd1-tiny");
    EXPECT_EQ(tokenizer.encode("a cafe\u0301 in Paris"), tokenizer.encode("a caf\u00e9 in Paris"));
    EXPECT_EQ(tokenizer.encode("A PHOTO OF A CAT"), tokenizer.encode("a photo of a cat"));
    // The special tokens written in a prompt are single ids, as in openai's SimpleTokenizer.
    EXPECT_EQ(tokenizer.tokenize("<|startoftext|>x<|endoftext|>"), (std::vector<int64_t>{49406, 343, 49407}));
    // Every byte has a symbol: control characters and lone combining marks still encode.
    EXPECT_FALSE(tokenizer.tokenize("\x01\u0301\U0001F431").empty());
}

// Corner cases of Unicode handling where a careless port differs from the Python reference
// (transformers' algorithm with the regex module; ids worked out with it once).
TEST(ClipTokenizer, UnicodeCornerCasesFollowTheReference) {
    const auto& tokenizer = tokenizerOf("sd1-tiny");
    using Ids = std::vector<int64_t>;
    // U+180E has not been white space since Unicode 6.3: its three bytes are tokens (PCRE2's \s
    // would swallow it).
    EXPECT_EQ(tokenizer.tokenize("x\u180ey"), (Ids{343, 157, 254, 492, 344}));
    // U+0085 is White_Space: a word break.
    EXPECT_EQ(tokenizer.tokenize("a\u0085b"), (Ids{320, 321}));
    // U+001C is not matched by \s: inside the text it is a token of its own, at the ends strip() drops it.
    EXPECT_EQ(tokenizer.tokenize("a\x1c" "b"), (Ids{320, 472, 321}));
    EXPECT_EQ(tokenizer.tokenize("\x1c" "x" "\x1f"), (Ids{343}));
    // Full lower-casing: İ → i + U+0307, final sigma.
    EXPECT_EQ(tokenizer.tokenize("\u0130stanbul"), (Ids{328, 16384, 11231}));
    EXPECT_EQ(tokenizer.tokenize("\u039f\u0394\u039f\u03a3"), (Ids{138, 123, 138, 112, 138, 123, 139, 480}));
    // Contractions after lower-casing; HTML entities stay as written.
    EXPECT_EQ(tokenizer.tokenize("it'S"), (Ids{585, 568}));
    EXPECT_EQ(tokenizer.tokenize("dog'LL"), (Ids{1929, 1342}));
    EXPECT_EQ(tokenizer.tokenize("&amp;"), (Ids{261, 6259, 282}));
}

TEST(ClipTokenizer, MissingVocabularyNamesTheFile) {
    test::TempDir dir("clip-tokenizer");
    const auto folder = copyTokenizer(dir);
    fs::remove(folder / "vocab.json");
    expectError(folder / "vocab.json", "cannot open", [&] { ClipTokenizer tokenizer(folder); });
}

TEST(ClipTokenizer, MalformedVocabularyNamesTheFile) {
    test::TempDir dir("clip-tokenizer");
    const auto folder = copyTokenizer(dir);
    writeText(folder / "vocab.json", "{\"a\": 0, \"b\": ");
    expectError(folder / "vocab.json", "not valid JSON", [&] { ClipTokenizer tokenizer(folder); });
    writeText(folder / "vocab.json", "{\"a\": 0, \"b\": \"one\"}");
    expectError(folder / "vocab.json", "integer id", [&] { ClipTokenizer tokenizer(folder); });
    writeText(folder / "vocab.json", "{\"a\": 0, \"b\": 1}");
    expectError(folder / "vocab.json", "byte-level symbol", [&] { ClipTokenizer tokenizer(folder); });
}

TEST(ClipTokenizer, MalformedMergesLineNamesTheFileAndLine) {
    test::TempDir dir("clip-tokenizer");
    const auto folder = copyTokenizer(dir);
    std::string merges = readText(folder / "merges.txt");
    // Line 3 ("t h") loses its separator.
    const auto lineStart = merges.find('\n', merges.find('\n') + 1) + 1;
    ASSERT_EQ(merges.substr(lineStart, 4), "t h\n");
    merges.replace(lineStart, 3, "th");
    writeText(folder / "merges.txt", merges);
    expectError(folder / "merges.txt", "line 3", [&] { ClipTokenizer tokenizer(folder); });

    writeText(folder / "merges.txt", "i n\nt h\n");
    expectError(folder / "merges.txt", "#version", [&] { ClipTokenizer tokenizer(folder); });
    writeText(folder / "merges.txt", "#version: 0.2\ni n\nq q q\n");
    expectError(folder / "merges.txt", "line 3", [&] { ClipTokenizer tokenizer(folder); });
    fs::remove(folder / "merges.txt");
    expectError(folder / "merges.txt", "cannot open", [&] { ClipTokenizer tokenizer(folder); });
}

TEST(ClipTokenizer, BadSpecialTokensNameTheFile) {
    test::TempDir dir("clip-tokenizer");
    const auto folder = copyTokenizer(dir, "sd2-tiny");
    writeText(folder / "special_tokens_map.json", "{\"pad_token\": \"no such token\"}");
    expectError(folder / "special_tokens_map.json", "pad_token", [&] { ClipTokenizer tokenizer(folder); });
    writeText(folder / "special_tokens_map.json", "{\"pad_token\": 7}");
    expectError(folder / "special_tokens_map.json", "pad_token", [&] { ClipTokenizer tokenizer(folder); });
    fs::remove(folder / "special_tokens_map.json");
    // Without the map, tokenizer_config.json decides: SD 2.x's "!".
    EXPECT_EQ(ClipTokenizer(folder).padId(), 0);
    writeText(folder / "tokenizer_config.json", "{\"model_max_length\": 1e30}");
    expectError(folder / "tokenizer_config.json", "model_max_length", [&] { ClipTokenizer tokenizer(folder); });
    writeText(folder / "tokenizer_config.json", "{\"tokenizer_class\": \"T5Tokenizer\"}");
    expectError(folder / "tokenizer_config.json", "tokenizer_class", [&] { ClipTokenizer tokenizer(folder); });
    fs::remove(folder / "tokenizer_config.json");
    expectError(folder / "tokenizer_config.json", "cannot open", [&] { ClipTokenizer tokenizer(folder); });
}

TEST(ClipTokenizer, MissingFolderIsAnError) {
    test::TempDir dir("clip-tokenizer");
    expectError(dir / "nowhere", "does not exist", [&] { ClipTokenizer tokenizer(dir / "nowhere"); });
}

}  // namespace
}  // namespace latentlens
