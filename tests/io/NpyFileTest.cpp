#include "io/NpyFile.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::expectError;

std::string readBytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeBytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string tensorBytes(const torch::Tensor& tensor) {
    torch::Tensor t = tensor.contiguous();
    return std::string(static_cast<const char*>(t.data_ptr()), static_cast<std::size_t>(t.numel() * t.element_size()));
}

// A .npy file by hand: magic, version, header length, the header text padded with spaces and a
// final '\n' to a multiple of `align` bytes, then the data bytes.
std::string npyBytes(const std::string& dict, const std::string& data, int major = 1, std::size_t align = 64) {
    std::size_t fixed = major == 1 ? 10 : 12;
    std::size_t total = (fixed + dict.size() + 1 + align - 1) / align * align;
    std::size_t headerLength = total - fixed;
    std::string out("\x93NUMPY", 6);
    out.push_back(static_cast<char>(major));
    out.push_back('\0');
    for (std::size_t i = 0; i < (major == 1 ? 2u : 4u); ++i) out.push_back(static_cast<char>((headerLength >> (8 * i)) & 0xff));
    out += dict;
    out.append(headerLength - dict.size() - 1, ' ');
    out.push_back('\n');
    return out + data;
}

std::string floatBytes(std::initializer_list<float> values) {
    std::string out;
    for (float v : values) out.append(reinterpret_cast<const char*>(&v), sizeof v);
    return out;
}

// Same dtype, shape and bytes (so NaN payloads and -0.0 count).
void expectBitIdentical(const torch::Tensor& actual, const torch::Tensor& expected) {
    ASSERT_EQ(actual.scalar_type(), expected.scalar_type());
    ASSERT_EQ(actual.sizes(), expected.sizes());
    EXPECT_TRUE(actual.is_contiguous());
    EXPECT_EQ(tensorBytes(actual), tensorBytes(expected));
}


void expectReadError(const fs::path& path, const std::string& fragment) {
    expectError(path, fragment, [&] { readNpy(path); });
}

const std::string kArangeDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

// Values that catch any conversion: NaN, ±inf, -0.0, denormals and extremes.
torch::Tensor floatValues(torch::ScalarType type, std::vector<int64_t> shape) {
    torch::manual_seed(7);
    torch::Tensor t = torch::randn(shape, torch::TensorOptions().dtype(type)) * 1000;
    torch::Tensor flat = t.view({-1});
    const double specials[] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(), -0.0, 1e-40, 1e-310, 3.0e38};
    for (int64_t i = 0; i < std::min<int64_t>(flat.numel(), 7); ++i) flat[i] = specials[i];
    return t;
}

TEST(NpyFile, RoundTripsFloatingPointOfEveryRankBitIdentically) {
    TempDir dir;
    const std::vector<std::vector<int64_t>> shapes = {{}, {5}, {2, 3}, {2, 3, 4, 5}, {0, 3}};
    for (auto type : {torch::kFloat32, torch::kFloat64}) {
        for (const auto& shape : shapes) {
            SCOPED_TRACE(std::string(c10::toString(type)) + " rank " + std::to_string(shape.size()));
            torch::Tensor original = floatValues(type, shape);
            fs::path path = dir / "a.npy";
            writeNpy(path, original);
            expectBitIdentical(readNpy(path), original);
        }
    }
}

TEST(NpyFile, RoundTripsIntegersAndBools) {
    TempDir dir;
    torch::Tensor int64 = torch::tensor({std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0},
                                         int64_t{1} << 40, std::numeric_limits<int64_t>::max(), int64_t{42}})
                              .reshape({2, 3});
    torch::Tensor int32 = torch::tensor({std::numeric_limits<int32_t>::min(), -5, 0, std::numeric_limits<int32_t>::max()});
    torch::Tensor uint8 = torch::arange(256, torch::kInt64).to(torch::kUInt8).reshape({4, 8, 8});
    torch::Tensor boolean = torch::tensor({true, false, false, true, true, false}).reshape({3, 2});
    for (const auto& original : {int64, int32, uint8, boolean}) {
        SCOPED_TRACE(c10::toString(original.scalar_type()));
        writeNpy(dir / "i.npy", original);
        expectBitIdentical(readNpy(dir / "i.npy"), original);
    }
}

