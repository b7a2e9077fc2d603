// latentlens-bench: speed of the core on this machine (default model unless --model DIR).
// Prints U-Net forward latency (median of repeated calls) at batch 1 and 8, DDIM-50 sampling,
// DDIM-50 inversion, and the process's peak resident memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <torch/torch.h>

#include "core/Runtime.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/edit/DirectionEdit.h"
#include "core/edit/EditPreview.h"
#include "core/edit/GuidanceEdit.h"
#include "core/geometry/BasisSolver.h"
#include "core/geometry/FeatureJacobian.h"
#include "core/sampling/DdimSampler.h"

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double medianMs(const std::function<void()>& work, int repeats) {
    work();  // warm-up
    std::vector<double> times;
    for (int i = 0; i < repeats; ++i) {
        const auto start = Clock::now();
        work();
        times.push_back(secondsSince(start) * 1000.0);
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

double peakRssMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
    using namespace latentlens;
    std::string modelDir;
    std::string dtype = "float32";
    int threads = 0;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--model") && i + 1 < argc) modelDir = argv[++i];
        else if (!std::strcmp(argv[i], "--dtype") && i + 1 < argc) dtype = argv[++i];
        else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: latentlens-bench [--model DIR] [--dtype float32|float64] [--threads N]\n");
            return 2;
        }
    }
    try {
        configureThreads(threads);
        auto model = DiffusionPipeline::load(modelDir.empty() ? ModelFolder::defaultModelPath() : std::filesystem::path(modelDir),
                                          ModelOptions{parseDtype(dtype), c10::Device(c10::kCPU)});
        DdimSampler sampler(*model, 50);
        torch::NoGradGuard noGrad;
        std::printf("model %s, %lld parameters, %s, %d threads\n", model->name().c_str(),
                    static_cast<long long>(model->parameterCount()), dtype.c_str(), torch::get_num_threads());
        std::printf("%-34s %12s\n", "measure", "value");
        for (int64_t batch : {1, 8}) {
            auto x = sampler.noise(0, batch);
            const double ms = medianMs([&] { model->denoiser().predict(x, 500); }, batch == 1 ? 50 : 20);
            std::printf("%-34s %9.2f ms\n", ("U-Net forward, batch " + std::to_string(batch) + " (median)").c_str(), ms);
        }
        {
            auto x = sampler.noise(0, 1);
            const double ms = medianMs([&] { model->denoiser().features(x, 500, BlockId::mid()); }, 50);
            std::printf("%-34s %9.2f ms\n", "mid-block features, batch 1", ms);
        }
        auto noise = sampler.noise(0, 1);
        auto start = Clock::now();
        auto x0 = sampler.sample(noise).result;
        std::printf("%-34s %10.3f s\n", "DDIM-50 sample, batch 1", secondsSince(start));
        start = Clock::now();
        auto xt = sampler.invert(x0, sampler.startTimestep()).result;
        std::printf("%-34s %10.3f s\n", "DDIM-50 inversion, batch 1", secondsSince(start));
        start = Clock::now();
        auto batch = sampler.sample(sampler.noise(0, 8)).result;
        std::printf("%-34s %10.3f s\n", "DDIM-50 sample, batch 8", secondsSince(start));
        // Editing latencies at t = 0.6T of seed 0 (issue 5's targets: preview ≤ 30 ms, final ≤ 0.5 s).
        const int64_t t = static_cast<int64_t>(0.6 * model->scheduler().numTrainTimesteps());
        auto xEdit = sampler.descend(noise, sampler.startTimestep(), t).result;
        FeatureJacobian jacobian(*model, xEdit, t);
        BasisOptions basisOptions;
        basisOptions.k = 10;
        auto basis = solvePullbackBasis(jacobian, basisOptions);
        std::printf("%-34s %10.3f s\n", "basis k=10 at 0.6T", basis.wallSeconds);
        auto edited = shiftAlongDirections(xEdit, basis, {0}, {1.5});
        std::printf("%-34s %9.2f ms\n", "preview x0-hat (1 U-Net call)",
                    medianMs([&] { predictCleanImage(*model, edited, t); }, 30));
        std::printf("%-34s %9.2f ms\n", "preview, 10-step DDIM grid", medianMs([&] { quickDenoise(*model, edited, t); }, 10));
        start = Clock::now();
        sampler.denoise(edited, t);
        std::printf("%-34s %10.3f s\n", "release-to-final from 0.6T (DDIM-50 grid)", secondsSince(start));
        start = Clock::now();
        guidanceEdit(*model, xEdit, t, basis.v[0].to(model->dtype()));
        std::printf("%-34s %10.3f s\n", "guidance edit (n = 16, batched pair)", secondsSince(start));
        std::printf("%-34s %8.1f MiB\n", "peak RSS", peakRssMiB());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
