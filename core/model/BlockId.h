#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace latentlens {

// Names a U-Net block whose output can be read as features: "mid" (the H space of Park et al.),
// "down.N" or "up.N" (N counted from 0 in diffusers' order).
struct BlockId {
    enum class Kind { Down, Mid, Up };
    Kind kind = Kind::Mid;
    int index = 0;

    static BlockId mid() { return {}; }
    static BlockId parse(const std::string& text);  // throws Error on anything else
    std::string name() const;
    bool operator==(const BlockId& other) const { return kind == other.kind && index == other.index; }
};

// (C, H, W) of a block's output in diffusers' UNet layout for a (height, width) input: every down
// block but the last halves the size, every up block but the last doubles it back; block i has
// blockOutChannels[i] channels on the way down and the mirror entry on the way up. The caller
// checks that the block exists.
std::vector<int64_t> unetBlockOutputShape(const BlockId& block, const std::vector<int64_t>& blockOutChannels,
                                          int64_t height, int64_t width);

}  // namespace latentlens
