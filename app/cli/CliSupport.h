#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "core/Progress.h"
#include "core/edit/GuidanceEdit.h"
#include "core/geometry/PullbackBasis.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"

namespace latentlens::cli {

// Options every command takes: which model, in what precision, on which device, how chatty.
struct CommonOptions {
    std::string model;  // empty: the embedded default model
    std::string dtype = "float32";
    std::string device = "auto";
    int threads = 0;
    bool verbose = false;
    bool quiet = false;

    void addTo(CLI::App& command);
    // Applies logging/threads and loads the model (logs what it loaded).
    std::shared_ptr<DiffusionPipeline> loadModel() const;
};

// Options of the commands that run a DDIM trajectory (sample, invert, denoise): --steps,
// --clip-sample and --latents.
struct TrajectoryOptions {
    int64_t steps = 50;
    std::string clip = "config";  // config | on | off
    std::string latents;          // empty: do not write the trajectory

    void addTo(CLI::App& command);
    DdimSampler sampler(const DiffusionPipeline& model) const;
    bool keepTrajectory() const { return !latents.empty(); }
    // Writes run.trajectory to --latents when it was asked for.
    void writeTrajectoryIfAsked(const DdimRun& run) const;
};

// Sets spdlog up for the CLI (messages to stderr, debug level with --verbose) and the terminal
// progress line (drawn when stderr is a terminal, unless --quiet or --verbose).
void configureLogging(bool verbose, bool quiet = false);

// Reads an (N, C, S, S) or (C, S, S) .npy and checks it fits `model`; returns (N, C, S, S) in the
// model's dtype and device. Errors name the file and the expected shape.
torch::Tensor readLatents(const std::filesystem::path& path, const DiffusionPipeline& model);
// An image (PNG/JPEG/...) fitted to the model, or a .npy of clean images in [-1, 1].
torch::Tensor readImageOrLatents(const std::filesystem::path& path, const DiffusionPipeline& model);
// Writes (N, C, S, S): .npy as is (float32 or float64 as computed), an image format as one
// picture (N = 1) or a grid; `upscale` enlarges images with nearest-neighbour.
void writeSamples(const std::filesystem::path& path, const torch::Tensor& samples, int upscale);
// A .npy of the trajectory (steps + 1, N, C, S, S), or of (steps + 1, C, S, S) when N = 1.
void writeTrajectory(const std::filesystem::path& path, const torch::Tensor& trajectory);

// Progress of one long computation of a command: the in-place line on a terminal (see
// TerminalProgress), a debug log line per step with --verbose, and Ctrl+C to cancel.
Progress loggingProgress();

// Registers each command's options and callback on the app.
void addInfoCommand(CLI::App& app);
void addSampleCommand(CLI::App& app);
void addInvertCommand(CLI::App& app);
void addDenoiseCommand(CLI::App& app);
void addEvalCommand(CLI::App& app);
void addBasisCommand(CLI::App& app);
void addEditCommand(CLI::App& app);
void addTraverseCommand(CLI::App& app);
void addTransportCommand(CLI::App& app);
void addAnalyzeCommand(CLI::App& app);

// The latent an edit produces from basis.xt: linear shift or one guidance pass per direction.
torch::Tensor editLatent(DiffusionPipeline& model, const PullbackBasis& basis, const std::vector<int64_t>& directions,
                         const std::vector<double>& alphas, const std::string& mode, const GuidanceOptions& guidance);

}  // namespace latentlens::cli
