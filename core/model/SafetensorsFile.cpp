#include "core/model/SafetensorsFile.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "core/Error.h"

// The data section is handed to torch::from_blob as is, so the host must share the file's byte order.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "SafetensorsFile supports little-endian hosts only");

namespace latentlens {

namespace {

// Same limit as the reference implementation (safetensors MAX_HEADER_SIZE).
constexpr std::uint64_t kMaxHeaderSize = 100'000'000;
// A valid header nests three levels (root object, entry object, shape array); anything much
// deeper is garbage, and refusing it early bounds the parser's work.
constexpr int kMaxJsonDepth = 16;
constexpr std::size_t kMaxQuotedKeyLength = 200;

struct DtypeInfo {
    const char* name;
    c10::ScalarType type;
    std::size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {"F64", c10::ScalarType::Double, 8}, {"F32", c10::ScalarType::Float, 4},
    {"F16", c10::ScalarType::Half, 2},   {"BF16", c10::ScalarType::BFloat16, 2},
    {"I64", c10::ScalarType::Long, 8},   {"I32", c10::ScalarType::Int, 4},
    {"I16", c10::ScalarType::Short, 2},  {"I8", c10::ScalarType::Char, 1},
    {"U8", c10::ScalarType::Byte, 1},    {"BOOL", c10::ScalarType::Bool, 1},
};

const DtypeInfo* dtypeByName(const std::string& name) {
    for (const auto& info : kDtypes) {
        if (name == info.name) return &info;
    }
    return nullptr;
}

const DtypeInfo* dtypeByType(c10::ScalarType type) {
    for (const auto& info : kDtypes) {
        if (type == info.type) return &info;
    }
    return nullptr;
}

std::size_t dtypeSize(c10::ScalarType type) {
    const DtypeInfo* info = dtypeByType(type);
    return info ? info->size : 0;
}

// A key as a one-line, valid-UTF-8, length-limited JSON string literal, for messages.
std::string quoted(const std::string& key) {
    std::string text = nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > kMaxQuotedKeyLength) text = text.substr(0, kMaxQuotedKeyLength) + "...\"";
    return text;
}

// A JSON value as short one-line text, for messages.
std::string brief(const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > kMaxQuotedKeyLength) text = text.substr(0, kMaxQuotedKeyLength) + "...";
    return text;
}

std::string oneLine(std::string text) {
    std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return text;
}

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
    throw Error(oneLine("safetensors file " + path.string() + ": " + what));
}

[[noreturn]] void failKey(const std::filesystem::path& path, const std::string& key, const std::string& what) {
    fail(path, "tensor " + quoted(key) + ": " + what);
}

std::uint64_t readLittleEndian64(const unsigned char* bytes) {
    std::uint64_t value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | bytes[i];
    return value;
}

// Maximum nesting of objects and arrays outside string literals (a string that never closes
// just ends the scan; the parser reports it).
int jsonDepth(std::string_view text) {
    int depth = 0;
    int maxDepth = 0;
    bool inString = false;
    bool escaped = false;
    for (char c : text) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            maxDepth = std::max(maxDepth, ++depth);
            if (maxDepth > kMaxJsonDepth) return maxDepth;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return maxDepth;
}

// A non-negative JSON integer that fits in int64, or nothing.
bool nonNegativeInteger(const nlohmann::json& value, std::uint64_t& out) {
    if (value.is_number_unsigned()) {
        out = value.get<std::uint64_t>();
        return out <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    }
    if (value.is_number_integer()) {
        const auto signedValue = value.get<std::int64_t>();
        if (signedValue < 0) return false;
        out = static_cast<std::uint64_t>(signedValue);
        return true;
    }
    return false;
}

