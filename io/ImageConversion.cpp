#include "io/ImageConversion.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <system_error>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/Error.h"

namespace latentlens::image_detail {

namespace fs = std::filesystem;

void fail(const fs::path& path, const std::string& problem) { throw Error(path.string() + ": " + problem); }

std::string oneLine(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    std::replace(text.begin(), text.end(), '\r', ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

std::string openCvReason(const cv::Exception& e) { return oneLine(e.err.empty() ? e.what() : e.err); }

std::string lowerExtension(const fs::path& path) {
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext;
}

torch::Tensor checkedFloatImage(const fs::path& path, const torch::Tensor& image, const std::string& what) {
    if (!image.defined()) fail(path, "cannot write an undefined " + what);
    if (image.layout() != torch::kStrided) fail(path, "cannot write a sparse " + what);
    if (!torch::isFloatingType(image.scalar_type()))
        fail(path, "cannot write " + what + " of dtype " + c10::toString(image.scalar_type()) +
                       " (expected floating-point values in [-1, 1])");
    return image.detach().to(torch::kCPU, torch::kFloat32);
}

void checkChannels(const fs::path& path, int64_t channels) {
    if (channels != 1 && channels != 3)
        fail(path, "cannot write an image with " + std::to_string(channels) + " channels (expected 1 or 3)");
}

torch::Tensor toBytes(const torch::Tensor& chw, int upscale) {
    // NaN → black, ±inf → white/black; clamp; round half away from zero like std::round.
    torch::Tensor values = torch::nan_to_num(chw, -1.0, 1.0, -1.0).clamp(-1.0, 1.0);
    torch::Tensor bytes = values.add(1.0).mul(127.5).add(0.5).floor().clamp(0, 255).to(torch::kUInt8);
    if (upscale > 1) bytes = bytes.repeat_interleave(upscale, 1).repeat_interleave(upscale, 2);
    return bytes.permute({1, 2, 0}).contiguous();
}

cv::Mat toMat(const torch::Tensor& chw, int upscale) {
    torch::Tensor bytes = toBytes(chw, upscale);
    const int channels = static_cast<int>(bytes.size(2));
    cv::Mat view(static_cast<int>(bytes.size(0)), static_cast<int>(bytes.size(1)), CV_8UC(channels), bytes.data_ptr());
    cv::Mat owned;
    if (channels == 3) {
        cv::cvtColor(view, owned, cv::COLOR_RGB2BGR);
    } else {
        owned = view.clone();
    }
    return owned;
}

std::string temporaryName(const fs::path& path, const std::string& extension) {
    static std::atomic<unsigned> counter{0};
    static const unsigned long long salt = std::random_device{}();
    // Keep the real extension last, so tools (and encoders) that look at the name see the format.
    return "." + path.stem().string() + ".tmp-" + std::to_string(salt % 1000000007ull) + "-" +
           std::to_string(counter.fetch_add(1)) + (extension.empty() ? path.extension().string() : extension);
}

void checkWritableLocation(const fs::path& path, const std::string& what) {
    std::error_code ec;
    fs::path folder = path.parent_path();
    if (!folder.empty() && !fs::is_directory(folder, ec)) fail(path, "cannot write " + what + ": folder does not exist");
    if (fs::is_directory(path, ec)) fail(path, "cannot write " + what + ": is a directory");
}

void replaceWith(const fs::path& temporary, const fs::path& path, const std::string& what) {
    std::error_code ec;
    // Some writers (giflib) create their file owner-only; the result is an ordinary 0644 file.
    fs::permissions(temporary,
                    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::replace, ec);
    fs::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        fail(path, "cannot write " + what + " (" + ec.message() + ")");
    }
}

void writeFileAtomically(const fs::path& path, const std::vector<uchar>& bytes, const std::string& what) {
    checkWritableLocation(path, what);
    fs::path folder = path.parent_path();
    fs::path temporary = (folder.empty() ? fs::path(".") : folder) / temporaryName(path);

    std::FILE* file = std::fopen(temporary.c_str(), "wbx");
    if (!file) fail(path, "cannot write " + what + " (" + std::strerror(errno) + ")");
    int error = 0;
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size()) error = errno ? errno : EIO;
    if (std::fflush(file) != 0 && !error) error = errno ? errno : EIO;
    if (std::fclose(file) != 0 && !error) error = errno ? errno : EIO;
    if (error) {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        fail(path, "cannot write " + what + " (" + std::strerror(error) + ")");
    }
    replaceWith(temporary, path, what);
}

}  // namespace latentlens::image_detail
