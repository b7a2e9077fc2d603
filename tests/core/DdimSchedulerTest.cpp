#include <cmath>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <utility>
#include <algorithm>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/sampling/DdimScheduler.h"
#include "core/sampling/SchedulerConfig.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

using nlohmann::json;

json readJson(const std::filesystem::path& file) {
    std::ifstream in(file);
    EXPECT_TRUE(in.good()) << file;
    json j;
    in >> j;
    return j;
}

const json& schedulerFixtures() {
    static const json fixtures = readJson(test::fixturesDir() / "schedulers.json");
    return fixtures;
}

DdimScheduler makeScheduler(const json& overrides) {
    return DdimScheduler(SchedulerConfig::fromJson(overrides, "test config"));
}

// float32 rounding, as every diffusers coefficient is a float32 0-d tensor.
double f32(double x) { return static_cast<double>(static_cast<float>(x)); }
double alphaAt(const DdimScheduler& scheduler, int64_t t) { return scheduler.alphaProd(t).item<double>(); }

// Expects `body` to throw latentlens::Error whose message contains every one of `parts`.
void expectErrorMentioning(const std::function<void()>& body, const std::vector<std::string>& parts) {
    try {
        body();
        ADD_FAILURE() << "no latentlens::Error thrown (expected one mentioning " << parts.front() << ")";
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const auto& part : parts) {
            EXPECT_NE(message.find(part), std::string::npos) << "message \"" << message << "\" lacks \"" << part << "\"";
        }
    } catch (const std::exception& e) {
        ADD_FAILURE() << "threw a non-latentlens exception: " << e.what();
    }
}

// ---------------------------------------------------------------------------------------------
// Schedules and timesteps against diffusers

TEST(DdimSchedulerTest, AlphasCumprodBitEqualToDiffusers) {
    const json& reference = schedulerFixtures().at("alphas_cumprod");
    for (const std::string schedule : {"linear", "scaled_linear", "squaredcos_cap_v2"}) {
        SCOPED_TRACE(schedule);
        DdimScheduler scheduler = makeScheduler({{"beta_schedule", schedule}});
        const auto& expected = reference.at(schedule);
        ASSERT_EQ(scheduler.alphasCumprod().scalar_type(), torch::kFloat32);
        ASSERT_EQ(scheduler.betas().scalar_type(), torch::kFloat32);
        ASSERT_EQ(scheduler.alphasCumprod().numel(), static_cast<int64_t>(expected.size()));
        auto actual = scheduler.alphasCumprod().contiguous();
        const float* data = actual.data_ptr<float>();
        int mismatches = 0;
        for (size_t i = 0; i < expected.size(); ++i) {
            const float want = static_cast<float>(expected[i].get<double>());
            if (data[i] != want) {
                if (mismatches++ < 5) ADD_FAILURE() << "alphas_cumprod[" << i << "] = " << data[i] << ", diffusers " << want;
            }
        }
        EXPECT_EQ(mismatches, 0);
    }
}

TEST(DdimSchedulerTest, TimestepsAndBoundaryAlphasMatchAllDiffusersCases) {
    const json& cases = schedulerFixtures().at("cases");
    ASSERT_EQ(cases.size(), 36u);
    int withInverse = 0;
    for (size_t i = 0; i < cases.size(); ++i) {
        const json& c = cases[i];
        SCOPED_TRACE("case " + std::to_string(i) + ": " + c.at("config").dump() + " n=" + c.at("num_inference_steps").dump());
        DdimScheduler scheduler(SchedulerConfig::fromJson(c.at("config"), "schedulers.json case"));
        const int64_t n = c.at("num_inference_steps").get<int64_t>();

        EXPECT_EQ(scheduler.timesteps(n), c.at("ddim_timesteps").get<std::vector<int64_t>>());
        const torch::Tensor finalAlpha = scheduler.alphaProd(-1);
        EXPECT_EQ(finalAlpha.dim(), 0);
        EXPECT_EQ(finalAlpha.scalar_type(), torch::kFloat32);
        EXPECT_EQ(finalAlpha.item<float>(), static_cast<float>(c.at("final_alpha_cumprod").get<double>()));

        if (c.contains("inverse_timesteps")) {
            ++withInverse;
            EXPECT_EQ(scheduler.inverseTimesteps(n), c.at("inverse_timesteps").get<std::vector<int64_t>>());
            EXPECT_EQ(scheduler.alphaProd(-1).item<float>(),
                      static_cast<float>(c.at("inverse_initial_alpha_cumprod").get<double>()));
        } else {
            // linspace: diffusers has no inverse; ours is the reversed DDIM list.
            auto reversed = c.at("ddim_timesteps").get<std::vector<int64_t>>();
            std::reverse(reversed.begin(), reversed.end());
            EXPECT_EQ(scheduler.inverseTimesteps(n), reversed);
        }
        EXPECT_EQ(scheduler.stepRatio(n), 1000 / n);
    }
    EXPECT_EQ(withInverse, 24);
}

