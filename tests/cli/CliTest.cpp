// latentlens-cli end to end on the embedded default model: commands, files they write, and the
// one-line errors (non-zero exit, no crash) for bad input.
#include <cmath>
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/pipeline/DiffusionPipeline.h"
#include "io/FrameExport.h"
#include "io/ImageFile.h"
#include "io/NpyFile.h"
#include "cli/CliRunner.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

using test::CommandResult;
using test::expectCleanError;
using test::runCli;

double psnr(const torch::Tensor& a, const torch::Tensor& b) {
    // Images in [-1, 1]: peak-to-peak 2.
    const double mse = (a.to(torch::kFloat64) - b.to(torch::kFloat64)).pow(2).mean().item<double>();
    return 10.0 * std::log10(4.0 / mse);
}

fs::path copyDefaultModel(const test::TempDir& dir) {
    const auto target = dir / "model";
    fs::copy(test::defaultModelDir(), target, fs::copy_options::recursive);
    return target;
}

TEST(Cli, InfoDescribesTheDefaultModel) {
    auto result = runCli("info");
    EXPECT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("1112801 parameters"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("64 x 8 x 8"), std::string::npos) << result.output;
    EXPECT_NE(result.output.find("DDPMScheduler"), std::string::npos) << result.output;
}

TEST(Cli, EveryCommandHasHelp) {
    for (const char* command : {"info", "sample", "invert", "denoise", "eval", "tokenize", "encode-prompt"}) {
        auto result = runCli(std::string(command) + " --help");
        EXPECT_EQ(result.exitCode, 0) << command;
        EXPECT_NE(result.output.find("--dtype"), std::string::npos) << command << ": " << result.output;
        EXPECT_NE(result.output.find("--verbose"), std::string::npos) << command;
    }
}

// sample → invert → denoise at 50 steps reconstructs the sample. With clipping of x̂0 off for
// inversion and denoising (clip_sample makes DDIM inversion lossy: 15.2 dB with the config's
// clipping), measured on seed 0 in float32: 28.28 dB from t = 980 (x_T) and 33.32 dB from
// t = 600 (100 steps: 35.05 and 39.08 dB). The tests ask for 28 and 33 dB.
TEST(Cli, SampleInvertDenoiseRoundTripReconstructs) {
    test::TempDir dir;
    auto sample = runCli("sample --seed 0 --steps 50 --out " + (dir / "x0.npy").string() + " --latents " +
                         (dir / "traj.npy").string());
    ASSERT_EQ(sample.exitCode, 0) << sample.output;
    auto x0 = readNpy(dir / "x0.npy");
    EXPECT_EQ(x0.sizes().vec(), (std::vector<int64_t>{1, 1, 32, 32}));
    auto trajectory = readNpy(dir / "traj.npy");
    EXPECT_EQ(trajectory.sizes().vec(), (std::vector<int64_t>{51, 1, 32, 32}));
    EXPECT_TRUE(torch::equal(trajectory[50], x0[0]));

    auto invert = runCli("invert --clip-sample off --image " + (dir / "x0.npy").string() + " --steps 50 --out " +
                         (dir / "xt.npy").string() + " --latents " + (dir / "inv.npy").string());
    ASSERT_EQ(invert.exitCode, 0) << invert.output;
    EXPECT_EQ(readNpy(dir / "inv.npy").size(0), 51);
    auto denoise = runCli("denoise --clip-sample off --in " + (dir / "xt.npy").string() + " --steps 50 --out " +
                          (dir / "x0r.npy").string());
    ASSERT_EQ(denoise.exitCode, 0) << denoise.output;
    const double db = psnr(readNpy(dir / "x0r.npy"), x0);
    RecordProperty("round_trip_psnr_db", std::to_string(db));
    EXPECT_GE(db, 28.0);

    // The same sample as a PNG is the image of the .npy, quantised to 8 bits.
    ASSERT_EQ(runCli("sample --seed 0 --steps 50 --out " + (dir / "x0.png").string()).exitCode, 0);
    auto png = readImage(dir / "x0.png", 1, 32);
    EXPECT_LE((png.pixels - x0[0].clamp(-1, 1)).abs().max().item<double>(), 1.0 / 127.5 + 1e-6);
}