TEST(NpyFile, WritesNonContiguousTensorsInCOrder) {
    TempDir dir;
    torch::Tensor base = torch::arange(12, torch::kFloat32).reshape({3, 4});
    writeNpy(dir / "t.npy", base.t());
    torch::Tensor back = readNpy(dir / "t.npy");
    EXPECT_TRUE(torch::equal(back, base.t().contiguous()));
}

TEST(NpyFile, WriterProducesExactlyWhatNumpySaveWrites) {
    // numpy.save("a.npy", np.arange(6, dtype='<f4').reshape(2, 3)): a 128-byte version 1.0 preamble.
    TempDir dir;
    std::string expected = npyBytes(kArangeDict, floatBytes({0, 1, 2, 3, 4, 5}));
    ASSERT_EQ(expected.size(), 128u + 24u);
    ASSERT_EQ(expected.substr(8, 2), std::string("\x76\x00", 2));  // header length 118
    writeNpy(dir / "a.npy", torch::arange(6, torch::kFloat32).reshape({2, 3}));
    EXPECT_EQ(readBytes(dir / "a.npy"), expected);
}

TEST(NpyFile, HeaderIsPaddedToSixtyFourBytes) {
    TempDir dir;
    for (const auto& shape : std::vector<std::vector<int64_t>>{{}, {7}, {1, 2, 3, 4, 5, 6, 7, 8}}) {
        writeNpy(dir / "p.npy", torch::zeros(shape, torch::kUInt8));
        std::string bytes = readBytes(dir / "p.npy");
        ASSERT_GE(bytes.size(), 10u);
        std::size_t headerLength = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
        EXPECT_EQ((10 + headerLength) % 64, 0u);
        EXPECT_EQ(bytes[6], '\x01');
        EXPECT_EQ(bytes[10 + headerLength - 1], '\n');
        EXPECT_EQ(bytes.size(), 10 + headerLength + static_cast<std::size_t>(torch::zeros(shape).numel()));
    }
}

TEST(NpyFile, ReadsHandWrittenFile) {
    TempDir dir;
    writeBytes(dir / "a.npy", npyBytes(kArangeDict, floatBytes({0, 1, 2, 3, 4, 5})));
    torch::Tensor t = readNpy(dir / "a.npy");
    EXPECT_TRUE(torch::equal(t, torch::arange(6, torch::kFloat32).reshape({2, 3})));
}

TEST(NpyFile, ReadsFortranOrderAsCContiguous) {
    TempDir dir;
    // [[0, 1, 2], [3, 4, 5]] stored column by column.
    writeBytes(dir / "f.npy", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                       floatBytes({0, 3, 1, 4, 2, 5})));
    torch::Tensor t = readNpy(dir / "f.npy");
    EXPECT_TRUE(t.is_contiguous());
    EXPECT_TRUE(torch::equal(t, torch::arange(6, torch::kFloat32).reshape({2, 3})));

    torch::Tensor expected = torch::arange(24, torch::kFloat64).reshape({2, 3, 4});
    writeBytes(dir / "f3.npy", npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 4), }",
                                        tensorBytes(expected.permute({2, 1, 0}).contiguous())));
    torch::Tensor t3 = readNpy(dir / "f3.npy");
    EXPECT_TRUE(t3.is_contiguous());
    EXPECT_TRUE(torch::equal(t3, expected));

    writeBytes(dir / "f1.npy", npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }", floatBytes({7, 8, 9})));
    EXPECT_TRUE(torch::equal(readNpy(dir / "f1.npy"), torch::tensor({7.f, 8.f, 9.f})));
}

