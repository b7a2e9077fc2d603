#include "app/cli/CliSupport.h"

#include <unistd.h>

#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "app/cli/TerminalProgress.h"
#include "core/Error.h"
#include "core/Runtime.h"
#include "core/pipeline/ModelCache.h"
#include "io/ImageFile.h"
#include "io/NpyFile.h"

namespace latentlens::cli {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

// What ModelsKeptLoaded keeps (commands run one after another on the main thread).
bool keepingModels = false;
std::shared_ptr<DiffusionPipeline> keptModel;

bool isNpy(const fs::path& path) { return lower(path.extension().string()) == ".npy"; }

std::string shapeText(c10::IntArrayRef shape) {
    std::string text = "(";
    for (size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
    return text + ")";
}

// stderr with colours, clearing the terminal progress line before each message so that the two
// never share a line.
class ProgressAwareSink : public spdlog::sinks::ansicolor_stderr_sink_mt {
public:
    void log(const spdlog::details::log_msg& message) override {
        TerminalProgress::instance().clearLine();
        spdlog::sinks::ansicolor_stderr_sink_mt::log(message);
    }
};

}  // namespace

void CommonOptions::addTo(CLI::App& command) {
    command.add_option("--model", model, "diffusers model folder (default: the embedded fmnist32 model)");
    command.add_option("--dtype", dtype, "precision: float32, float64; float16 or bfloat16 on CUDA")
        ->check(CLI::IsMember({"float32", "float64", "float16", "bfloat16"}));
    command.add_option("--variant", variant, "weight files of a variant, e.g. fp16 (*.fp16.safetensors)");
    command.add_option("--device", device, "auto, cpu, cuda or cuda:N")->capture_default_str();
    command.add_option("--threads", threads, "intra-op threads (0: one per core)")->check(CLI::NonNegativeNumber);
    command.add_flag("-v,--verbose", verbose, "log every step");
    command.add_flag("-q,--quiet", quiet, "no progress line on a terminal");
}

std::shared_ptr<DiffusionPipeline> CommonOptions::loadModel() const {
    configureLogging(verbose, quiet);
    configureThreads(threads);
    const fs::path folder = model.empty() ? ModelFolder::defaultModelPath() : fs::path(model);
    ModelOptions options;
    options.dtype = parseDtype(dtype);
    options.device = resolveDevice(device);
    options.variant = variant;
    auto loaded = ModelCache::shared().get(folder, options);
    if (keepingModels) keptModel = loaded;
    spdlog::debug("model {} ({} parameters, {})", loaded->name(), loaded->parameterCount(), dtype);
    return loaded;
}

ModelsKeptLoaded::ModelsKeptLoaded() { keepingModels = true; }

ModelsKeptLoaded::~ModelsKeptLoaded() {
    keepingModels = false;
    keptModel.reset();
}

void configureLogging(bool verbose, bool quiet) {
    static bool configured = false;
    if (!configured) {
        auto logger = std::make_shared<spdlog::logger>("latentlens", std::make_shared<ProgressAwareSink>());
        logger->set_pattern("%^%l%$: %v");
        spdlog::set_default_logger(logger);
        configured = true;
    }
    spdlog::set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    // --verbose logs every step instead of drawing the line; nothing is drawn into a pipe or file.
    TerminalProgress::instance().configure(!verbose && !quiet && isatty(STDERR_FILENO) == 1);
}

torch::Tensor readLatents(const fs::path& path, const DiffusionPipeline& model) {
    auto tensor = readNpy(path);
    const auto fileShape = shapeText(tensor.sizes());
    const auto shape = model.latentShape();
    const int64_t multiple = model.denoiser().sizeMultiple();
    if (tensor.dim() == 3) tensor = tensor.unsqueeze(0);
    const auto fitsSize = [&](int64_t size, int64_t expected) {
        return multiple > 0 ? size > 0 && size % multiple == 0 : size == expected;
    };
    if (multiple > 0 && tensor.dim() == 4 && tensor.size(1) == shape[0] &&
        (!fitsSize(tensor.size(2), shape[1]) || !fitsSize(tensor.size(3), shape[2]))) {
        throw Error(path.string() + ": has shape " + fileShape + " but model " + model.name() +
                    " needs a height and width that are multiples of " + std::to_string(multiple));
    }
    if (tensor.dim() != 4 || tensor.size(1) != shape[0] || !fitsSize(tensor.size(2), shape[1]) ||
        !fitsSize(tensor.size(3), shape[2])) {
        throw Error(path.string() + ": has shape " + fileShape + " but model " + model.name() +
                    " needs (N, " + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) + ", " +
                    std::to_string(shape[2]) + ") or (" + std::to_string(shape[0]) + ", " + std::to_string(shape[1]) +
                    ", " + std::to_string(shape[2]) + ")");
    }
    if (!tensor.is_floating_point()) throw Error(path.string() + ": holds integers; expected float32 or float64 values");
    if (tensor.size(0) == 0) throw Error(path.string() + ": holds no samples");
    if (!torch::isfinite(tensor).all().item<bool>()) throw Error(path.string() + ": contains NaN or infinite values");
    return tensor.to(model.tensorOptions());
}