// The fixture's scheduler config gives the DDIM and inversion timesteps diffusers used for it.
void expectFixtureScheduler(const std::string& name, const std::filesystem::path& configFile) {
    SCOPED_TRACE(name);
    const SchedulerConfig config = SchedulerConfig::load(configFile);
    const json info = readJson(test::fixtureDir(name) / "fixture.json").at("info");
    DdimScheduler scheduler(config);
    EXPECT_EQ(scheduler.timesteps(10), info.at("ddim10_timesteps").get<std::vector<int64_t>>());
    EXPECT_EQ(scheduler.inverseTimesteps(10), info.at("inv10_timesteps").get<std::vector<int64_t>>());
    const json& expected = info.at("scheduler_config");
    EXPECT_EQ(config.betaSchedule, expected.at("beta_schedule").get<std::string>());
    EXPECT_EQ(config.setAlphaToOne, expected.at("set_alpha_to_one").get<bool>());
    EXPECT_EQ(config.timestepSpacing, expected.at("timestep_spacing").get<std::string>());
}

TEST(DdimSchedulerTest, RealSchedulerConfigsLoad) {
    for (const auto& name : test::unetFixtureNames()) {
        expectFixtureScheduler(name, test::fixtureDir(name) / "scheduler_config.json");
    }
    EXPECT_GE(test::unetFixtureNames().size(), 2u);
    // The Stable Diffusion pipeline folders keep theirs in scheduler/ (sd2-tiny: trailing spacing).
    for (const auto& name : test::pipelineFixtureNames()) {
        expectFixtureScheduler(name, test::fixtureDir(name) / "scheduler" / "scheduler_config.json");
    }
    EXPECT_GE(test::pipelineFixtureNames().size(), 2u);

    // The embedded default model ships a DDPMScheduler config without set_alpha_to_one.
    const SchedulerConfig ddpm = SchedulerConfig::load(test::defaultModelDir() / "scheduler_config.json");
    EXPECT_EQ(ddpm.className, "DDPMScheduler");
    EXPECT_TRUE(ddpm.setAlphaToOne);
    EXPECT_EQ(ddpm.timestepSpacing, "leading");
    EXPECT_EQ(ddpm.betaSchedule, "linear");
    EXPECT_EQ(ddpm.predictionType, "epsilon");
    EXPECT_TRUE(ddpm.clipSample);
    DdimScheduler scheduler(ddpm);
    EXPECT_EQ(scheduler.timesteps(10), (std::vector<int64_t>{900, 800, 700, 600, 500, 400, 300, 200, 100, 0}));
    EXPECT_EQ(scheduler.alphaProd(-1).item<float>(), 1.0f);
}

