#include "core/ProgressRange.h"

#include <algorithm>

namespace latentlens {

Progress progressRange(const Progress& parent, double from, double to) {
    Progress part;
    part.cancelFlag = parent.cancelFlag;
    if (parent.callback) {
        auto callback = parent.callback;
        part.callback = [callback, from, to](double fraction, const std::string& message) {
            callback(from + (to - from) * std::clamp(fraction, 0.0, 1.0), message);
        };
    }
    return part;
}

}  // namespace latentlens
