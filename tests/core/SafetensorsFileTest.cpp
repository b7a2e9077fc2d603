#include "core/model/SafetensorsFile.h"

#include <cstdint>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

Bytes readBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeBytes(const fs::path& path, const Bytes& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(out.good()) << path;
}

void putLength(Bytes& bytes, std::uint64_t length) {
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(length >> (8 * i));
}

std::uint64_t getLength(const Bytes& bytes) {
    std::uint64_t length = 0;
    for (int i = 7; i >= 0; --i) length = (length << 8) | bytes[i];
    return length;
}

// A file with the given header text (its length written in front) followed by dataSize bytes.
void writeHandmade(const fs::path& path, const std::string& header, std::size_t dataSize) {
    Bytes bytes(8);
    putLength(bytes, header.size());
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.resize(bytes.size() + dataSize, 0x42);
    writeBytes(path, bytes);
}

// What `action` throws as latentlens::Error, or a note that it did not.
std::string errorMessage(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    } catch (const std::exception& e) {
        return std::string("<not a latentlens::Error: ") + e.what() + ">";
    }
    return "<no exception>";
}

// Opening `path` throws latentlens::Error, with a one-line message naming the file and each fragment.
void expectOpenError(const fs::path& path, std::initializer_list<std::string> fragments = {}) {
    EXPECT_THROW({ SafetensorsFile file(path); }, Error);
    const std::string message = errorMessage([&] { SafetensorsFile file(path); });
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    for (const auto& fragment : fragments) EXPECT_NE(message.find(fragment), std::string::npos) << message;
}

// Two small tensors: alpha F32 [2, 3] at [0, 24), beta I64 [4] at [24, 56).
std::vector<std::pair<std::string, torch::Tensor>> smallTensors() {
    return {{"alpha", torch::arange(6, torch::kFloat32).reshape({2, 3})}, {"beta", torch::arange(4, torch::kInt64)}};
}

TEST(SafetensorsFileTest, RoundTripKeepsValuesShapesDtypesAndMetadata) {
    test::TempDir dir;
    const auto path = dir / "round.safetensors";
    torch::manual_seed(7);
    const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
        {"f32", torch::randn({2, 3, 4}, torch::kFloat32)},
        {"f64", torch::randn({5}, torch::kFloat64)},
        {"f16", torch::randn({3, 2}, torch::kFloat32).to(torch::kFloat16)},
        {"bf16", torch::randn({4, 4}, torch::kFloat32).to(torch::kBFloat16)},
        {"i64", torch::arange(-3, 4, torch::kInt64).reshape({7, 1})},
        {"i32", torch::tensor({-5, 0, 2147483647}, torch::kInt32)},
        {"i16", torch::tensor({-300, 300}, torch::kInt16)},
        {"i8", torch::tensor({-128, 127, 1}, torch::kInt8)},
        {"u8", torch::tensor({0, 255, 7}, torch::kUInt8)},
        {"bool", torch::tensor({true, false, true})},
        {"transposed", torch::randn({3, 5}, torch::kFloat32).t()},  // not contiguous
        {"scalar", torch::tensor(3.5, torch::kFloat64)},
        {"empty", torch::zeros({0, 3}, torch::kFloat32)},
    };
    const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "h\u00e9llo, world"}};
    writeSafetensors(path, tensors, metadata);

    const Bytes bytes = readBytes(path);
    ASSERT_GE(bytes.size(), 8u);
    EXPECT_EQ(getLength(bytes) % 8, 0u) << "header is padded to a multiple of 8 bytes";

    SafetensorsFile file(path);
    EXPECT_EQ(file.path(), path);
    EXPECT_EQ(file.metadata(), metadata);
    ASSERT_EQ(file.names().size(), tensors.size());
    std::size_t offset = 0;
    for (std::size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, expected] = tensors[i];
        SCOPED_TRACE(name);
        EXPECT_EQ(file.names()[i], name) << "names follow the data offsets, which follow the given order";
        ASSERT_TRUE(file.contains(name));
        const auto& entry = file.entry(name);
        EXPECT_EQ(entry.name, name);
        EXPECT_EQ(entry.dtype, expected.scalar_type());
        EXPECT_EQ(entry.shape, expected.sizes().vec());
        EXPECT_EQ(entry.begin, offset);
        offset += static_cast<std::size_t>(expected.numel() * expected.element_size());
        EXPECT_EQ(entry.end, offset);

        const torch::Tensor actual = file.tensor(name);
        EXPECT_EQ(actual.scalar_type(), expected.scalar_type());
        EXPECT_EQ(actual.sizes(), expected.sizes());
        EXPECT_TRUE(actual.device().is_cpu());
        EXPECT_TRUE(torch::equal(actual, expected));
    }
    EXPECT_EQ(bytes.size(), 8 + getLength(bytes) + offset);
    EXPECT_FALSE(file.contains("missing"));
    EXPECT_FALSE(file.contains("__metadata__"));
    // A view into the mapping, not a copy.
    EXPECT_EQ(file.tensor("f32").data_ptr(), file.tensor("f32").data_ptr());
}