SafetensorsEntry parseEntry(const std::filesystem::path& path, const std::string& key, const nlohmann::json& value,
                            std::size_t dataSize) {
    if (!value.is_object()) failKey(path, key, "entry is not a JSON object");

    SafetensorsEntry entry;
    entry.name = key;

    const auto dtypeIt = value.find("dtype");
    if (dtypeIt == value.end()) failKey(path, key, "missing \"dtype\"");
    if (!dtypeIt->is_string()) failKey(path, key, "\"dtype\" is not a string");
    const DtypeInfo* dtype = dtypeByName(dtypeIt->get_ref<const std::string&>());
    if (dtype == nullptr) failKey(path, key, "unknown or unsupported dtype " + quoted(dtypeIt->get_ref<const std::string&>()));
    entry.dtype = dtype->type;

    const auto shapeIt = value.find("shape");
    if (shapeIt == value.end()) failKey(path, key, "missing \"shape\"");
    if (!shapeIt->is_array()) failKey(path, key, "\"shape\" is not an array");
    // numel, and the product of max(dim, 1) (which bounds the strides) must both fit in int64,
    // so LibTorch never sees an overflowing size even for 0-element tensors.
    std::uint64_t numel = 1;
    std::uint64_t strideBound = 1;
    constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    entry.shape.reserve(shapeIt->size());
    for (const auto& dimValue : *shapeIt) {
        std::uint64_t dim = 0;
        if (!nonNegativeInteger(dimValue, dim)) {
            failKey(path, key, "shape dimension " + brief(dimValue) + " is not a non-negative 64-bit integer");
        }
        if (__builtin_mul_overflow(strideBound, std::max<std::uint64_t>(dim, 1), &strideBound) ||
            strideBound > kInt64Max) {
            failKey(path, key, "element count of the shape overflows");
        }
        numel *= dim;  // <= strideBound, cannot overflow
        entry.shape.push_back(static_cast<std::int64_t>(dim));
    }
    std::uint64_t byteCount = 0;
    if (__builtin_mul_overflow(numel, static_cast<std::uint64_t>(dtype->size), &byteCount)) {
        failKey(path, key, "byte count of the shape overflows");
    }

    const auto offsetsIt = value.find("data_offsets");
    if (offsetsIt == value.end()) failKey(path, key, "missing \"data_offsets\"");
    if (!offsetsIt->is_array() || offsetsIt->size() != 2) failKey(path, key, "\"data_offsets\" is not an array of two integers");
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
    if (!nonNegativeInteger((*offsetsIt)[0], begin) || !nonNegativeInteger((*offsetsIt)[1], end)) {
        failKey(path, key, "\"data_offsets\" are not non-negative 64-bit integers");
    }
    const std::string range = "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
    if (end < begin) failKey(path, key, "data_offsets " + range + " end before they begin");
    if (end > dataSize) {
        failKey(path, key, "data_offsets " + range + " go beyond the data section (" + std::to_string(dataSize) + " bytes)");
    }
    if (end - begin != byteCount) {
        failKey(path, key, "data_offsets " + range + " hold " + std::to_string(end - begin) + " bytes but shape and dtype " +
                               dtype->name + " need " + std::to_string(byteCount));
    }
    entry.begin = static_cast<std::size_t>(begin);
    entry.end = static_cast<std::size_t>(end);
    return entry;
}

struct Parsed {
    std::size_t dataOffset = 0;
    std::vector<std::string> names;
    std::map<std::string, SafetensorsEntry> entries;
    std::map<std::string, std::string> metadata;
};

