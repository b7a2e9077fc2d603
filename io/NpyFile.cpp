#include "io/NpyFile.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"

// The reader copies the file's bytes straight into the tensor and the writer copies the
// tensor's bytes straight out: both assume a little-endian host (x86-64, arm64).
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "NpyFile assumes a little-endian host");

namespace latentlens {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicLength = 6;
// A header longer than this is not something numpy writes; refuse it rather than allocate it.
constexpr std::uint64_t kMaxHeaderLength = 16u << 20;
constexpr int kMaxParseDepth = 32;
// numpy >= 1.23 leaves room in the header so the first axis can grow to this many digits in place.
constexpr std::size_t kGrowthAxisMaxDigits = 21;

[[noreturn]] void fail(const fs::path& path, const std::string& problem) {
    throw Error(path.string() + ": " + problem);
}

std::string errnoText(int error) { return std::strerror(error); }

// --- Header: a Python dict literal ------------------------------------------------------------

struct PyValue {
    enum class Kind { String, Bool, Int, None, Tuple, List };
    Kind kind = Kind::None;
    std::string text;             // String
    bool flag = false;            // Bool
    std::uint64_t integer = 0;    // Int (non-negative; a negative number is a parse error)
    std::vector<PyValue> items;   // Tuple, List
};

// Parses the subset of Python literals that .npy headers use: str, True/False, None,
// non-negative int (optionally with Python 2's 'L' suffix), tuples, lists and one dict.
class HeaderParser {
public:
    HeaderParser(const fs::path& path, const std::string& text) : path_(path), text_(text) {}

    std::map<std::string, PyValue> parseDict() {
        skipSpace();
        expect('{');
        std::map<std::string, PyValue> dict;
        while (true) {
            skipSpace();
            if (peek() == '}') {
                ++pos_;
                break;
            }
            PyValue key = parseValue(0);
            if (key.kind != PyValue::Kind::String) malformed("dict key is not a string");
            skipSpace();
            expect(':');
            PyValue value = parseValue(0);
            if (!dict.emplace(key.text, std::move(value)).second) malformed("duplicate key '" + key.text + "'");
            skipSpace();
            if (peek() == ',') {
                ++pos_;
            } else if (peek() != '}') {
                malformed("expected ',' or '}'");
            }
        }
        skipSpace();
        if (pos_ != text_.size()) malformed("unexpected text after the closing '}'");
        return dict;
    }

private:
    [[noreturn]] void malformed(const std::string& what) const {
        fail(path_, "malformed .npy header (" + what + " at offset " + std::to_string(pos_) + ")");
    }

    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
    bool atEnd() const { return pos_ >= text_.size(); }