TEST(SafetensorsFileTest, RoundTripWithoutMetadataOrTensors) {
    test::TempDir dir;
    writeSafetensors(dir / "none.safetensors", {});
    SafetensorsFile none(dir / "none.safetensors");
    EXPECT_TRUE(none.names().empty());
    EXPECT_TRUE(none.metadata().empty());

    writeSafetensors(dir / "small.safetensors", smallTensors());
    SafetensorsFile small(dir / "small.safetensors");
    EXPECT_TRUE(small.metadata().empty());
    EXPECT_EQ(small.names(), (std::vector<std::string>{"alpha", "beta"}));
    EXPECT_TRUE(torch::equal(small.tensor("beta"), torch::arange(4, torch::kInt64)));
}

TEST(SafetensorsFileTest, NamesAreSortedByOffsetNotByKey) {
    test::TempDir dir;
    const auto path = dir / "order.safetensors";
    writeSafetensors(path, {{"zeta", torch::ones({2})}, {"alpha", torch::zeros({3})}, {"mid", torch::ones({1})}});
    SafetensorsFile file(path);
    EXPECT_EQ(file.names(), (std::vector<std::string>{"zeta", "alpha", "mid"}));
}

TEST(SafetensorsFileTest, HeaderPaddedWithSpacesIsAccepted) {
    test::TempDir dir;
    const auto path = dir / "padded.safetensors";
    writeHandmade(path, R"({"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}})" + std::string(37, ' '), 3);
    SafetensorsFile file(path);
    EXPECT_EQ(file.tensor("a").sizes(), (std::vector<int64_t>{3}));
    EXPECT_EQ(file.tensor("a")[0].item<int>(), 0x42);
}

TEST(SafetensorsFileTest, MisalignedTensorIsStillReadCorrectly) {
    test::TempDir dir;
    const auto path = dir / "misaligned.safetensors";
    // "b" starts at data offset 1, so it is not 4-byte aligned in the mapping.
    Bytes bytes(8);
    const std::string header = R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                               R"("b":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
    putLength(bytes, header.size());
    bytes.insert(bytes.end(), header.begin(), header.end());
    bytes.push_back(9);
    const float values[2] = {1.5f, -2.25f};
    const auto* raw = reinterpret_cast<const unsigned char*>(values);
    bytes.insert(bytes.end(), raw, raw + sizeof(values));
    writeBytes(path, bytes);

    SafetensorsFile file(path);
    EXPECT_TRUE(torch::equal(file.tensor("b"), torch::tensor({1.5f, -2.25f})));
    EXPECT_EQ(file.tensor("a").item<int>(), 9);
}