// Stable Diffusion 1.5 and 2.1-base ship PNDMScheduler configs; diffusers' DDIMScheduler.from_config
// takes their betas and offset, and DDIM's defaults for what they lack (timestep_spacing "leading").
TEST(DdimSchedulerTest, PndmConfigsOfRealPipelinesRunAsDdim) {
    const auto configs = test::fixturesDir().parent_path() / "configs";
    for (const char* name : {"sd15", "sd21-base"}) {
        SCOPED_TRACE(name);
        const auto config = SchedulerConfig::load(configs / name / "scheduler" / "scheduler_config.json");
        EXPECT_EQ(config.className, "PNDMScheduler");
        EXPECT_EQ(config.betaSchedule, "scaled_linear");
        EXPECT_DOUBLE_EQ(config.betaStart, 0.00085);
        EXPECT_DOUBLE_EQ(config.betaEnd, 0.012);
        EXPECT_FALSE(config.setAlphaToOne);
        EXPECT_FALSE(config.clipSample);
        EXPECT_EQ(config.stepsOffset, 1);
        EXPECT_EQ(config.timestepSpacing, "leading");
        EXPECT_EQ(config.predictionType, "epsilon");
        DdimScheduler scheduler(config);
        // DDIMScheduler.from_config(pndm_config).set_timesteps(10).timesteps
        EXPECT_EQ(scheduler.timesteps(10), (std::vector<int64_t>{901, 801, 701, 601, 501, 401, 301, 201, 101, 1}));
        // scaled_linear betas: alphas_cumprod[999] of SD is 0.0047 (float32).
        EXPECT_NEAR(scheduler.alphaProd(999).item<double>(), 0.00466, 1e-4);
    }
}

TEST(DdimSchedulerTest, TrailingSpacingKeepsExactlyNSteps) {
    // numpy's float arange gives 62 entries for T=1000, n=61 (the last rounding to -1).
    DdimScheduler scheduler = makeScheduler({{"timestep_spacing", "trailing"}});
    for (int64_t n : {61, 103, 121, 7, 10, 1000, 1}) {
        const auto steps = scheduler.timesteps(n);
        ASSERT_EQ(static_cast<int64_t>(steps.size()), n) << n;
        EXPECT_EQ(steps.front(), 999);
        EXPECT_GE(steps.back(), 0);
        for (size_t i = 1; i < steps.size(); ++i) EXPECT_LT(steps[i], steps[i - 1]);
    }
    EXPECT_EQ(scheduler.timesteps(61)[60], 15);
}

TEST(DdimSchedulerTest, TimestepCountsOutsideRangeThrow) {
    DdimScheduler scheduler = makeScheduler(json::object());
    for (int64_t n : {0, -3, 1001}) {
        EXPECT_THROW(scheduler.timesteps(n), Error) << n;
        EXPECT_THROW(scheduler.inverseTimesteps(n), Error) << n;
        EXPECT_THROW(scheduler.stepRatio(n), Error) << n;
    }
    EXPECT_EQ(scheduler.timesteps(1000).size(), 1000u);
    EXPECT_EQ(scheduler.timesteps(1), (std::vector<int64_t>{0}));
    EXPECT_EQ(makeScheduler({{"timestep_spacing", "linspace"}}).timesteps(1), (std::vector<int64_t>{0}));
    // steps_offset would push the leading schedule past the last training timestep.
    expectErrorMentioning([] { makeScheduler({{"steps_offset", 1}}).timesteps(1000); }, {"steps_offset"});
}

TEST(DdimSchedulerTest, TrainedBetasOverrideTheSchedule) {
    std::vector<double> betas(10);
    for (size_t i = 0; i < betas.size(); ++i) betas[i] = 0.01 * static_cast<double>(i + 1);
    DdimScheduler scheduler = makeScheduler(
        {{"num_train_timesteps", 10}, {"beta_schedule", "squaredcos_cap_v2"}, {"trained_betas", betas}});
    ASSERT_EQ(scheduler.betas().numel(), 10);
    double cumprod = 1.0;
    for (int64_t i = 0; i < 10; ++i) {
        EXPECT_EQ(scheduler.betas()[i].item<float>(), static_cast<float>(betas[static_cast<size_t>(i)]));
        cumprod *= 1.0f - static_cast<float>(betas[static_cast<size_t>(i)]);
        EXPECT_NEAR(scheduler.alphasCumprod()[i].item<double>(), cumprod, 1e-6);
    }
    EXPECT_TRUE(torch::equal(scheduler.alphasCumprod(), torch::cumprod(1.0 - scheduler.betas(), 0)));
    // Round trip through toJson keeps the betas.
    const SchedulerConfig back = SchedulerConfig::fromJson(scheduler.config().toJson(), "round trip");
    EXPECT_EQ(back.trainedBetas, betas);
}

