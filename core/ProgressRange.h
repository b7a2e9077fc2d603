#pragma once

#include "core/Progress.h"

namespace latentlens {

// A Progress for one part of a longer computation: fractions 0..1 reported by the part arrive at
// the parent as from..to; the cancel flag is the parent's.
Progress progressRange(const Progress& parent, double from, double to);

}  // namespace latentlens
