#include "core/analysis/SweepShard.h"

#include <cctype>

#include "core/Error.h"

namespace latentlens {
namespace {

bool parseCount(const std::string& text, int64_t& value) {
    if (text.empty() || text.size() > 9) return false;
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    value = std::stoll(text);
    return true;
}

}  // namespace

SweepShard SweepShard::parse(const std::string& text) {
    const auto slash = text.find('/');
    SweepShard shard;
    if (slash == std::string::npos || !parseCount(text.substr(0, slash), shard.index) ||
        !parseCount(text.substr(slash + 1), shard.count) || shard.count < 1 || shard.index < 1 ||
        shard.index > shard.count) {
        throw Error("--shard \"" + text + "\": expected I/N with 1 <= I <= N, e.g. 2/4");
    }
    return shard;
}

}  // namespace latentlens