TEST(DdimSchedulerTest, RescaleZeroSnrEndsAtZeroAlpha) {
    DdimScheduler plain = makeScheduler({{"beta_schedule", "scaled_linear"}});
    DdimScheduler rescaled = makeScheduler({{"beta_schedule", "scaled_linear"}, {"rescale_betas_zero_snr", true}});
    EXPECT_EQ(rescaled.alphasCumprod()[999].item<float>(), 0.0f);
    EXPECT_NEAR(rescaled.alphasCumprod()[0].item<double>(), plain.alphasCumprod()[0].item<double>(), 1e-6);
    EXPECT_EQ(rescaled.betas().scalar_type(), torch::kFloat32);
}

// ---------------------------------------------------------------------------------------------
// Step arithmetic

struct Pair {
    torch::Tensor sample;
    torch::Tensor output;
};

Pair randomPair(torch::ScalarType dtype, uint64_t seed = 7) {
    torch::manual_seed(seed);
    auto options = torch::TensorOptions().dtype(dtype);
    return {torch::randn({2, 3, 4, 4}, options), torch::randn({2, 3, 4, 4}, options)};
}

TEST(DdimSchedulerTest, EpsilonStepMatchesHandComputation) {
    DdimScheduler scheduler = makeScheduler({{"clip_sample", false}});
    const Pair pair_x = randomPair(torch::kFloat64);
    const torch::Tensor x = pair_x.sample, eps = pair_x.output;
    for (auto [t, tPrev] : std::vector<std::pair<int64_t, int64_t>>{{500, 400}, {900, 800}, {100, 0}, {0, -100}}) {
        SCOPED_TRACE(std::to_string(t) + " -> " + std::to_string(tPrev));
        const double a = alphaAt(scheduler, t), ap = alphaAt(scheduler, tPrev);
        const double sa = f32(std::sqrt(a)), sb = f32(std::sqrt(f32(1 - a)));
        const double sap = f32(std::sqrt(ap)), sbp = f32(std::sqrt(f32(1 - ap)));
        const torch::Tensor x0 = (x - sb * eps) / sa;
        const torch::Tensor expected = sap * x0 + sbp * eps;

        const auto out = scheduler.step(eps, t, tPrev, x);
        EXPECT_EQ(out.prevSample.scalar_type(), torch::kFloat64);
        EXPECT_LE(test::relativeError(out.predOriginalSample, x0), 1e-7);
        EXPECT_LE(test::relativeError(out.prevSample, expected), 1e-7);
        // The coefficients are float32, as in diffusers: far closer than 1e-7 to the float32 hand version.
        EXPECT_LE(test::relativeError(out.prevSample, expected), 1e-13);
        EXPECT_TRUE(torch::allclose(scheduler.predictOriginal(eps, t, x), out.predOriginalSample, 0, 0));
    }
    // A float32 sample stays float32.
    const Pair pair_x32 = randomPair(torch::kFloat32);
    const torch::Tensor x32 = pair_x32.sample, eps32 = pair_x32.output;
    const auto out32 = scheduler.step(eps32, 500, 400, x32);
    EXPECT_EQ(out32.prevSample.scalar_type(), torch::kFloat32);
    EXPECT_LE(test::relativeError(out32.prevSample, scheduler.step(eps32.to(torch::kFloat64), 500, 400,
                                                                   x32.to(torch::kFloat64)).prevSample),
              1e-6);
}

TEST(DdimSchedulerTest, VPredictionAndSampleStepsMatchHandComputation) {
    const Pair pair_x = randomPair(torch::kFloat64, 11);
    const torch::Tensor x = pair_x.sample, out = pair_x.output;
    const int64_t t = 600, tPrev = 500;
    {
        DdimScheduler scheduler = makeScheduler({{"clip_sample", false}, {"prediction_type", "v_prediction"}});
        const double a = alphaAt(scheduler, t), ap = alphaAt(scheduler, tPrev);
        const double sa = f32(std::sqrt(a)), sb = f32(std::sqrt(f32(1 - a)));
        const double sap = f32(std::sqrt(ap)), sbp = f32(std::sqrt(f32(1 - ap)));
        const torch::Tensor x0 = sa * x - sb * out;
        const torch::Tensor eps = sa * out + sb * x;
        const auto result = scheduler.step(out, t, tPrev, x);
        EXPECT_LE(test::relativeError(result.predOriginalSample, x0), 1e-7);
        EXPECT_LE(test::relativeError(result.prevSample, sap * x0 + sbp * eps), 1e-7);
    }
    {
        DdimScheduler scheduler = makeScheduler({{"clip_sample", false}, {"prediction_type", "sample"}});
        const double a = alphaAt(scheduler, t), ap = alphaAt(scheduler, tPrev);
        const double sa = f32(std::sqrt(a)), sb = f32(std::sqrt(f32(1 - a)));
        const double sap = f32(std::sqrt(ap)), sbp = f32(std::sqrt(f32(1 - ap)));
        const torch::Tensor eps = (x - sa * out) / sb;
        const auto result = scheduler.step(out, t, tPrev, x);
        EXPECT_TRUE(torch::equal(result.predOriginalSample, out));
        EXPECT_LE(test::relativeError(result.prevSample, sap * out + sbp * eps), 1e-7);
    }
}