torch::Tensor readImageOrLatents(const fs::path& path, const DiffusionPipeline& model) {
    if (isNpy(path)) return readLatents(path, model);
    const auto shape = model.imageShape();
    auto image = readImage(path, static_cast<int>(shape[0]), static_cast<int>(shape[1]));
    if (!image.note.empty()) spdlog::info("{}: {}", path.string(), image.note);
    torch::NoGradGuard noGrad;
    return model.codec().encode(image.pixels.unsqueeze(0).to(model.tensorOptions()));
}

void writeSamples(const fs::path& path, const torch::Tensor& samples, int upscale) {
    auto cpu = samples.detach().cpu();
    if (isNpy(path)) {
        writeNpy(path, cpu);
    } else if (cpu.size(0) == 1) {
        writeImage(path, cpu[0], upscale);
    } else {
        const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(cpu.size(0)))));
        writeImageGrid(path, cpu, columns, upscale);
    }
    spdlog::info("wrote {}", path.string());
}

torch::Tensor decodeLatents(const DiffusionPipeline& model, const torch::Tensor& latents) {
    torch::NoGradGuard noGrad;
    return model.codec().decode(latents);
}

std::vector<int64_t> latentShapeForSize(const DiffusionPipeline& model, int64_t size) {
    const auto image = model.imageShape();
    auto latent = model.latentShape();
    const int64_t step = model.codec().downsamplingFactor() * model.denoiser().sizeMultiple();
    if (step == 0) {
        if (size == image[1] && size == image[2]) return latent;
        throw Error("--size " + std::to_string(size) + ": model " + model.name() + " makes " +
                    std::to_string(image[1]) + " x " + std::to_string(image[2]) + " images only");
    }
    if (size % step != 0) {
        throw Error("--size " + std::to_string(size) + ": model " + model.name() +
                    " makes images whose size is a multiple of " + std::to_string(step) + " (its own: " +
                    std::to_string(image[1]) + ")");
    }
    latent[1] = latent[2] = size / model.codec().downsamplingFactor();
    return latent;
}

void writeTrajectory(const fs::path& path, const torch::Tensor& trajectory) {
    if (!isNpy(path)) throw Error(path.string() + ": --latents writes a .npy file");
    auto cpu = trajectory.detach().cpu();
    writeNpy(path, cpu.size(1) == 1 ? cpu.squeeze(1) : cpu);
    spdlog::info("wrote {} {}", path.string(), shapeText(cpu.size(1) == 1 ? cpu.squeeze(1).sizes() : cpu.sizes()));
}

void TrajectoryOptions::addTo(CLI::App& command) {
    command.add_option("--steps", steps, "DDIM steps of a full 0..T trajectory")->check(CLI::Range(1, 100000))->capture_default_str();
    command.add_option("--clip-sample", clip, "clamp the predicted x_0 at every step: config (as scheduler_config.json says), on, off")
        ->check(CLI::IsMember({"config", "on", "off"}))
        ->capture_default_str();
    command.add_option("--latents", latents, "also write the whole trajectory (.npy), start included");
}