TEST(NpyFile, ReadsVersion2And3Headers) {
    TempDir dir;
    std::string v2 = npyBytes(kArangeDict, floatBytes({0, 1, 2, 3, 4, 5}), 2);
    ASSERT_EQ(v2.size(), 128u + 24u);
    writeBytes(dir / "v2.npy", v2);
    EXPECT_TRUE(torch::equal(readNpy(dir / "v2.npy"), torch::arange(6, torch::kFloat32).reshape({2, 3})));

    writeBytes(dir / "v3.npy", npyBytes(kArangeDict, floatBytes({0, 1, 2, 3, 4, 5}), 3));
    EXPECT_TRUE(torch::equal(readNpy(dir / "v3.npy"), torch::arange(6, torch::kFloat32).reshape({2, 3})));
}

TEST(NpyFile, ParsesHeaderVariants) {
    TempDir dir;
    struct Case {
        std::string dict;
        std::vector<int64_t> shape;
    };
    const std::vector<Case> cases = {
        {"{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", {2, 3}},   // any key order, no trailing comma
        {"{'descr':'<f4','fortran_order':False,'shape':(2,3)}", {2, 3}},          // no spaces
        {"{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (6,)}", {6}},  // double quotes, 1-d
        {"{'descr': '=f4', 'fortran_order': False, 'shape': (6L,), }", {6}},      // native order, Python 2 long
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 6, ), }", {1, 6}},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", {2, 3}},  // list shape
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.dict);
        writeBytes(dir / "h.npy", npyBytes(c.dict, floatBytes({0, 1, 2, 3, 4, 5})));
        torch::Tensor t = readNpy(dir / "h.npy");
        EXPECT_EQ(t.sizes(), c10::IntArrayRef(c.shape));
        EXPECT_TRUE(torch::equal(t.reshape({-1}), torch::arange(6, torch::kFloat32)));
    }

    // Scalar, and an old file whose preamble is only a multiple of 16.
    writeBytes(dir / "s.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
                                       tensorBytes(torch::tensor(2.5, torch::kFloat64)), 1, 16));
    torch::Tensor scalar = readNpy(dir / "s.npy");
    EXPECT_EQ(scalar.dim(), 0);
    EXPECT_EQ(scalar.item<double>(), 2.5);

    // One-byte types with any byte-order mark.
    for (const std::string descr : {"|u1", "<u1", "=u1", "|b1", "<b1"}) {
        SCOPED_TRACE(descr);
        writeBytes(dir / "u.npy", npyBytes("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (2,), }",
                                           std::string("\x01\x00", 2)));
        torch::Tensor t = readNpy(dir / "u.npy");
        EXPECT_EQ(t.scalar_type(), descr[1] == 'u' ? torch::kUInt8 : torch::kBool);
        EXPECT_EQ(t[0].item<int>(), 1);
        EXPECT_EQ(t[1].item<int>(), 0);
    }

    // Bool bytes other than 0/1 read as true rather than as an invalid bool.
    writeBytes(dir / "b.npy", npyBytes("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", std::string("\x00\x02\x01", 3)));
    torch::Tensor b = readNpy(dir / "b.npy");
    EXPECT_TRUE(torch::equal(b, torch::tensor({false, true, true})));
}

