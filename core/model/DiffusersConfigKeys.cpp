#include "core/model/DiffusersConfigKeys.h"

#include <set>

namespace latentlens {

int64_t readSquareSampleSize(const JsonConfigReader& r, int64_t fallback) {
    if (r.has("sample_size") && r.at("sample_size").is_array()) {
        const auto sizes = r.list<int64_t>("sample_size");
        if (sizes.size() != 2 || sizes[0] != sizes[1]) r.fail("sample_size", "must be square");
        return sizes[0];
    }
    return r.get<int64_t>("sample_size", fallback);
}

void checkActFn(const JsonConfigReader& r, const std::string& actFn) {
    static const std::set<std::string> acts = {"silu", "swish", "mish", "gelu", "relu"};
    if (!acts.count(actFn)) r.fail("act_fn", "is " + actFn + "; expected silu, swish, mish, gelu or relu");
}

void checkNormNumGroups(const JsonConfigReader& r, int64_t normNumGroups, const std::vector<int64_t>& blockOutChannels) {
    if (normNumGroups <= 0) r.fail("norm_num_groups", "must be positive");
    for (int64_t channels : blockOutChannels) {
        if (channels <= 0 || channels % normNumGroups != 0) {
            r.fail("norm_num_groups", "(" + std::to_string(normNumGroups) + ") must divide every block_out_channels entry");
        }
    }
}

}  // namespace latentlens