DdimSampler TrajectoryOptions::sampler(const DiffusionPipeline& model, const Conditioning& conditioning,
                                       std::vector<int64_t> latentShape) const {
    const std::optional<bool> clipSample = clip == "on" ? std::optional<bool>(true)
                                         : clip == "off" ? std::optional<bool>(false)
                                                         : std::nullopt;
    if (latentShape.empty()) latentShape = model.latentShape();
    return DdimSampler(model.noisePredictor(conditioning), model.scheduler().config(),
                       DdimSampler::Latents{std::move(latentShape), model.tensorOptions(), model.name()}, steps,
                       clipSample);
}

void PromptOptions::addTo(CLI::App& command, bool withGuidance) {
    command.add_option("--prompt", prompt, "the text prompt (text-conditioned models)");
    if (!withGuidance) return;
    command.add_option("--negative-prompt", negativePrompt, "the negative prompt of guidance (default: empty)");
    command.add_option("--guidance", guidance,
                       "classifier-free guidance scale (default: 7.5 on text-conditioned models; 1: the prompt alone)")
        ->check(CLI::Range(0.0, 100.0));
}

Conditioning PromptOptions::conditioning(const DiffusionPipeline& model) const {
    const double scale = guidance ? *guidance : (model.textEncoder() ? 7.5 : 1.0);
    auto result = model.condition(prompt, negativePrompt, scale);
    if (model.textEncoder()) {
        spdlog::debug("prompt \"{}\", negative prompt \"{}\", guidance {} (conditioning {})", prompt, negativePrompt,
                      scale, result.id.empty() ? "-" : result.id);
    }
    return result;
}

void EditPromptOptions::addTo(CLI::App& command) {
    PromptOptions::addTo(command);
    command.add_option("--edit-prompt", editPrompt,
                       "text-conditioned models: the prompt the basis was found under and the guidance edit's ε "
                       "uses (default: --prompt)");
}

void EditPromptOptions::defaultsFrom(const PullbackBasis& basis, const std::string& basisDir) {
    if (basis.conditioning.empty() || !prompt.empty() || !negativePrompt.empty() || guidance || editPrompt) return;
    prompt = basis.samplingPrompt;
    negativePrompt = basis.negativePrompt;
    guidance = basis.guidance;
    if (basis.jacobianPrompt != basis.samplingPrompt) editPrompt = basis.jacobianPrompt;
    spdlog::info("{}: using the basis's prompt \"{}\" (negative \"{}\", guidance {}){}", basisDir, prompt,
                 negativePrompt, *guidance,
                 editPrompt ? " and its edit prompt \"" + *editPrompt + "\"" : std::string());
}

Conditioning EditPromptOptions::editConditioning(const DiffusionPipeline& model, const PullbackBasis& basis,
                                                 const std::string& basisDir) const {
    if (!model.textEncoder()) {
        if (editPrompt) throw Error("--edit-prompt: model " + model.name() + " takes no prompt");
        return Conditioning::none();
    }
    const auto prompt = editPrompt.value_or(this->prompt);
    auto conditioning = model.condition(prompt);
    if (basis.conditioning != conditioning.id) {
        throw Error(basisDir + ": the basis was found under another prompt (conditioning " +
                    (basis.conditioning.empty() ? std::string("none") : basis.conditioning) + ", not \"" + prompt +
                    "\" = " + conditioning.id + "); pass the --prompt or --edit-prompt it was found with");
    }
    return conditioning;
}

void EditPromptOptions::applyGuidanceDefaults(const DiffusionPipeline& model, GuidanceOptions& guidance,
                                              bool gammaGiven, bool iterationsGiven) const {
    if (!model.textEncoder()) return;
    const bool withEditPrompt = editPrompt && *editPrompt != prompt;
    if (!gammaGiven) guidance.gamma = withEditPrompt ? 0.5 : 1.0;
    if (!iterationsGiven) guidance.iterations = withEditPrompt ? 64 : 16;
}

void TrajectoryOptions::writeTrajectoryIfAsked(const DdimRun& run) const {
    if (keepTrajectory()) writeTrajectory(latents, run.trajectory);
}

Progress loggingProgress() { return TerminalProgress::instance().phase(); }

}  // namespace latentlens::cli