TEST(SafetensorsFileTest, ReadsDefaultModelCheckpoint) {
    SafetensorsFile file(test::defaultModelDir() / "diffusion_pytorch_model.safetensors");
    EXPECT_EQ(file.names().size(), 182u);
    EXPECT_EQ(file.metadata().at("format"), "pt");
    const auto& entry = file.entry("conv_in.weight");
    EXPECT_EQ(entry.dtype, c10::ScalarType::Float);
    EXPECT_EQ(entry.shape, (std::vector<int64_t>{32, 1, 3, 3}));
    const torch::Tensor weight = file.tensor("conv_in.weight");
    EXPECT_EQ(weight.sizes(), (std::vector<int64_t>{32, 1, 3, 3}));
    EXPECT_FLOAT_EQ(weight[0][0][0][0].item<float>(), -0.015200297348201275f);
    EXPECT_NEAR(weight.to(torch::kFloat64).sum().item<double>(), -5.930271949706366, 1e-9);
    // Offsets tile the data section in names() order.
    for (std::size_t i = 0; i + 1 < file.names().size(); ++i) {
        EXPECT_EQ(file.entry(file.names()[i]).end, file.entry(file.names()[i + 1]).begin);
    }
    EXPECT_EQ(file.entry(file.names().front()).begin, 0u);
}

TEST(SafetensorsFileTest, ReadsFixtureReference) {
    SafetensorsFile file(test::fixtureDir("ddpm-rgb16") / "reference.safetensors");
    EXPECT_EQ(file.names().size(), 16u);
    EXPECT_EQ(file.metadata().at("fixture"), "ddpm-rgb16");
    const torch::Tensor x = file.tensor("x");
    EXPECT_EQ(x.scalar_type(), torch::kFloat64);
    EXPECT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, 16, 16}));
    EXPECT_DOUBLE_EQ(x[0][0][0][0].item<double>(), -0.8104768231898862);
    EXPECT_NEAR(x.sum().item<double>(), -40.922860441796416, 1e-9);
    const torch::Tensor timesteps = file.tensor("ddim10_timesteps");
    EXPECT_EQ(timesteps.scalar_type(), torch::kInt64);
    EXPECT_TRUE(torch::equal(timesteps, torch::arange(900, -1, -100, torch::kInt64)));
}

TEST(SafetensorsFileTest, UnknownNameLookupThrows) {
    test::TempDir dir;
    const auto path = dir / "lookup.safetensors";
    writeSafetensors(path, smallTensors());
    SafetensorsFile file(path);
    for (const auto& action : std::vector<std::function<void()>>{[&] { file.entry("gamma"); },
                                                                  [&] { file.tensor("gamma"); }}) {
        EXPECT_THROW(action(), Error);
        const std::string message = errorMessage(action);
        EXPECT_NE(message.find("gamma"), std::string::npos) << message;
        EXPECT_NE(message.find(path.string()), std::string::npos) << message;
    }
    EXPECT_THROW(file.entry("__metadata__"), Error);
}

TEST(SafetensorsFileTest, WriteErrors) {
    test::TempDir dir;
    const auto unwritable = dir / "no-such-folder" / "out.safetensors";
    EXPECT_THROW(writeSafetensors(unwritable, smallTensors()), Error);
    EXPECT_NE(errorMessage([&] { writeSafetensors(unwritable, smallTensors()); }).find(unwritable.string()),
              std::string::npos);

    const auto path = dir / "complex.safetensors";
    const auto complexTensors = std::vector<std::pair<std::string, torch::Tensor>>{
        {"ok", torch::ones({2})}, {"cplx", torch::ones({2}, torch::kComplexFloat)}};
    EXPECT_THROW(writeSafetensors(path, complexTensors), Error);
    const std::string message = errorMessage([&] { writeSafetensors(path, complexTensors); });
    EXPECT_NE(message.find("cplx"), std::string::npos) << message;
    EXPECT_NE(message.find(path.string()), std::string::npos) << message;

    EXPECT_THROW(writeSafetensors(path, {{"a", torch::ones({1})}, {"a", torch::ones({1})}}), Error);
    EXPECT_THROW(writeSafetensors(path, {{"__metadata__", torch::ones({1})}}), Error);
    EXPECT_THROW(writeSafetensors(path, {{"undefined", torch::Tensor()}}), Error);
}

// ---- Corrupted files ----