    void skipSpace() {
        while (!atEnd() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
            ++pos_;
    }

    void expect(char c) {
        if (atEnd()) malformed(std::string("expected '") + c + "' but the header ended");
        if (text_[pos_] != c) malformed(std::string("expected '") + c + "'");
        ++pos_;
    }

    bool consumeWord(const char* word) {
        std::size_t n = std::strlen(word);
        if (text_.compare(pos_, n, word) != 0) return false;
        // A keyword must not run on into an identifier (e.g. "Truex").
        if (pos_ + n < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[pos_ + n])) || text_[pos_ + n] == '_'))
            return false;
        pos_ += n;
        return true;
    }

    PyValue parseValue(int depth) {
        if (depth > kMaxParseDepth) malformed("nesting too deep");
        skipSpace();
        if (atEnd()) malformed("value missing");
        char c = text_[pos_];
        PyValue value;
        if (c == '\'' || c == '"' ||
            ((c == 'u' || c == 'b') && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '\'' || text_[pos_ + 1] == '"'))) {
            if (c == 'u' || c == 'b') ++pos_;
            value.kind = PyValue::Kind::String;
            value.text = parseString();
        } else if (c == '(' || c == '[') {
            value.kind = c == '(' ? PyValue::Kind::Tuple : PyValue::Kind::List;
            char close = c == '(' ? ')' : ']';
            ++pos_;
            bool sawComma = false;
            while (true) {
                skipSpace();
                if (peek() == close) {
                    ++pos_;
                    break;
                }
                value.items.push_back(parseValue(depth + 1));
                skipSpace();
                if (peek() == ',') {
                    ++pos_;
                    sawComma = true;
                } else if (peek() != close) {
                    malformed(std::string("expected ',' or '") + close + "'");
                }
            }
            // "(5)" is just the number 5 in Python, not a 1-tuple.
            if (value.kind == PyValue::Kind::Tuple && value.items.size() == 1 && !sawComma) {
                PyValue inner = std::move(value.items.front());
                return inner;
            }
        } else if (c >= '0' && c <= '9') {
            value.kind = PyValue::Kind::Int;
            value.integer = parseInteger();
        } else if (c == '-') {
            malformed("negative number");
        } else if (consumeWord("True")) {
            value.kind = PyValue::Kind::Bool;
            value.flag = true;
        } else if (consumeWord("False")) {
            value.kind = PyValue::Kind::Bool;
            value.flag = false;
        } else if (consumeWord("None")) {
            value.kind = PyValue::Kind::None;
        } else {
            malformed(std::string("unexpected character '") + c + "'");
        }
        return value;
    }

    std::string parseString() {
        char quote = text_[pos_++];
        std::string out;
        while (true) {
            if (atEnd()) malformed("unterminated string");
            char c = text_[pos_++];
            if (c == quote) break;
            if (c == '\\') {
                if (atEnd()) malformed("unterminated string");
                c = text_[pos_++];
            }
            out.push_back(c);
        }
        return out;
    }

    std::uint64_t parseInteger() {
        std::uint64_t value = 0;
        while (!atEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
            auto digit = static_cast<std::uint64_t>(text_[pos_] - '0');
            if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) malformed("integer too large");
            value = value * 10 + digit;
            ++pos_;
        }
        if (peek() == 'L' || peek() == 'l') ++pos_;  // Python 2 long
        return value;
    }

    const fs::path& path_;
    const std::string& text_;
    std::size_t pos_ = 0;
};

// --- dtypes ---------------------------------------------------------------------------------------

struct NpyType {
    const char* code;  // without the byte-order character
    const char* descr; // what the writer puts in the header
    torch::ScalarType type;
    std::size_t itemSize;
};

constexpr NpyType kTypes[] = {
    {"f4", "<f4", torch::kFloat32, 4}, {"f8", "<f8", torch::kFloat64, 8}, {"i8", "<i8", torch::kInt64, 8},
    {"i4", "<i4", torch::kInt32, 4},   {"u1", "|u1", torch::kUInt8, 1},   {"b1", "|b1", torch::kBool, 1},
};

constexpr const char* kSupportedList = "<f4, <f8, <i8, <i4, |u1, |b1";

const NpyType& typeFromDescr(const fs::path& path, const std::string& descr) {
    if (descr.empty()) fail(path, "empty dtype descr in .npy header");
    char order = descr.front();
    std::string code = descr;
    if (order == '<' || order == '>' || order == '|' || order == '=') {
        code = descr.substr(1);
    } else {
        order = '=';
    }
    if (!code.empty() && code.front() == 'O') fail(path, "object arrays (descr '" + descr + "') are not supported");
    const NpyType* found = nullptr;
    for (const auto& type : kTypes)
        if (code == type.code) found = &type;
    if (!found) fail(path, "unsupported dtype '" + descr + "' (supported: " + kSupportedList + ")");
    if (found->itemSize > 1) {
        if (order == '>') fail(path, "big-endian data (descr '" + descr + "') is not supported");
        // '|' means "byte order not applicable", which it is for multi-byte items: refuse to guess.
        if (order == '|') fail(path, "ambiguous byte order in descr '" + descr + "'");
        // '=' (native) is little-endian on every host this builds on (see the static_assert).
    }
    return *found;
}

