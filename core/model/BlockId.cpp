#include "core/model/BlockId.h"

#include <algorithm>
#include <cctype>

#include "core/Error.h"

namespace latentlens {

BlockId BlockId::parse(const std::string& text) {
    if (text == "mid") return mid();
    const auto dot = text.find('.');
    const std::string kind = text.substr(0, dot);
    const std::string number = dot == std::string::npos ? "" : text.substr(dot + 1);
    const bool numeric = !number.empty() && number.size() < 4 &&
                         std::all_of(number.begin(), number.end(), [](unsigned char c) { return std::isdigit(c); });
    if ((kind == "down" || kind == "up") && numeric) {
        return {kind == "down" ? Kind::Down : Kind::Up, std::stoi(number)};
    }
    throw Error("unknown block \"" + text + "\": expected mid, down.N or up.N");
}

std::string BlockId::name() const {
    switch (kind) {
        case Kind::Mid: return "mid";
        case Kind::Down: return "down." + std::to_string(index);
        case Kind::Up: return "up." + std::to_string(index);
    }
    return "mid";
}

std::vector<int64_t> unetBlockOutputShape(const BlockId& block, const std::vector<int64_t>& blockOutChannels,
                                          int64_t height, int64_t width) {
    const int64_t blocks = static_cast<int64_t>(blockOutChannels.size());
    switch (block.kind) {
        case BlockId::Kind::Mid:
            return {blockOutChannels.back(), height >> (blocks - 1), width >> (blocks - 1)};
        case BlockId::Kind::Down: {
            const int64_t downsamples = std::min<int64_t>(block.index + 1, blocks - 1);
            return {blockOutChannels[block.index], height >> downsamples, width >> downsamples};
        }
        case BlockId::Kind::Up: {
            const int64_t remaining = std::max<int64_t>(blocks - 2 - block.index, 0);
            return {blockOutChannels[blocks - 1 - block.index], height >> remaining, width >> remaining};
        }
    }
    return {};
}

}  // namespace latentlens
