#pragma once

#include <string>

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

}  // namespace latentlens
