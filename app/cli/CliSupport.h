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
    std::string variant;  // e.g. fp16: *.fp16.safetensors
    int threads = 0;
    bool verbose = false;
    bool quiet = false;

    void addTo(CLI::App& command);
    // Applies logging/threads and loads the model (logs what it loaded).
    std::shared_ptr<DiffusionPipeline> loadModel() const;
};

// The prompt of text-conditioned models: --prompt, --negative-prompt and (withGuidance)
// --guidance, 7.5 by default on a model with a text encoder, 1 (no guidance) otherwise. A
// prompt or guidance for an unconditional model is an error naming the model.
struct PromptOptions {
    std::string prompt;
    std::string negativePrompt;
    std::optional<double> guidance;

    void addTo(CLI::App& command, bool withGuidance = true);
    Conditioning conditioning(const DiffusionPipeline& model) const;
};

// The prompts of the commands that edit with a basis (edit, traverse) on text-conditioned models:
// --prompt, --negative-prompt and --guidance for the DDIM denoise of the edited x_t (as sample
// takes them), and --edit-prompt for the guidance edit's ε calls (default: --prompt), which must
// be the prompt the basis was found under (its conditioning id).
struct EditPromptOptions : PromptOptions {
    std::optional<std::string> editPrompt;

    void addTo(CLI::App& command);
    // With none of --prompt, --negative-prompt, --guidance and --edit-prompt given, the prompts the
    // basis recorded (basis.json "prompts"): the same picture without retyping them. Says so.
    void defaultsFrom(const PullbackBasis& basis, const std::string& basisDir);
    // The conditioning of the guidance ε calls: Error when the basis (read from basisDir) was found
    // under another prompt, naming the folder; Conditioning::none() for unconditional models.
    Conditioning editConditioning(const DiffusionPipeline& model, const PullbackBasis& basis,
                                  const std::string& basisDir) const;
    // The paper's defaults for latent-space guidance unless given (gamma, iterations: set by the
    // user), on text-conditioned models: γ = 1 and 16 iterations, or γ = 0.5 and 64 with an edit
    // prompt; pixel models keep the γ schedule in t and 16.
    void applyGuidanceDefaults(const DiffusionPipeline& model, GuidanceOptions& guidance, bool gammaGiven,
                               bool iterationsGiven) const;
};

// Options of the commands that run a DDIM trajectory (sample, invert, denoise): --steps,
// --clip-sample and --latents.
struct TrajectoryOptions {
    int64_t steps = 50;
    std::string clip = "config";  // config | on | off
    std::string latents;          // empty: do not write the trajectory

    void addTo(CLI::App& command);
    // The sampler of `model` under `conditioning`, for latents of latentShape (C, H, W; empty:
    // the model's own).
    DdimSampler sampler(const DiffusionPipeline& model, const Conditioning& conditioning = {},
                        std::vector<int64_t> latentShape = {}) const;
    bool keepTrajectory() const { return !latents.empty(); }
    // Writes run.trajectory to --latents when it was asked for.
    void writeTrajectoryIfAsked(const DdimRun& run) const;
};

// Sets spdlog up for the CLI (messages to stderr, debug level with --verbose) and the terminal
// progress line (drawn when stderr is a terminal, unless --quiet or --verbose).
void configureLogging(bool verbose, bool quiet = false);

// Reads an (N, C, H, W) or (C, H, W) .npy and checks it fits `model` (its latent shape, or for a
// denoiser with a sizeMultiple() any multiple of it); returns (N, C, H, W) in the model's dtype
// and device. Errors name the file and the expected shape.
torch::Tensor readLatents(const std::filesystem::path& path, const DiffusionPipeline& model);
// The clean latent x_0 of an image (PNG/JPEG/..., fitted to the model's image size with a
// message, then encoded by its codec), or a .npy of clean latents (for pixel models: images in
// [-1, 1]).
torch::Tensor readImageOrLatents(const std::filesystem::path& path, const DiffusionPipeline& model);
// Writes (N, C, H, W): .npy as is (float32 or float64 as computed), an image format as one
// picture (N = 1) or a grid; `upscale` enlarges images with nearest-neighbour.
void writeSamples(const std::filesystem::path& path, const torch::Tensor& samples, int upscale);
// The images of latents (the codec's decode; pixel models: the latents themselves).
torch::Tensor decodeLatents(const DiffusionPipeline& model, const torch::Tensor& latents);
// (C, h, w) of the latents of `size` × `size` images; Error unless the model can make that size.
std::vector<int64_t> latentShapeForSize(const DiffusionPipeline& model, int64_t size);
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
void addTokenizeCommand(CLI::App& app);
void addEncodePromptCommand(CLI::App& app);
void addBasisCommand(CLI::App& app);
void addEditCommand(CLI::App& app);
void addTraverseCommand(CLI::App& app);
void addTransportCommand(CLI::App& app);
void addAnalyzeCommand(CLI::App& app);
void addBatchCommand(CLI::App& app);

// While one of these lives (the batch command), the model a command loaded stays in memory after
// the command ends, so that the next command asking for the same folder and options gets it
// without loading it again. The last model used is kept; asking for another one releases it.
class ModelsKeptLoaded {
public:
    ModelsKeptLoaded();
    ~ModelsKeptLoaded();
    ModelsKeptLoaded(const ModelsKeptLoaded&) = delete;
    ModelsKeptLoaded& operator=(const ModelsKeptLoaded&) = delete;
};

// The latent an edit produces from basis.xt: linear shift or one guidance pass per direction.
torch::Tensor editLatent(DiffusionPipeline& model, const PullbackBasis& basis, const std::vector<int64_t>& directions,
                         const std::vector<double>& alphas, const std::string& mode, const GuidanceOptions& guidance);

}  // namespace latentlens::cli