Parsed parseHeader(const std::filesystem::path& path, const unsigned char* bytes, std::size_t size) {
    // The caller has checked size >= 8.
    const std::uint64_t headerSize = readLittleEndian64(bytes);
    if (headerSize > size - 8) {
        fail(path, "header length " + std::to_string(headerSize) + " is larger than the rest of the file (" +
                       std::to_string(size - 8) + " bytes)");
    }
    if (headerSize > kMaxHeaderSize) {
        fail(path, "header length " + std::to_string(headerSize) + " exceeds the " + std::to_string(kMaxHeaderSize) +
                       "-byte limit");
    }
    Parsed parsed;
    parsed.dataOffset = 8 + static_cast<std::size_t>(headerSize);
    const std::size_t dataSize = size - parsed.dataOffset;

    const std::string_view text(reinterpret_cast<const char*>(bytes + 8), static_cast<std::size_t>(headerSize));
    if (jsonDepth(text) > kMaxJsonDepth) fail(path, "JSON header is nested too deeply");

    // Duplicate top-level keys would silently shadow each other in the parsed object.
    std::set<std::string> seenKeys;
    std::string duplicateKey;
    bool duplicate = false;
    const nlohmann::json::parser_callback_t callback = [&](int depth, nlohmann::json::parse_event_t event,
                                                           nlohmann::json& parsedValue) {
        if (event == nlohmann::json::parse_event_t::key && depth == 1 && !duplicate && parsedValue.is_string()) {
            if (!seenKeys.insert(parsedValue.get<std::string>()).second) {
                duplicate = true;
                duplicateKey = parsedValue.get<std::string>();
            }
        }
        return true;
    };
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true,
                                       /*ignore_comments=*/false);
    } catch (const nlohmann::json::exception& e) {
        fail(path, std::string("invalid JSON header: ") + e.what());
    }
    if (!header.is_object()) fail(path, std::string("JSON header is not an object (it is ") + header.type_name() + ")");
    if (duplicate) failKey(path, duplicateKey, "key appears more than once in the header");

    std::vector<const SafetensorsEntry*> byOffset;
    for (const auto& [key, value] : header.items()) {
        if (key == "__metadata__") {
            if (!value.is_object()) fail(path, "\"__metadata__\" is not a JSON object");
            for (const auto& [metaKey, metaValue] : value.items()) {
                if (!metaValue.is_string()) {
                    fail(path, "\"__metadata__\" value for key " + quoted(metaKey) + " is not a string");
                }
                parsed.metadata.emplace(metaKey, metaValue.get<std::string>());
            }
            continue;
        }
        auto [it, inserted] = parsed.entries.emplace(key, parseEntry(path, key, value, dataSize));
        (void)inserted;  // keys of a parsed object are unique
        byOffset.push_back(&it->second);
    }

    std::sort(byOffset.begin(), byOffset.end(), [](const SafetensorsEntry* a, const SafetensorsEntry* b) {
        return std::tie(a->begin, a->end, a->name) < std::tie(b->begin, b->end, b->name);
    });
    // The ranges must tile the data section exactly: no overlap, no hole, nothing left over.
    std::size_t cursor = 0;
    const SafetensorsEntry* previous = nullptr;
    for (const SafetensorsEntry* entry : byOffset) {
        if (entry->begin < cursor) {
            failKey(path, entry->name,
                    "data_offsets [" + std::to_string(entry->begin) + ", " + std::to_string(entry->end) +
                        "] overlap those of tensor " + quoted(previous->name) + " (which end at " +
                        std::to_string(cursor) + ")");
        }
        if (entry->begin > cursor) {
            failKey(path, entry->name,
                    "data section has a hole: bytes [" + std::to_string(cursor) + ", " + std::to_string(entry->begin) +
                        ") before this tensor belong to no tensor");
        }
        cursor = entry->end;
        previous = entry;
        parsed.names.push_back(entry->name);
    }
    if (cursor != dataSize) {
        fail(path, "data section has a hole: bytes [" + std::to_string(cursor) + ", " + std::to_string(dataSize) +
                       ") at its end belong to no tensor");
    }
    return parsed;
}

}  // namespace

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(path_, std::string("cannot open: ") + std::strerror(errno));

    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        const int error = errno;
        ::close(fd);
        fail(path_, std::string("cannot stat: ") + std::strerror(error));
    }
    if (!S_ISREG(info.st_mode)) {
        ::close(fd);
        fail(path_, "not a regular file");
    }
    if (info.st_size < 8) {
        ::close(fd);
        fail(path_, "file is " + std::to_string(info.st_size) + " bytes, shorter than the 8-byte header length");
    }
    if (static_cast<std::uintmax_t>(info.st_size) > std::numeric_limits<std::size_t>::max()) {
        ::close(fd);
        fail(path_, "file is too large to map");
    }
    const auto size = static_cast<std::size_t>(info.st_size);
    void* mapped = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int mapError = errno;
    ::close(fd);  // the mapping keeps the file referenced
    if (mapped == MAP_FAILED) fail(path_, std::string("cannot mmap: ") + std::strerror(mapError));

    try {
        Parsed parsed = parseHeader(path_, static_cast<const unsigned char*>(mapped), size);
        dataOffset_ = parsed.dataOffset;
        names_ = std::move(parsed.names);
        entries_ = std::move(parsed.entries);
        metadata_ = std::move(parsed.metadata);
    } catch (...) {
        ::munmap(mapped, size);
        throw;
    }
    mapping_ = static_cast<const unsigned char*>(mapped);
    mappingSize_ = size;
    spdlog::debug("Opened {}: {} tensors, {} data bytes", path_.string(), names_.size(), mappingSize_ - dataOffset_);
}