TEST(Cli, PartialInversionAndDenoisingFromAChosenTimestep) {
    test::TempDir dir;
    ASSERT_EQ(runCli("sample --seed 0 --steps 50 --out " + (dir / "x0.npy").string()).exitCode, 0);
    auto invert = runCli("invert --clip-sample off --in " + (dir / "x0.npy").string() + " --t 600 --steps 50 --out " +
                         (dir / "x600.npy").string() + " --latents " + (dir / "inv.npy").string());
    ASSERT_EQ(invert.exitCode, 0) << invert.output;
    EXPECT_EQ(readNpy(dir / "inv.npy").size(0), 32);  // x0 plus 31 steps (0, 20, ..., 600)
    auto denoise = runCli("denoise --clip-sample off --in " + (dir / "x600.npy").string() + " --t 600 --steps 50 --out " +
                          (dir / "back.npy").string() + " --latents " + (dir / "den.npy").string());
    ASSERT_EQ(denoise.exitCode, 0) << denoise.output;
    EXPECT_EQ(readNpy(dir / "den.npy").size(0), 32);
    EXPECT_GE(psnr(readNpy(dir / "back.npy"), readNpy(dir / "x0.npy")), 33.0);
}

TEST(Cli, EvalWritesEpsilonAndFeaturesOfABatch) {
    test::TempDir dir;
    auto x = torch::randn({3, 1, 32, 32}, torch::kFloat64);
    writeNpy(dir / "x.npy", x);
    auto result = runCli("eval --in " + (dir / "x.npy").string() + " --t 500 --dtype float64 --eps " +
                         (dir / "eps.npy").string() + " --features " + (dir / "h.npy").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    auto model = DiffusionPipeline::load(test::defaultModelDir(), ModelOptions{torch::kFloat64, c10::Device(c10::kCPU)});
    torch::NoGradGuard noGrad;
    auto expected = model->denoiser().predictWithFeatures(x, torch::tensor(int64_t(500)), BlockId::mid());
    EXPECT_TRUE(torch::equal(readNpy(dir / "eps.npy"), expected.prediction));
    EXPECT_TRUE(torch::equal(readNpy(dir / "h.npy"), expected.features));

    // A single (C, S, S) input and another block.
    writeNpy(dir / "one.npy", x[0].to(torch::kFloat32));
    result = runCli("eval --in " + (dir / "one.npy").string() + " --t 10 --block up.1 --features " +
                    (dir / "u.npy").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_EQ(readNpy(dir / "u.npy").sizes().vec(), (std::vector<int64_t>{1, 64, 32, 32}));
}

TEST(CliErrors, MissingModelFolder) {
    expectCleanError(runCli("info /nonexistent/model"), "/nonexistent/model: no such model folder");
}

TEST(CliErrors, FolderThatIsNotAModel) {
    test::TempDir dir;
    expectCleanError(runCli("info " + dir.path().string()), "not a diffusers model folder");
}

TEST(CliErrors, PickleCheckpointAsksForSafetensors) {
    test::TempDir dir;
    auto model = copyDefaultModel(dir);
    fs::rename(model / "diffusion_pytorch_model.safetensors", model / "diffusion_pytorch_model.bin");
    expectCleanError(runCli("info " + model.string()), "safetensors");
}

TEST(CliErrors, TruncatedCheckpoint) {
    test::TempDir dir;
    auto model = copyDefaultModel(dir);
    fs::resize_file(model / "diffusion_pytorch_model.safetensors", 100000);
    expectCleanError(runCli("info " + model.string()), "diffusion_pytorch_model.safetensors");
}

TEST(CliErrors, CheckpointFromAnotherArchitecture) {
    test::TempDir dir;
    auto model = copyDefaultModel(dir);
    fs::copy_file(test::fixtureDir("ddpm-rgb16") / "diffusion_pytorch_model.safetensors",
                  model / "diffusion_pytorch_model.safetensors", fs::copy_options::overwrite_existing);
    expectCleanError(runCli("info " + model.string()), "checkpoint does not match config.json");
}

TEST(CliErrors, UnsupportedConfigOptionIsNamed) {
    test::TempDir dir;
    auto model = copyDefaultModel(dir);
    auto config = nlohmann::json::parse(std::ifstream(model / "config.json"));
    config["num_class_embeds"] = 10;
    std::ofstream(model / "config.json") << config.dump(2);
    expectCleanError(runCli("info " + model.string()), "num_class_embeds");
    config.erase("num_class_embeds");
    config["down_block_types"][0] = "CrossAttnDownBlock2D";
    std::ofstream(model / "config.json") << config.dump(2);
    expectCleanError(runCli("info " + model.string()), "CrossAttnDownBlock2D");
}

TEST(CliErrors, ThresholdingSchedulerIsRejected) {
    test::TempDir dir;
    auto model = copyDefaultModel(dir);
    auto config = nlohmann::json::parse(std::ifstream(model / "scheduler_config.json"));
    config["thresholding"] = true;
    std::ofstream(model / "scheduler_config.json") << config.dump(2);
    expectCleanError(runCli("info " + model.string()), "thresholding");
}

TEST(CliErrors, LatentsOfTheWrongShape) {
    test::TempDir dir;
    writeNpy(dir / "bad.npy", torch::zeros({1, 3, 32, 32}));
    expectCleanError(runCli("denoise --in " + (dir / "bad.npy").string() + " --out " + (dir / "o.png").string()),
                     "needs (N, 1, 32, 32)");
}

TEST(CliErrors, UnreadableImage) {
    test::TempDir dir;
    std::ofstream(dir / "broken.png") << "this is not a png";
    expectCleanError(runCli("invert --image " + (dir / "broken.png").string() + " --out " + (dir / "x.npy").string()),
                     "broken.png");
}

TEST(CliErrors, TimestepOutOfRangeAndUnknownBlock) {
    test::TempDir dir;
    writeNpy(dir / "x.npy", torch::zeros({1, 1, 32, 32}));
    expectCleanError(runCli("denoise --in " + (dir / "x.npy").string() + " --t 1000 --out " + (dir / "o.png").string()),
                     "timestep 1000");
    expectCleanError(runCli("eval --in " + (dir / "x.npy").string() + " --t 5 --block side.2 --eps " +
                            (dir / "e.npy").string()),
                     "unknown block");
    expectCleanError(runCli("eval --in " + (dir / "x.npy").string() + " --t 5 --block down.7 --eps " +
                            (dir / "e.npy").string()),
                     "block down.7 does not exist");
}

TEST(CliErrors, UnwritableOutput) {
    test::TempDir dir;
    expectCleanError(runCli("sample --steps 2 --out " + (dir / "missing" / "x.png").string()), "x.png");
}

}  // namespace
}  // namespace latentlens