TEST(NpyFile, ErrorsNameTheFileAndTheProblem) {
    TempDir dir;
    const std::string data = floatBytes({0, 1, 2, 3, 4, 5});
    auto file = [&](const std::string& name, const std::string& bytes) {
        writeBytes(dir / name, bytes);
        return dir / name;
    };

    expectReadError(dir / "missing.npy", "no such file");
    expectReadError(dir.path(), "directory");
    expectReadError(file("empty.npy", ""), "bad magic");
    expectReadError(file("magic.npy", "\x93NUMPX\x01\x00" + std::string(200, ' ')), "bad magic");
    expectReadError(file("short-magic.npy", "\x93NUM"), "truncated");
    expectReadError(file("version.npy", npyBytes(kArangeDict, data).replace(6, 1, "\x04")), "version 4.0");

    std::string full = npyBytes(kArangeDict, data);
    expectReadError(file("trunc-header.npy", full.substr(0, 60)), "truncated .npy header");
    expectReadError(file("trunc-length.npy", full.substr(0, 9)), "truncated");
    expectReadError(file("no-shape.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, }", data)), "'shape'");
    expectReadError(file("no-descr.npy", npyBytes("{'fortran_order': False, 'shape': (6,), }", data)), "'descr'");
    expectReadError(file("big-endian.npy", npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", data)),
                    "big-endian");
    expectReadError(file("object.npy", npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (2, 3), }", data)),
                    "object arrays");
    expectReadError(file("half.npy", npyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", data)),
                    "unsupported dtype '<f2'");
    expectReadError(file("ambiguous.npy", npyBytes("{'descr': '|f4', 'fortran_order': False, 'shape': (2, 3), }", data)),
                    "byte order");
    expectReadError(file("record.npy", npyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", data)),
                    "structured");
    expectReadError(file("short.npy", npyBytes(kArangeDict, data.substr(0, 20))), "data too short");
    expectReadError(file("trailing.npy", npyBytes(kArangeDict, data + "xy")), "2 trailing bytes");
    expectReadError(file("syntax.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ", data)),
                    "malformed .npy header");
    expectReadError(file("garbage.npy", npyBytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3), }", data)),
                    "malformed .npy header");
    expectReadError(file("after.npy", npyBytes(kArangeDict + " x", data)), "malformed .npy header");
    expectReadError(file("negative.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-2, 3), }", data)),
                    "negative");
    expectReadError(file("fortran-type.npy", npyBytes("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3), }", data)),
                    "fortran_order");
    expectReadError(file("extra-key.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", data)),
                    "unexpected key 'x'");
    expectReadError(file("duplicate.npy", npyBytes("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}", data)),
                    "duplicate key");
    // Sizes whose byte count overflows must not allocate or crash.
    expectReadError(file("huge.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", data)),
                    "too large");
    expectReadError(file("huge2.npy", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976,), }", data)),
                    "data too short");
    expectReadError(file("deep.npy", npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': " + std::string(100, '(') + "}", data)),
                    "malformed .npy header");
    std::string lying = full;
    lying[8] = '\xff';
    lying[9] = '\xff';
    expectReadError(file("lying-length.npy", lying), "truncated .npy header");
}

TEST(NpyFile, WriteErrorsNameTheFile) {
    TempDir dir;
    expectError(dir / "half.npy", "cannot write dtype Half", [&] { writeNpy(dir / "half.npy", torch::zeros({2}, torch::kFloat16)); });
    EXPECT_FALSE(fs::exists(dir / "half.npy"));
    expectError(dir / "undefined.npy", "undefined", [&] { writeNpy(dir / "undefined.npy", torch::Tensor()); });
    fs::path missing = dir / "no-such-folder" / "a.npy";
    expectError(missing, "folder does not exist", [&] { writeNpy(missing, torch::zeros({2})); });
    EXPECT_FALSE(fs::exists(dir / "no-such-folder"));
    expectError(dir.path(), "directory", [&] { writeNpy(dir.path(), torch::zeros({2})); });
}

TEST(NpyFile, WriteReplacesExistingFileAndLeavesNoTemporaryFiles) {
    TempDir dir;
    writeNpy(dir / "a.npy", torch::zeros({1000}));
    writeNpy(dir / "a.npy", torch::ones({3}, torch::kFloat64));
    EXPECT_TRUE(torch::equal(readNpy(dir / "a.npy"), torch::ones({3}, torch::kFloat64)));
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        (void)entry;
        ++files;
    }
    EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace latentlens
