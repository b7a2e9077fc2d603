#pragma once

#include <filesystem>
#include <system_error>

namespace latentlens {

// Whether `path` is a regular file / a directory; false (not an exception) when it cannot be read.
inline bool isRegularFile(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
}

inline bool isDirectory(const std::filesystem::path& path) {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
}

}  // namespace latentlens