class SafetensorsCorruptTest : public ::testing::Test {
protected:
    fs::path file(const std::string& name) const { return dir_ / name; }
    // A valid alpha/beta file's bytes.
    Bytes goodBytes() {
        const auto path = dir_ / "good.safetensors";
        writeSafetensors(path, smallTensors());
        return readBytes(path);
    }
    test::TempDir dir_;
};

// The header of smallTensors() with `alpha` and `beta` entries given as JSON text.
std::string twoEntries(const std::string& alpha, const std::string& beta) {
    return R"({"alpha":)" + alpha + R"(,"beta":)" + beta + "}";
}
const std::string kAlpha = R"({"dtype":"F32","shape":[2,3],"data_offsets":[0,24]})";
const std::string kBeta = R"({"dtype":"I64","shape":[4],"data_offsets":[24,56]})";

TEST_F(SafetensorsCorruptTest, HandmadeBaselineIsValid) {
    writeHandmade(file("ok.safetensors"), twoEntries(kAlpha, kBeta), 56);
    SafetensorsFile ok(file("ok.safetensors"));
    EXPECT_EQ(ok.names(), (std::vector<std::string>{"alpha", "beta"}));
}

TEST_F(SafetensorsCorruptTest, EmptyFile) {
    writeBytes(file("empty.safetensors"), {});
    expectOpenError(file("empty.safetensors"), {"0 bytes"});
}

TEST_F(SafetensorsCorruptTest, FiveByteFile) {
    writeBytes(file("five.safetensors"), {1, 2, 3, 4, 5});
    expectOpenError(file("five.safetensors"), {"5 bytes"});
}

TEST_F(SafetensorsCorruptTest, HeaderOnlyLengthField) {
    Bytes bytes(8, 0);  // header length 0: an empty (invalid) JSON text
    writeBytes(file("eight.safetensors"), bytes);
    expectOpenError(file("eight.safetensors"), {"JSON"});
}

TEST_F(SafetensorsCorruptTest, MissingFileAndDirectory) {
    expectOpenError(file("does-not-exist.safetensors"));
    fs::create_directory(file("folder.safetensors"));
    expectOpenError(file("folder.safetensors"));
}

TEST_F(SafetensorsCorruptTest, TruncatedData) {
    Bytes bytes = goodBytes();
    bytes.resize(bytes.size() - 10);
    writeBytes(file("truncated.safetensors"), bytes);
    expectOpenError(file("truncated.safetensors"), {"\"beta\"", "beyond"});
}

TEST_F(SafetensorsCorruptTest, TruncatedInsideHeader) {
    Bytes bytes = goodBytes();
    bytes.resize(8 + getLength(bytes) / 2);
    writeBytes(file("cut.safetensors"), bytes);
    expectOpenError(file("cut.safetensors"), {"header length"});
}

TEST_F(SafetensorsCorruptTest, HeaderLengthLargerThanFile) {
    Bytes bytes = goodBytes();
    putLength(bytes, bytes.size());
    writeBytes(file("long.safetensors"), bytes);
    expectOpenError(file("long.safetensors"), {"header length"});
}

TEST_F(SafetensorsCorruptTest, HeaderLengthTwoToThe63) {
    Bytes bytes = goodBytes();
    putLength(bytes, std::uint64_t{1} << 63);
    writeBytes(file("huge.safetensors"), bytes);
    expectOpenError(file("huge.safetensors"), {"9223372036854775808"});
    putLength(bytes, ~std::uint64_t{0});
    writeBytes(file("max.safetensors"), bytes);
    expectOpenError(file("max.safetensors"), {"header length"});
}

TEST_F(SafetensorsCorruptTest, InvalidJson) {
    writeHandmade(file("json.safetensors"), R"({"alpha": {"dtype": "F32", )", 24);
    expectOpenError(file("json.safetensors"), {"JSON"});
    writeHandmade(file("nul.safetensors"), std::string("{\"a\0\":1}", 8), 0);
    expectOpenError(file("nul.safetensors"), {"JSON"});
    writeHandmade(file("utf8.safetensors"), "{\"\xff\xfe\":{}}", 0);
    expectOpenError(file("utf8.safetensors"), {"JSON"});
}