TEST(DdimSchedulerTest, ClippingLimitsThePredictedOriginal) {
    const Pair pair_x = randomPair(torch::kFloat64, 3);
    const torch::Tensor x = pair_x.sample, eps = pair_x.output;
    const torch::Tensor big = x * 10;
    DdimScheduler unclipped = makeScheduler({{"clip_sample", false}});
    EXPECT_GT(unclipped.predictOriginal(eps, 500, big).abs().max().item<double>(), 2.5);

    for (double range : {1.0, 2.5}) {
        SCOPED_TRACE(range);
        DdimScheduler scheduler = makeScheduler({{"clip_sample", true}, {"clip_sample_range", range}});
        const auto out = scheduler.step(eps, 500, 400, big);
        EXPECT_EQ(out.predOriginalSample.max().item<double>(), range);
        EXPECT_EQ(out.predOriginalSample.min().item<double>(), -range);
        const torch::Tensor x0 = unclipped.predictOriginal(eps, 500, big).clamp(-range, range);
        EXPECT_TRUE(torch::equal(out.predOriginalSample, x0));
        const double ap = alphaAt(scheduler, 400);
        // pred_epsilon stays the model's output (use_clipped_model_output = false).
        const torch::Tensor expected = f32(std::sqrt(ap)) * x0 + f32(std::sqrt(f32(1 - ap))) * eps;
        EXPECT_LE(test::relativeError(out.prevSample, expected), 1e-7);
        EXPECT_TRUE(torch::equal(scheduler.predictOriginal(eps, 500, big), x0));
    }
}

TEST(DdimSchedulerTest, EtaAddsScaledNoise) {
    DdimScheduler scheduler = makeScheduler({{"clip_sample", false}});
    const Pair pair_x = randomPair(torch::kFloat64, 5);
    const torch::Tensor x = pair_x.sample, eps = pair_x.output;
    const torch::Tensor noise = torch::randn_like(x);
    const double eta = 0.7;
    const int64_t t = 700, tPrev = 600;

    const double a = alphaAt(scheduler, t), ap = alphaAt(scheduler, tPrev);
    const double variance = f32(f32(f32(1 - ap) / f32(1 - a)) * f32(1 - f32(a / ap)));
    const double sigma = f32(eta * f32(std::sqrt(variance)));
    const torch::Tensor x0 = (x - f32(std::sqrt(f32(1 - a))) * eps) / f32(std::sqrt(a));
    const torch::Tensor noiseless = f32(std::sqrt(ap)) * x0 + f32(std::sqrt(f32(f32(1 - ap) - f32(sigma * sigma)))) * eps;

    const auto withNoise = scheduler.step(eps, t, tPrev, x, eta, noise);
    const auto zeroNoise = scheduler.step(eps, t, tPrev, x, eta, torch::zeros_like(x));
    EXPECT_LE(test::relativeError(zeroNoise.prevSample, noiseless), 1e-7);
    EXPECT_LE(test::relativeError(withNoise.prevSample, noiseless + sigma * noise), 1e-7);
    EXPECT_LE(test::relativeError(withNoise.prevSample - zeroNoise.prevSample, sigma * noise), 1e-7);
    EXPECT_GT(sigma, 0.01);
    // eta = 0 is the plain DDIM step and ignores the noise.
    const auto deterministic = scheduler.step(eps, t, tPrev, x, 0.0, noise);
    EXPECT_TRUE(torch::equal(deterministic.prevSample, scheduler.step(eps, t, tPrev, x).prevSample));
    EXPECT_FALSE(torch::allclose(deterministic.prevSample, withNoise.prevSample));

    expectErrorMentioning([&] { scheduler.step(eps, t, tPrev, x, eta); }, {"noise"});
    expectErrorMentioning([&] { scheduler.step(eps, t, tPrev, x, eta, torch::randn({2, 3, 4})); }, {"noise"});
    EXPECT_THROW(scheduler.step(eps, t, tPrev, x, -0.5, noise), Error);
}