const NpyType* typeFromTensor(torch::ScalarType scalarType) {
    for (const auto& type : kTypes)
        if (type.type == scalarType) return &type;
    return nullptr;
}

// --- writing ---------------------------------------------------------------------------------------

struct Chunk {
    const void* data;
    std::size_t size;
};

std::string temporaryName(const fs::path& path) {
    static std::atomic<unsigned> counter{0};
    static const unsigned long long salt = std::random_device{}();
    return "." + path.filename().string() + ".tmp-" + std::to_string(salt % 1000000007ull) + "-" +
           std::to_string(counter.fetch_add(1));
}

// Writes the chunks to a temporary file beside `path`, then renames it over `path`, so a failed
// write never leaves a partial file behind.
void writeFileAtomically(const fs::path& path, const std::vector<Chunk>& chunks) {
    std::error_code ec;
    fs::path folder = path.parent_path();
    if (path.filename().empty()) fail(path, "cannot write: no file name");
    if (!folder.empty() && !fs::is_directory(folder, ec)) fail(path, "cannot write: folder does not exist");
    if (fs::is_directory(path, ec)) fail(path, "cannot write: is a directory");
    fs::path temporary = (folder.empty() ? fs::path(".") : folder) / temporaryName(path);

    std::FILE* file = std::fopen(temporary.c_str(), "wbx");
    if (!file) fail(path, "cannot write (" + errnoText(errno) + ")");
    int error = 0;
    for (const auto& chunk : chunks) {
        if (chunk.size > 0 && std::fwrite(chunk.data, 1, chunk.size, file) != chunk.size) {
            error = errno ? errno : EIO;
            break;
        }
    }
    if (std::fflush(file) != 0 && !error) error = errno ? errno : EIO;
    if (std::fclose(file) != 0 && !error) error = errno ? errno : EIO;
    if (error) {
        fs::remove(temporary, ec);
        fail(path, "write failed (" + errnoText(error) + ")");
    }
    fs::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        fail(path, "cannot write (" + ec.message() + ")");
    }
}

std::string shapeRepr(const torch::Tensor& tensor) {
    std::string text = "(";
    for (int64_t d = 0; d < tensor.dim(); ++d) {
        if (d > 0) text += ", ";
        text += std::to_string(tensor.size(d));
    }
    if (tensor.dim() == 1) text += ",";
    return text + ")";
}

void putLittleEndian(std::string& out, std::uint64_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

}  // namespace