TEST_F(SafetensorsCorruptTest, HeaderIsAnArray) {
    writeHandmade(file("array.safetensors"), "[1, 2, 3]", 0);
    expectOpenError(file("array.safetensors"), {"not an object"});
    writeHandmade(file("string.safetensors"), "\"text\"", 0);
    expectOpenError(file("string.safetensors"), {"not an object"});
}

TEST_F(SafetensorsCorruptTest, DeeplyNestedJson) {
    writeHandmade(file("deep.safetensors"), R"({"alpha":)" + std::string(100000, '[') + std::string(100000, ']') + "}", 0);
    expectOpenError(file("deep.safetensors"), {"nested"});
}

TEST_F(SafetensorsCorruptTest, DuplicateKey) {
    writeHandmade(file("dup.safetensors"), R"({"alpha":)" + kAlpha + R"(,"alpha":)" + kAlpha + "}", 24);
    expectOpenError(file("dup.safetensors"), {"\"alpha\"", "more than once"});
}

TEST_F(SafetensorsCorruptTest, UnknownDtype) {
    writeHandmade(file("dtype.safetensors"),
                  twoEntries(R"({"dtype":"F99","shape":[2,3],"data_offsets":[0,24]})", kBeta), 56);
    expectOpenError(file("dtype.safetensors"), {"\"alpha\"", "F99"});
}

TEST_F(SafetensorsCorruptTest, MalformedEntries) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"not-object", R"([1,2])"},
        {"no-dtype", R"({"shape":[2,3],"data_offsets":[0,24]})"},
        {"dtype-number", R"({"dtype":4,"shape":[2,3],"data_offsets":[0,24]})"},
        {"no-shape", R"({"dtype":"F32","data_offsets":[0,24]})"},
        {"shape-object", R"({"dtype":"F32","shape":{"a":2},"data_offsets":[0,24]})"},
        {"shape-float", R"({"dtype":"F32","shape":[2.0,3],"data_offsets":[0,24]})"},
        {"shape-string", R"({"dtype":"F32","shape":["2",3],"data_offsets":[0,24]})"},
        {"shape-huge", R"({"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,24]})"},
        {"no-offsets", R"({"dtype":"F32","shape":[2,3]})"},
        {"offsets-three", R"({"dtype":"F32","shape":[2,3],"data_offsets":[0,24,24]})"},
        {"offsets-string", R"({"dtype":"F32","shape":[2,3],"data_offsets":["0",24]})"},
        {"offsets-negative", R"({"dtype":"F32","shape":[2,3],"data_offsets":[-8,24]})"},
        {"offsets-float", R"({"dtype":"F32","shape":[2,3],"data_offsets":[0,24.0]})"},
    };
    for (const auto& [name, alpha] : cases) {
        SCOPED_TRACE(name);
        const auto path = file(name + ".safetensors");
        writeHandmade(path, twoEntries(alpha, kBeta), 56);
        expectOpenError(path, {"\"alpha\""});
    }
}

TEST_F(SafetensorsCorruptTest, ShapeAndByteCountMismatch) {
    // F64 [2, 3] needs 48 bytes, the offsets hold 24 (the F32 size).
    writeHandmade(file("size.safetensors"),
                  twoEntries(R"({"dtype":"F64","shape":[2,3],"data_offsets":[0,24]})", kBeta), 56);
    expectOpenError(file("size.safetensors"), {"\"alpha\"", "48"});
    writeHandmade(file("shape.safetensors"),
                  twoEntries(R"({"dtype":"F32","shape":[2,2],"data_offsets":[0,24]})", kBeta), 56);
    expectOpenError(file("shape.safetensors"), {"\"alpha\""});
}

TEST_F(SafetensorsCorruptTest, NegativeDimension) {
    writeHandmade(file("negative.safetensors"),
                  twoEntries(R"({"dtype":"F32","shape":[-2,-3],"data_offsets":[0,24]})", kBeta), 56);
    expectOpenError(file("negative.safetensors"), {"\"alpha\"", "-2"});
}