TEST(DdimSchedulerTest, InverseThenForwardReturnsTheInput) {
    for (const std::string spacing : {"leading", "trailing"}) {
        for (bool alphaToOne : {true, false}) {
            for (int64_t n : {10, 7}) {
                SCOPED_TRACE(spacing + " set_alpha_to_one=" + std::to_string(alphaToOne) + " n=" + std::to_string(n));
                DdimScheduler scheduler = makeScheduler(
                    {{"clip_sample", false}, {"timestep_spacing", spacing}, {"set_alpha_to_one", alphaToOne}});
                const int64_t ratio = scheduler.stepRatio(n);
                const Pair pair_x = randomPair(torch::kFloat64, 13);
                const torch::Tensor x = pair_x.sample, eps = pair_x.output;

                torch::Tensor latent = x;
                for (int64_t tTo : scheduler.inverseTimesteps(n)) {
                    latent = scheduler.inverseStep(eps, tTo - ratio, tTo, latent).prevSample;
                }
                EXPECT_GT(test::relativeError(latent, x), 0.1);
                for (int64_t t : scheduler.timesteps(n)) latent = scheduler.step(eps, t, t - ratio, latent).prevSample;
                EXPECT_LE(test::relativeError(latent, x), 1e-6);
            }
        }
    }
}

TEST(DdimSchedulerTest, InverseStepMatchesHandComputation) {
    DdimScheduler scheduler = makeScheduler({{"set_alpha_to_one", false}, {"clip_sample", false}});
    const Pair pair_x = randomPair(torch::kFloat64, 17);
    const torch::Tensor x = pair_x.sample, eps = pair_x.output;
    // tFrom < 0 uses the initial alpha (alphas_cumprod[0] here); tFrom >= T is capped at T - 1.
    for (auto [tFrom, tTo, alphaFrom] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {-100, 0, 0}, {300, 400, 300}, {1200, 999, 999}}) {
        const double a = alphaAt(scheduler, alphaFrom), an = alphaAt(scheduler, tTo);
        const torch::Tensor x0 = (x - f32(std::sqrt(f32(1 - a))) * eps) / f32(std::sqrt(a));
        const torch::Tensor expected = f32(std::sqrt(an)) * x0 + f32(std::sqrt(f32(1 - an))) * eps;
        const auto out = scheduler.inverseStep(eps, tFrom, tTo, x);
        EXPECT_LE(test::relativeError(out.prevSample, expected), 1e-7) << tFrom << " -> " << tTo;
    }
    // With set_alpha_to_one and clipping on, the first inversion step is x0 = clip(x).
    DdimScheduler clipped = makeScheduler(json::object());
    const auto out = clipped.inverseStep(eps, -100, 0, x * 5);
    EXPECT_TRUE(torch::equal(out.predOriginalSample, (x * 5).clamp(-1, 1)));
}

TEST(DdimSchedulerTest, BadStepArgumentsThrow) {
    DdimScheduler scheduler = makeScheduler(json::object());
    const Pair pair_x = randomPair(torch::kFloat32);
    const torch::Tensor x = pair_x.sample, eps = pair_x.output;
    EXPECT_THROW(scheduler.step(eps, 1000, 900, x), Error);
    EXPECT_THROW(scheduler.step(eps, -1, -101, x), Error);
    EXPECT_THROW(scheduler.step(eps, 500, 1000, x), Error);
    EXPECT_THROW(scheduler.step(eps.slice(0, 0, 1), 500, 400, x), Error);
    EXPECT_THROW(scheduler.step(torch::Tensor(), 500, 400, x), Error);
    EXPECT_THROW(scheduler.step(eps.to(torch::kInt64), 500, 400, x), Error);
    EXPECT_THROW(scheduler.inverseStep(eps, 400, 1000, x), Error);
    EXPECT_THROW(scheduler.inverseStep(eps, 400, -1, x), Error);
    EXPECT_THROW(scheduler.predictOriginal(eps, 1000, x), Error);
    EXPECT_THROW(scheduler.alphaProd(1000), Error);
}

