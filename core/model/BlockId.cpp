#include "core/model/BlockId.h"

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

}  // namespace latentlens