torch::Tensor readNpy(const std::filesystem::path& path) {
    std::error_code ec;
    auto status = fs::status(path, ec);
    if (!fs::exists(status)) {
        if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
            fail(path, "cannot access (" + ec.message() + ")");
        fail(path, "no such file");
    }
    if (fs::is_directory(status)) fail(path, "is a directory, not a .npy file");
    if (!fs::is_regular_file(status)) fail(path, "not a regular file");
    std::uint64_t fileSize = fs::file_size(path, ec);
    if (ec) fail(path, "cannot read (" + ec.message() + ")");

    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot open for reading (" + errnoText(errno) + ")");

    auto readExactly = [&](char* into, std::uint64_t count, const char* what) {
        in.read(into, static_cast<std::streamsize>(count));
        if (static_cast<std::uint64_t>(in.gcount()) != count) fail(path, std::string("read failed (") + what + ")");
    };

    // Magic and version.
    char prefix[8] = {};
    std::uint64_t prefixLength = std::min<std::uint64_t>(fileSize, sizeof prefix);
    readExactly(prefix, prefixLength, "magic");
    if (std::memcmp(prefix, kMagic, std::min<std::uint64_t>(prefixLength, kMagicLength)) != 0 || prefixLength == 0)
        fail(path, "not a .npy file (bad magic bytes)");
    if (prefixLength < sizeof prefix) fail(path, "truncated .npy header (file is only " + std::to_string(fileSize) + " bytes)");
    int major = static_cast<unsigned char>(prefix[6]);
    int minor = static_cast<unsigned char>(prefix[7]);
    if (major < 1 || major > 3 || minor != 0)
        fail(path, "unsupported .npy format version " + std::to_string(major) + "." + std::to_string(minor));

    // Header length and header.
    int lengthBytes = major == 1 ? 2 : 4;
    std::uint64_t fixedLength = sizeof prefix + lengthBytes;
    if (fileSize < fixedLength) fail(path, "truncated .npy header (file is only " + std::to_string(fileSize) + " bytes)");
    unsigned char lengthField[4] = {};
    readExactly(reinterpret_cast<char*>(lengthField), lengthBytes, "header length");
    std::uint64_t headerLength = 0;
    for (int i = lengthBytes - 1; i >= 0; --i) headerLength = (headerLength << 8) | lengthField[i];
    if (headerLength > kMaxHeaderLength) fail(path, "implausible .npy header length " + std::to_string(headerLength));
    if (fileSize - fixedLength < headerLength)
        fail(path, "truncated .npy header (" + std::to_string(headerLength) + " header bytes declared, " +
                       std::to_string(fileSize - fixedLength) + " in the file)");
    std::string header(headerLength, '\0');
    readExactly(header.data(), headerLength, "header");

    // The dict.
    auto dict = HeaderParser(path, header).parseDict();
    for (const char* key : {"descr", "fortran_order", "shape"})
        if (!dict.count(key)) fail(path, std::string(".npy header has no '") + key + "' key");
    for (const auto& [key, value] : dict) {
        (void)value;
        if (key != "descr" && key != "fortran_order" && key != "shape")
            fail(path, "unexpected key '" + key + "' in .npy header");
    }
    const PyValue& descrValue = dict["descr"];
    if (descrValue.kind == PyValue::Kind::List || descrValue.kind == PyValue::Kind::Tuple)
        fail(path, "structured (record) dtypes are not supported");
    if (descrValue.kind != PyValue::Kind::String) fail(path, ".npy header 'descr' is not a string");
    const NpyType& type = typeFromDescr(path, descrValue.text);

    const PyValue& fortranValue = dict["fortran_order"];
    if (fortranValue.kind != PyValue::Kind::Bool) fail(path, ".npy header 'fortran_order' is not True or False");
    bool fortranOrder = fortranValue.flag;

    const PyValue& shapeValue = dict["shape"];
    if (shapeValue.kind != PyValue::Kind::Tuple && shapeValue.kind != PyValue::Kind::List)
        fail(path, ".npy header 'shape' is not a tuple");
    std::vector<int64_t> shape;
    std::uint64_t numel = 1;
    bool anyZero = false;
    for (const auto& dim : shapeValue.items) {
        if (dim.kind != PyValue::Kind::Int) fail(path, ".npy header 'shape' holds a non-integer");
        if (dim.integer > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max()))
            fail(path, ".npy shape dimension " + std::to_string(dim.integer) + " is too large");
        shape.push_back(static_cast<int64_t>(dim.integer));
        if (dim.integer == 0) anyZero = true;
    }
    if (anyZero) {
        numel = 0;
    } else {
        for (int64_t size : shape) {
            if (numel > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max()) / static_cast<std::uint64_t>(size))
                fail(path, ".npy shape is too large");
            numel *= static_cast<std::uint64_t>(size);
        }
    }
    if (numel > std::numeric_limits<std::uint64_t>::max() / type.itemSize) fail(path, ".npy shape is too large");

    // The data: exactly numel * itemsize bytes must follow.
    std::uint64_t dataBytes = numel * type.itemSize;
    std::uint64_t available = fileSize - fixedLength - headerLength;
    if (available < dataBytes)
        fail(path, "data too short: expected " + std::to_string(dataBytes) + " bytes, found " + std::to_string(available));
    if (available > dataBytes)
        fail(path, std::to_string(available - dataBytes) + " trailing bytes after the " + std::to_string(dataBytes) +
                       " data bytes");

    std::vector<int64_t> storageShape = shape;
    if (fortranOrder) std::reverse(storageShape.begin(), storageShape.end());
    torch::ScalarType storageType = type.type == torch::kBool ? torch::kUInt8 : type.type;
    torch::Tensor tensor = torch::empty(storageShape, torch::TensorOptions().dtype(storageType));
    if (dataBytes > 0) readExactly(static_cast<char*>(tensor.data_ptr()), dataBytes, "data");

    if (type.type == torch::kBool) {
        // A bool byte other than 0 or 1 is not a valid C++ bool: normalise instead of trusting it.
        if (numel > 0 && tensor.max().item<uint8_t>() > 1) {
            tensor = tensor.ne(0);
        } else {
            tensor = tensor.view(torch::kBool);
        }
    }
    if (fortranOrder && shape.size() > 1) {
        std::vector<int64_t> reversedDims(shape.size());
        for (std::size_t i = 0; i < shape.size(); ++i) reversedDims[i] = static_cast<int64_t>(shape.size() - 1 - i);
        tensor = tensor.permute(reversedDims).contiguous();
    }
    spdlog::debug("read {}: {} {}{}", path.string(), descrValue.text, shapeRepr(tensor),
                  fortranOrder ? " (Fortran order)" : "");
    return tensor;
}