// ---------------------------------------------------------------------------------------------
// SchedulerConfig

TEST(SchedulerConfigTest, MissingKeysTakeDdimDefaultsAndExtraKeysAreIgnored) {
    const SchedulerConfig c = SchedulerConfig::fromJson(
        {{"variance_type", "fixed_small"}, {"dynamic_thresholding_ratio", 0.995}, {"sample_max_value", 1.0},
         {"_diffusers_version", "0.30.0"}, {"thresholding", false}, {"trained_betas", nullptr}},
        "defaults.json");
    const SchedulerConfig d;
    EXPECT_EQ(c.className, "DDIMScheduler");
    EXPECT_EQ(c.numTrainTimesteps, 1000);
    EXPECT_EQ(c.betaStart, 0.0001);
    EXPECT_EQ(c.betaEnd, 0.02);
    EXPECT_EQ(c.betaSchedule, "linear");
    EXPECT_TRUE(c.trainedBetas.empty());
    EXPECT_TRUE(c.clipSample);
    EXPECT_EQ(c.clipSampleRange, 1.0);
    EXPECT_TRUE(c.setAlphaToOne);
    EXPECT_EQ(c.stepsOffset, 0);
    EXPECT_EQ(c.timestepSpacing, "leading");
    EXPECT_EQ(c.predictionType, "epsilon");
    EXPECT_FALSE(c.rescaleBetasZeroSnr);
    EXPECT_EQ(c.toJson(), d.toJson());

    for (const std::string name : {"DDIMScheduler", "DDPMScheduler", "DDIMInverseScheduler"}) {
        EXPECT_EQ(SchedulerConfig::fromJson({{"_class_name", name}}, "x.json").className, name);
    }
}

TEST(SchedulerConfigTest, ToJsonRoundTripsInDiffusersKeys) {
    SchedulerConfig c;
    c.className = "DDPMScheduler";
    c.numTrainTimesteps = 500;
    c.betaStart = 0.00085;
    c.betaEnd = 0.012;
    c.betaSchedule = "scaled_linear";
    c.clipSample = false;
    c.clipSampleRange = 1.5;
    c.setAlphaToOne = false;
    c.stepsOffset = 1;
    c.timestepSpacing = "trailing";
    c.predictionType = "v_prediction";
    c.rescaleBetasZeroSnr = true;
    const json j = c.toJson();
    EXPECT_EQ(j.at("_class_name"), "DDPMScheduler");
    EXPECT_EQ(j.at("num_train_timesteps"), 500);
    EXPECT_EQ(j.at("beta_schedule"), "scaled_linear");
    EXPECT_TRUE(j.at("trained_betas").is_null());
    EXPECT_EQ(j.at("set_alpha_to_one"), false);
    EXPECT_EQ(j.at("timestep_spacing"), "trailing");
    EXPECT_EQ(j.at("prediction_type"), "v_prediction");
    EXPECT_EQ(j.at("rescale_betas_zero_snr"), true);
    EXPECT_EQ(j.at("clip_sample_range"), 1.5);
    EXPECT_EQ(j.at("steps_offset"), 1);
    EXPECT_EQ(SchedulerConfig::fromJson(j, "round trip").toJson(), j);
}

