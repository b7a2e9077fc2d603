#pragma once

#include <cstdint>
#include <initializer_list>

namespace latentlens::ui {

// What a worker job is for. The supersede/stop rules (JobPolicy) and whether a result is still
// wanted (JobTracker) are decided per kind.
enum class JobKind : uint8_t {
    LoadModel,  // a model folder
    Image,      // a generated or opened (inverted) image
    Timestep,   // the image at another timestep
    Export,     // a file written on request (image, traversal, basis, session)
    Basis,      // find directions, or refine live ones
    Preview,    // a slider drag
    FinalEdit,  // a slider release: the full re-denoise
    Session,    // open a session
    Analysis,   // an analysis of the Analysis window
    Follow,     // the live directions of a new timestep (from the shown ones)
};

inline constexpr int kJobKindCount = 10;

// A set of job kinds, one bit each.
class JobKinds {
public:
    constexpr JobKinds() = default;
    constexpr JobKinds(std::initializer_list<JobKind> kinds) {
        for (JobKind kind : kinds) bits_ |= bit(kind);
    }
    constexpr bool contains(JobKind kind) const { return (bits_ & bit(kind)) != 0; }
    constexpr bool empty() const { return bits_ == 0; }

private:
    static constexpr uint32_t bit(JobKind kind) { return uint32_t(1) << static_cast<int>(kind); }
    uint32_t bits_ = 0;
};

}  // namespace latentlens::ui
