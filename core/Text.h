#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <string>

namespace latentlens {

// The items (anything `<<` prints: names, numbers) written one after another with `separator`
// between them: {"a", "b"} → "a, b".
template <class Items>
std::string joinedText(const Items& items, const std::string& separator = ", ") {
    std::ostringstream text;
    bool first = true;
    for (const auto& item : items) {
        if (!first) text << separator;
        text << item;
        first = false;
    }
    return text.str();
}

// A duration as a clock: "1:05" (minutes:seconds), "1:02:03" from an hour on.
inline std::string clockText(double seconds) {
    const auto total = static_cast<long long>(std::llround(std::max(0.0, seconds)));
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
    }
    return text;
}

// The time a job has left at `fraction` done after `elapsed` seconds, at its rate so far; negative
// while too little is done for an estimate (under 2 % or under a second).
inline double secondsLeft(double fraction, double elapsed) {
    if (!(fraction >= 0.02) || fraction >= 1.0 || elapsed < 1.0) return -1.0;
    return elapsed / fraction * (1.0 - fraction);
}

}  // namespace latentlens
