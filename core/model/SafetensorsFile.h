#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <c10/core/ScalarType.h>
#include <nlohmann/json.hpp>
#include <torch/types.h>

namespace latentlens {

// Where one tensor lives inside a .safetensors file.
struct SafetensorsEntry {
    std::string name;
    c10::ScalarType dtype = c10::ScalarType::Float;  // F32, F16, BF16, F64 (also I64/I32/I16/I8/U8/BOOL)
    std::vector<int64_t> shape;
    std::size_t begin = 0;  // byte offsets relative to the start of the data section
    std::size_t end = 0;
};

// A read-only, memory-mapped .safetensors file (8-byte little-endian header length, JSON header,
// raw little-endian data). Every structural property is validated when the file is opened:
// header length against file size, JSON syntax, dtype names, shape vs byte count, offsets in
// bounds, non-overlapping and covering the data section. Any violation throws latentlens::Error
// with a message naming the file (and the key, where there is one). Nothing is ever read out of
// bounds, and the weights are not copied: tensor() returns a view into the mapping.
class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::filesystem::path& path);
    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Tensor names in file order of their offsets.
    const std::vector<std::string>& names() const { return names_; }
    bool contains(const std::string& name) const;
    const SafetensorsEntry& entry(const std::string& name) const;  // throws Error if absent
    // The "__metadata__" object (string to string), empty if absent.
    const std::map<std::string, std::string>& metadata() const { return metadata_; }

    // A CPU tensor viewing the mapped bytes (no copy). Valid while this object lives;
    // clone() it or copy it into a parameter to keep it. Read-only: the mapping is PROT_READ, so
    // an in-place operation on it faults. (A tensor stored at an offset that is not a multiple of
    // its element size comes back as a copy, since LibTorch needs aligned data.)
    torch::Tensor tensor(const std::string& name) const;

private:
    std::filesystem::path path_;
    const unsigned char* mapping_ = nullptr;
    std::size_t mappingSize_ = 0;
    std::size_t dataOffset_ = 0;
    std::vector<std::string> names_;
    std::map<std::string, SafetensorsEntry> entries_;
    std::map<std::string, std::string> metadata_;
};

// Writes tensors (CPU, any layout; stored contiguous, little-endian) to a .safetensors file.
// Used to save results and by the tests to make good files to corrupt.
void writeSafetensors(const std::filesystem::path& path,
                      const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});

}  // namespace latentlens
