#pragma once

#include <QList>

namespace latentlens::ui {

// One scene of demo mode: the image of `seed`, moved to timestep `timestep`, its directions found,
// and direction `direction` (0-based, 0 = largest σ) swept 0 → +alphaPeak → −alphaPeak → 0.
struct DemoScene {
    int seed = 0;
    int timestep = 700;
    int direction = 0;
    double alphaPeak = 2.5;
};

}  // namespace latentlens::ui