void writeNpy(const std::filesystem::path& path, const torch::Tensor& tensor) {
    if (!tensor.defined()) fail(path, "cannot write an undefined tensor");
    if (tensor.layout() != torch::kStrided) fail(path, "cannot write a sparse tensor to .npy");
    const NpyType* type = typeFromTensor(tensor.scalar_type());
    if (!type)
        fail(path, std::string("cannot write dtype ") + c10::toString(tensor.scalar_type()) +
                       " to .npy (supported: float32, float64, int64, int32, uint8, bool)");
    torch::Tensor data = tensor.detach().to(torch::kCPU).contiguous();

    // Exactly what numpy.save writes: sorted keys, repr() values, spare spaces for the growth
    // axis, space padding and a final '\n' so the data starts at a multiple of 64 bytes.
    std::string dict = std::string("{'descr': '") + type->descr + "', 'fortran_order': False, 'shape': " +
                       shapeRepr(data) + ", }";
    if (data.dim() > 0) {
        std::size_t digits = std::to_string(data.size(0)).size();
        if (digits < kGrowthAxisMaxDigits) dict.append(kGrowthAxisMaxDigits - digits, ' ');
    }
    int major = 1;
    std::size_t fixedLength = kMagicLength + 2 + 2;
    std::size_t total = (fixedLength + dict.size() + 1 + 63) / 64 * 64;
    if (total - fixedLength > 0xffff) {
        major = 2;
        fixedLength = kMagicLength + 2 + 4;
        total = (fixedLength + dict.size() + 1 + 63) / 64 * 64;
    }
    std::size_t headerLength = total - fixedLength;
    std::string preamble(kMagic, kMagicLength);
    preamble.push_back(static_cast<char>(major));
    preamble.push_back('\0');
    putLittleEndian(preamble, headerLength, major == 1 ? 2 : 4);
    preamble += dict;
    preamble.append(headerLength - dict.size() - 1, ' ');
    preamble.push_back('\n');

    std::size_t dataBytes = static_cast<std::size_t>(data.numel()) * type->itemSize;
    writeFileAtomically(path, {{preamble.data(), preamble.size()}, {data.data_ptr(), dataBytes}});
    spdlog::debug("wrote {}: {} {}", path.string(), type->descr, shapeRepr(data));
}

}  // namespace latentlens
