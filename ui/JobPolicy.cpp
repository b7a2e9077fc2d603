#include "ui/JobPolicy.h"

namespace latentlens::ui {

const JobPolicy& JobPolicy::standard() {
    using K = JobKind;
    using F = JobFreshness;
    static const JobPolicy policy({{
        // Per kind: {drops}, {stops}, {supersedes}, freshness.
        /* LoadModel */ {{K::LoadModel}, {}, {}, F::LatestOnly},
        /* Image */
        {{K::Image, K::Timestep, K::Basis, K::Preview, K::FinalEdit, K::Session, K::Follow},
         {K::Image, K::Timestep, K::Basis, K::FinalEdit, K::Session, K::Follow}, {}, F::LatestOnly},
        /* Timestep */ {{K::Timestep, K::Basis, K::Follow}, {K::Timestep, K::Basis}, {}, F::LatestOnly},
        /* Export */ {{}, {}, {}, F::Every},
        /* Basis */ {{K::Basis, K::Follow}, {K::Basis, K::Follow}, {K::Follow}, F::LatestOnly},
        /* Preview */ {{K::Preview, K::FinalEdit}, {K::FinalEdit}, {K::FinalEdit}, F::NewerThanShown},
        /* FinalEdit */ {{K::Preview, K::FinalEdit}, {K::FinalEdit}, {K::Preview}, F::LatestOnly},
        /* Session */
        {{K::Image, K::Timestep, K::Basis, K::Preview, K::FinalEdit, K::Session, K::Follow},
         {K::Image, K::Timestep, K::Basis, K::FinalEdit, K::Session, K::Follow}, {}, F::LatestOnly},
        /* Analysis */ {{}, {}, {}, F::Every},
        /* Follow */ {{K::Basis, K::Follow}, {K::Basis, K::Follow}, {K::Basis}, F::LatestOnly},
    }});
    return policy;
}

}  // namespace latentlens::ui