namespace latentlens {
namespace {

TEST(CliBasis, WritesTheBasisFilesAndTheDirectionSheet) {
    test::TempDir dir;
    auto result = runCli("basis --seed 0 --t 600 --k 4 --out " + (dir / "b").string());
    ASSERT_EQ(result.exitCode, 0) << result.output;
    EXPECT_NE(result.output.find("krylov basis, k=4 at t=600"), std::string::npos) << result.output;
    for (const char* file : {"sigma.npy", "v.npy", "u.npy", "xt.npy", "basis.json", "directions.png"}) {
        EXPECT_TRUE(fs::exists(dir / "b" / file)) << file;
    }
    EXPECT_EQ(readNpy(dir / "b" / "v.npy").sizes().vec(), (std::vector<int64_t>{4, 1, 32, 32}));
    EXPECT_EQ(readNpy(dir / "b" / "u.npy").sizes().vec(), (std::vector<int64_t>{4, 4096}));
    // x_t is on seed 0's generation trajectory: denoising it gives seed 0's sample.
    ASSERT_EQ(runCli("denoise --in " + (dir / "b" / "xt.npy").string() + " --t 600 --out " + (dir / "x0.npy").string()).exitCode, 0);
    ASSERT_EQ(runCli("sample --seed 0 --out " + (dir / "s.npy").string()).exitCode, 0);
    EXPECT_LE((readNpy(dir / "x0.npy") - readNpy(dir / "s.npy")).abs().max().item<float>(), 1e-4);
}

// --warm-start: the basis at t = 600 from the same sample's basis at t = 650 is the cold one
// (subspace similarity (1/k)Σcos² ≥ 0.999 at the default tolerance 1e-3).
TEST(CliBasis, WarmStartFromANearbyBasisGivesTheSameDirections) {
    test::TempDir dir;
    ASSERT_EQ(runCli("basis --seed 0 --t 650 --k 6 --out " + (dir / "near").string()).exitCode, 0);
    ASSERT_EQ(runCli("basis --seed 0 --t 600 --k 6 --out " + (dir / "cold").string()).exitCode, 0);
    auto warm = runCli("basis --seed 0 --t 600 --k 6 --warm-start " + (dir / "near").string() + " --out " +
                       (dir / "warm").string());
    ASSERT_EQ(warm.exitCode, 0) << warm.output;
    const auto a = readNpy(dir / "warm" / "v.npy").reshape({6, -1}).to(torch::kFloat64);
    const auto b = readNpy(dir / "cold" / "v.npy").reshape({6, -1}).to(torch::kFloat64);
    // Both sets are orthonormal: the singular values of AᵀB are the principal cosines.
    const auto cosines = torch::linalg_svdvals(a.matmul(b.t()));
    EXPECT_GE(cosines.pow(2).mean().item<double>(), 0.999);
    // A basis of another model is refused.
    ASSERT_EQ(runCli("basis --model " + test::fixtureDir("ddpm-rgb16").string() + " --seed 0 --t 600 --k 6 --out " +
                     (dir / "rgb").string())
                  .exitCode,
              0);
    expectCleanError(runCli("basis --seed 0 --t 600 --k 6 --warm-start " + (dir / "rgb").string() + " --out " +
                            (dir / "x").string()),
                     "another model");
}

TEST(CliBasis, NeedsASourceAndValidOptions) {
    test::TempDir dir;
    expectCleanError(runCli("basis --t 600 --out " + (dir / "b").string()), "--seed");
    expectCleanError(runCli("basis --seed 0 --t 600 --k 5000 --out " + (dir / "b").string()), "k = 5000");
}

}  // namespace
}  // namespace latentlens