TEST(SchedulerConfigTest, BadConfigsThrowNamingKeyAndSource) {
    const std::string src = "my/scheduler_config.json";
    auto parse = [&](json j) { return [j, src] { SchedulerConfig::fromJson(j, src); }; };

    expectErrorMentioning(parse({{"thresholding", true}}), {src, "thresholding", "dynamic thresholding", "not supported"});
    expectErrorMentioning(parse({{"beta_schedule", "cosine"}}), {src, "beta_schedule", "cosine"});
    expectErrorMentioning(parse({{"timestep_spacing", "uniform"}}), {src, "timestep_spacing", "uniform"});
    expectErrorMentioning(parse({{"prediction_type", "flow"}}), {src, "prediction_type", "flow"});
    // Schedulers without a beta schedule are another model family.
    expectErrorMentioning(parse({{"_class_name", "FlowMatchEulerDiscreteScheduler"}}),
                          {src, "_class_name", "FlowMatchEulerDiscreteScheduler", "beta schedule"});
    expectErrorMentioning(parse({{"_class_name", "ScoreSdeVeScheduler"}}), {src, "_class_name", "ScoreSdeVeScheduler"});
    expectErrorMentioning(parse({{"_class_name", "UNet2DModel"}}), {src, "_class_name", "UNet2DModel"});

    // Wrong JSON types.
    expectErrorMentioning(parse({{"clip_sample", "yes"}}), {src, "clip_sample"});
    expectErrorMentioning(parse({{"num_train_timesteps", 1000.5}}), {src, "num_train_timesteps"});
    expectErrorMentioning(parse({{"num_train_timesteps", "1000"}}), {src, "num_train_timesteps"});
    expectErrorMentioning(parse({{"beta_start", "0.0001"}}), {src, "beta_start"});
    expectErrorMentioning(parse({{"beta_schedule", 3}}), {src, "beta_schedule"});
    expectErrorMentioning(parse({{"set_alpha_to_one", 1}}), {src, "set_alpha_to_one"});
    expectErrorMentioning(parse({{"steps_offset", 0.5}}), {src, "steps_offset"});
    expectErrorMentioning(parse({{"thresholding", "false"}}), {src, "thresholding"});
    expectErrorMentioning(parse({{"trained_betas", "none"}}), {src, "trained_betas"});
    expectErrorMentioning(parse({{"trained_betas", {0.1, "x"}}}), {src, "trained_betas"});
    expectErrorMentioning(parse({{"_class_name", 5}}), {src, "_class_name"});
    expectErrorMentioning(parse({{"rescale_betas_zero_snr", nullptr}}), {src, "rescale_betas_zero_snr"});
    expectErrorMentioning(parse(json::array({1, 2})), {src});

    // Values out of range.
    expectErrorMentioning(parse({{"trained_betas", std::vector<double>(999, 0.01)}}), {src, "trained_betas", "999"});
    expectErrorMentioning(parse({{"num_train_timesteps", 10}, {"trained_betas", std::vector<double>(11, 0.01)}}),
                          {src, "trained_betas"});
    expectErrorMentioning(parse({{"num_train_timesteps", 0}}), {src, "num_train_timesteps"});
    expectErrorMentioning(parse({{"clip_sample_range", -1.0}}), {src, "clip_sample_range"});
    expectErrorMentioning(parse({{"steps_offset", -1}}), {src, "steps_offset"});

    // A C++-built config is validated by the scheduler too.
    SchedulerConfig bad;
    bad.betaSchedule = "sigmoid";
    expectErrorMentioning([&] { DdimScheduler{bad}; }, {"beta_schedule", "sigmoid"});
    SchedulerConfig badBetas;
    badBetas.trainedBetas = {0.1, 0.2};
    expectErrorMentioning([&] { DdimScheduler{badBetas}; }, {"trained_betas"});
}

TEST(SchedulerConfigTest, LoadFailuresNameTheFile) {
    test::TempDir dir("latentlens-scheduler");
    const auto missing = dir / "nowhere" / "scheduler_config.json";
    expectErrorMentioning([&] { SchedulerConfig::load(missing); }, {missing.string()});

    const auto broken = dir / "broken.json";
    std::ofstream(broken) << "{\"beta_schedule\": \"linear\",";
    expectErrorMentioning([&] { SchedulerConfig::load(broken); }, {broken.string(), "JSON"});

    const auto wrong = dir / "wrong.json";
    std::ofstream(wrong) << R"({"beta_schedule": "exp"})";
    expectErrorMentioning([&] { SchedulerConfig::load(wrong); }, {wrong.string(), "beta_schedule", "exp"});

    const auto good = dir / "good.json";
    std::ofstream(good) << R"({"_class_name": "DDIMInverseScheduler", "timestep_spacing": "trailing"})";
    const SchedulerConfig c = SchedulerConfig::load(good);
    EXPECT_EQ(c.className, "DDIMInverseScheduler");
    EXPECT_EQ(c.timestepSpacing, "trailing");
}

}  // namespace
}  // namespace latentlens