TEST_F(SafetensorsCorruptTest, ElementCountOverflow) {
    writeHandmade(file("overflow.safetensors"),
                  twoEntries(R"({"dtype":"F32","shape":[4294967296,4294967296,1],"data_offsets":[0,24]})", kBeta), 56);
    expectOpenError(file("overflow.safetensors"), {"\"alpha\"", "overflow"});
    // Bytes overflow although the element count fits in int64.
    writeHandmade(file("bytes.safetensors"),
                  twoEntries(R"({"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,24]})", kBeta), 56);
    expectOpenError(file("bytes.safetensors"), {"\"alpha\""});
    // A zero dimension does not excuse overflowing strides.
    writeHandmade(file("zero.safetensors"),
                  twoEntries(R"({"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]})",
                             R"({"dtype":"I64","shape":[4],"data_offsets":[0,32]})"),
                  32);
    expectOpenError(file("zero.safetensors"), {"\"alpha\"", "overflow"});
}

TEST_F(SafetensorsCorruptTest, EndBeforeBegin) {
    writeHandmade(file("reversed.safetensors"),
                  twoEntries(R"({"dtype":"F32","shape":[2,3],"data_offsets":[24,0]})", kBeta), 56);
    expectOpenError(file("reversed.safetensors"), {"\"alpha\""});
}

TEST_F(SafetensorsCorruptTest, OffsetsOutOfRange) {
    writeHandmade(file("range.safetensors"),
                  twoEntries(kAlpha, R"({"dtype":"I64","shape":[4],"data_offsets":[1000,1032]})"), 56);
    expectOpenError(file("range.safetensors"), {"\"beta\"", "beyond"});
    writeHandmade(file("range-max.safetensors"),
                  twoEntries(kAlpha, R"({"dtype":"I64","shape":[4],"data_offsets":[9223372036854775807,24]})"), 56);
    expectOpenError(file("range-max.safetensors"), {"\"beta\""});
}

TEST_F(SafetensorsCorruptTest, OverlappingOffsets) {
    writeHandmade(file("overlap.safetensors"),
                  twoEntries(kAlpha, R"({"dtype":"F32","shape":[2,3],"data_offsets":[16,40]})"), 40);
    expectOpenError(file("overlap.safetensors"), {"\"beta\"", "\"alpha\"", "overlap"});
    // A 0-byte tensor inside another one's range.
    writeHandmade(file("inside.safetensors"),
                  twoEntries(kAlpha, R"({"dtype":"F32","shape":[0],"data_offsets":[8,8]})"), 24);
    expectOpenError(file("inside.safetensors"), {"\"beta\"", "overlap"});
    // Two tensors on the same bytes.
    writeHandmade(file("same.safetensors"), twoEntries(kAlpha, kAlpha), 24);
    expectOpenError(file("same.safetensors"), {"overlap"});
}

TEST_F(SafetensorsCorruptTest, HoleInDataSection) {
    writeHandmade(file("hole.safetensors"),
                  twoEntries(kAlpha, R"({"dtype":"I64","shape":[4],"data_offsets":[32,64]})"), 64);
    expectOpenError(file("hole.safetensors"), {"\"beta\"", "hole"});
    writeHandmade(file("start.safetensors"),
                  twoEntries(R"({"dtype":"F32","shape":[2,3],"data_offsets":[8,32]})",
                             R"({"dtype":"I64","shape":[4],"data_offsets":[32,64]})"),
                  64);
    expectOpenError(file("start.safetensors"), {"\"alpha\"", "hole"});
    // Trailing bytes no tensor claims (also: bytes appended to a good file).
    Bytes bytes = goodBytes();
    bytes.resize(bytes.size() + 8, 0);
    writeBytes(file("tail.safetensors"), bytes);
    expectOpenError(file("tail.safetensors"), {"hole"});
    writeHandmade(file("no-tensors.safetensors"), "{}", 4);
    expectOpenError(file("no-tensors.safetensors"), {"hole"});
}