namespace latentlens {
namespace {

TEST(CliEdit, EditTraverseAndTransportWriteWhatTheySay) {
    test::TempDir dir;
    ASSERT_EQ(runCli("basis --seed 0 --t 500 --k 3 --steps 20 --out " + (dir / "b").string()).exitCode, 0);
    // α = 0 gives back the unedited sample of the same trajectory.
    ASSERT_EQ(runCli("edit --basis " + (dir / "b").string() + " --dir 0 --alpha 0 --steps 20 --out " +
                     (dir / "zero.npy").string()).exitCode, 0);
    ASSERT_EQ(runCli("sample --seed 0 --steps 20 --out " + (dir / "s.npy").string()).exitCode, 0);
    EXPECT_LE((readNpy(dir / "zero.npy") - readNpy(dir / "s.npy")).abs().max().item<float>(), 1e-5);
    auto edit = runCli("edit --basis " + (dir / "b").string() + " --dir 0,1 --alpha 2,-1 --steps 20 --out " +
                       (dir / "e.npy").string() + " --preview " + (dir / "p.png").string());
    ASSERT_EQ(edit.exitCode, 0) << edit.output;
    EXPECT_GT((readNpy(dir / "e.npy") - readNpy(dir / "s.npy")).abs().max().item<float>(), 0.1);
    EXPECT_TRUE(fs::exists(dir / "p.png"));

    auto gif = runCli("traverse --basis " + (dir / "b").string() + " --dir 1 --frames 5 --steps 10 --upscale 2 --out " +
                      (dir / "t.gif").string());
    ASSERT_EQ(gif.exitCode, 0) << gif.output;
    int width = 0, height = 0;
    EXPECT_EQ(readGifFrameCount(dir / "t.gif", &width, &height), 5);
    EXPECT_EQ(width, 64);
    EXPECT_EQ(height, 64);
    EXPECT_EQ(fs::status(dir / "t.gif").permissions() & fs::perms::others_read, fs::perms::others_read);
    ASSERT_EQ(runCli("traverse --basis " + (dir / "b").string() + " --dir 0,2 --frames 3 --steps 10 --out " +
                     (dir / "grid.png").string()).exitCode, 0);
    EXPECT_TRUE(fs::exists(dir / "grid.png"));

    auto transport = runCli("transport --from " + (dir / "b").string() + " --to-seed 4 --dir 0 --steps 20 --out " +
                            (dir / "tr").string());
    ASSERT_EQ(transport.exitCode, 0) << transport.output;
    auto report = nlohmann::json::parse(std::ifstream(dir / "tr" / "transport.json"));
    EXPECT_GE(report["nearest_cosine"].get<double>(), 0.0);
    EXPECT_LE(report["nearest_cosine"].get<double>(), 1.0 + 1e-9);
    EXPECT_NEAR(readNpy(dir / "tr" / "direction.npy").norm().item<double>(), 1.0, 1e-9);

    expectCleanError(runCli("edit --basis " + (dir / "b").string() + " --dir 7 --alpha 1 --out " + (dir / "x.png").string()),
                     "direction 7 does not exist");
    expectCleanError(runCli("traverse --basis " + (dir / "b").string() + " --range 3 --out " + (dir / "x.png").string()),
                     "--range");
    expectCleanError(runCli("edit --model " + test::fixtureDir("ddpm-rgb16").string() + " --basis " + (dir / "b").string() +
                            " --dir 0 --alpha 1 --out " + (dir / "x.png").string()),
                     "another shape");
}

}  // namespace
}  // namespace latentlens