SafetensorsFile::~SafetensorsFile() {
    if (mapping_ != nullptr) ::munmap(const_cast<unsigned char*>(mapping_), mappingSize_);
}

bool SafetensorsFile::contains(const std::string& name) const { return entries_.count(name) != 0; }

const SafetensorsEntry& SafetensorsFile::entry(const std::string& name) const {
    const auto it = entries_.find(name);
    if (it == entries_.end()) failKey(path_, name, "no such tensor in the file");
    return it->second;
}

torch::Tensor SafetensorsFile::tensor(const std::string& name) const {
    const SafetensorsEntry& e = entry(name);
    const auto options = torch::TensorOptions().dtype(e.dtype).device(torch::kCPU);
    if (e.begin == e.end) return torch::empty(e.shape, options);  // 0 elements: nothing to view

    // The mapping is PROT_READ: the returned tensor must never be written to (in-place ops on it
    // would fault). const_cast only because from_blob takes a void*.
    void* data = const_cast<unsigned char*>(mapping_ + dataOffset_ + e.begin);
    const std::size_t alignment = dtypeSize(e.dtype);
    if (reinterpret_cast<std::uintptr_t>(data) % alignment != 0) {
        // The format does not require aligned offsets; LibTorch kernels assume natural alignment,
        // so a misaligned tensor is the one case that is copied.
        spdlog::debug("{}: tensor {} is not {}-byte aligned, copying it", path_.string(), name, alignment);
        auto copy = torch::empty(e.shape, options);
        std::memcpy(copy.data_ptr(), data, e.end - e.begin);
        return copy;
    }
    return torch::from_blob(data, e.shape, options);
}

void writeSafetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    std::vector<torch::Tensor> stored;
    stored.reserve(tensors.size());
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    std::uint64_t offset = 0;
    for (const auto& [name, original] : tensors) {
        if (name == "__metadata__") failKey(path, name, "reserved name");
        if (header.contains(name)) failKey(path, name, "name appears more than once");
        if (!original.defined()) failKey(path, name, "tensor is undefined");
        if (original.layout() != torch::kStrided) failKey(path, name, "only strided (dense) tensors can be written");
        const DtypeInfo* dtype = dtypeByType(original.scalar_type());
        if (dtype == nullptr) {
            failKey(path, name, std::string("unsupported dtype ") + c10::toString(original.scalar_type()));
        }
        torch::Tensor tensor = original.detach().to(torch::kCPU).contiguous();
        const std::uint64_t bytes = static_cast<std::uint64_t>(tensor.numel()) * dtype->size;
        header[name] = {{"dtype", dtype->name},
                        {"shape", tensor.sizes().vec()},
                        {"data_offsets", {offset, offset + bytes}}};
        offset += bytes;
        stored.push_back(std::move(tensor));
    }

    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception& e) {
        fail(path, std::string("cannot encode the header (names and metadata must be valid UTF-8): ") + e.what());
    }
    text.append((8 - text.size() % 8) % 8, ' ');
    unsigned char length[8];
    for (int i = 0; i < 8; ++i) length[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(text.size()) >> (8 * i));

    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) fail(path, std::string("cannot open for writing: ") + std::strerror(errno));
    bool ok = std::fwrite(length, 1, 8, file) == 8 && std::fwrite(text.data(), 1, text.size(), file) == text.size();
    for (std::size_t i = 0; ok && i < stored.size(); ++i) {
        const std::size_t bytes = static_cast<std::size_t>(stored[i].numel()) * stored[i].element_size();
        if (bytes != 0) ok = std::fwrite(stored[i].data_ptr(), 1, bytes, file) == bytes;
    }
    int error = ok ? 0 : errno;
    if (std::fclose(file) != 0 && ok) {
        ok = false;
        error = errno;
    }
    if (!ok) {
        std::error_code ignored;
        std::filesystem::remove(path, ignored);
        fail(path, std::string("cannot write: ") + std::strerror(error));
    }
    spdlog::debug("Wrote {}: {} tensors, {} data bytes", path.string(), stored.size(), offset);
}

}  // namespace latentlens