TEST_F(SafetensorsCorruptTest, MetadataWithNonStringValue) {
    writeHandmade(file("meta.safetensors"), R"({"__metadata__":{"format":"pt","epochs":12},"alpha":)" + kAlpha + "}",
                  24);
    expectOpenError(file("meta.safetensors"), {"__metadata__", "epochs"});
    writeHandmade(file("meta-array.safetensors"), R"({"__metadata__":["pt"],"alpha":)" + kAlpha + "}", 24);
    expectOpenError(file("meta-array.safetensors"), {"__metadata__"});
}

TEST_F(SafetensorsCorruptTest, KeyWithNewlineGivesOneLineMessage) {
    writeHandmade(file("newline.safetensors"), R"({"bad\nkey":{"dtype":"X","shape":[],"data_offsets":[0,0]}})", 0);
    expectOpenError(file("newline.safetensors"), {"bad\\nkey"});
}

// ---- Fuzzing ----

// Opening `path` either succeeds with every tensor inside the file, or throws latentlens::Error.
void openSafely(const fs::path& path, const Bytes& bytes, const std::string& what) {
    try {
        SafetensorsFile file(path);
        const std::uint64_t dataStart = 8 + getLength(bytes);
        for (const auto& name : file.names()) {
            const auto& entry = file.entry(name);
            ASSERT_LE(entry.begin, entry.end) << what;
            ASSERT_LE(dataStart + entry.end, bytes.size()) << what;
            const torch::Tensor tensor = file.tensor(name);
            ASSERT_EQ(static_cast<std::size_t>(tensor.numel() * tensor.element_size()), entry.end - entry.begin) << what;
            if (tensor.numel() > 0) (void)tensor.to(torch::kFloat64).sum().item<double>();
        }
    } catch (const Error&) {
        // Rejected cleanly.
    } catch (const std::exception& e) {
        FAIL() << what << ": threw a non-latentlens exception: " << e.what();
    }
}

TEST(SafetensorsFuzzTest, FlippedHeaderBytesNeverCrash) {
    test::TempDir dir;
    const auto goodPath = dir / "good.safetensors";
    writeSafetensors(goodPath,
                     {{"w", torch::arange(6, torch::kFloat32).reshape({2, 3})},
                      {"b", torch::tensor({1, 0, 1}, torch::kUInt8)},
                      {"t", torch::arange(3, torch::kInt64)}},
                     {{"format", "pt"}});
    const Bytes good = readBytes(goodPath);
    const std::size_t last = std::min<std::size_t>(good.size(), 8 + 200);
    const unsigned char values[] = {0x00, 0x01, 0x7f, 0x80, 0xff, '"', '{', '}', '[', ']', '-', '9', ',', ':', ' ', '\\'};
    const auto path = dir / "fuzz.safetensors";
    for (std::size_t position = 0; position < last; ++position) {
        for (unsigned char value : values) {
            if (good[position] == value) continue;
            Bytes bytes = good;
            bytes[position] = value;
            writeBytes(path, bytes);
            openSafely(path, bytes, "byte " + std::to_string(position) + " = " + std::to_string(value));
            if (HasFatalFailure()) return;
        }
    }
}

TEST(SafetensorsFuzzTest, RandomMutationsAndTruncationsNeverCrash) {
    test::TempDir dir;
    const auto goodPath = dir / "good.safetensors";
    writeSafetensors(goodPath, {{"a", torch::ones({3}, torch::kFloat16)}, {"z", torch::zeros({0, 2})}});
    const Bytes good = readBytes(goodPath);
    const auto path = dir / "fuzz.safetensors";
    std::mt19937 random(1234);
    for (int round = 0; round < 600; ++round) {
        Bytes bytes = good;
        const int mutations = 1 + static_cast<int>(random() % 4);
        for (int m = 0; m < mutations; ++m) bytes[random() % bytes.size()] = static_cast<unsigned char>(random());
        if (random() % 4 == 0) bytes.resize(random() % (bytes.size() + 1));
        writeBytes(path, bytes);
        openSafely(path, bytes, "round " + std::to_string(round));
        if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace latentlens
