#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace latentlens {

// One slider of a saved session: a direction of its basis and the α it was set to.
struct SessionSlider {
    int direction = 0;
    double alpha = 0.0;
};

// What File › Save session keeps (session.json in a session folder), enough to rebuild the exact
// view: the model, the image (a seed, or an image file copied into the folder and how far it was
// inverted), the DDIM grid, the timestep, the conditioning, the painted mask and the basis with
// its sliders.
struct Session {
    // Version 1 (LatentLens 0.1) had no "conditioning"; files without "version" are read as 1.
    static constexpr int kVersion = 2;

    std::string model;        // the model folder, absolute
    std::string modelName;
    std::string conditioning;  // Conditioning::id of the prompt ("" for unconditional models)
    // Text-conditioned models: the prompt, negative prompt and guidance the image was made with
    // (conditioning is their id); absent (empty, 1) for unconditional models.
    std::string prompt;
    std::string negativePrompt;
    double guidance = 1.0;
    int64_t steps = 0;         // DDIM steps of the full grid (>= 1)
    double eta = 0.0;
    int64_t timestep = 0;
    std::optional<uint64_t> seed;      // a generated image; else an opened one:
    std::string image;                 //   its copy, relative to the session folder
    std::string imageName;             //   the name it was shown under ("" : the copy's name)
    std::optional<int64_t> invertedTo;  //   the timestep it was inverted to (none: `timestep`)
    std::string mask;                  // the painted mask (a gray PNG) relative to the folder ("": none)
    std::string basis;                 // the basis folder relative to the session folder ("": none)
    std::vector<SessionSlider> sliders;  // with a basis only

    bool isGenerated() const { return seed.has_value(); }
};

// The session file's name inside a session folder.
inline constexpr const char* kSessionFileName = "session.json";

// Writes `session` as folder/session.json (version Session::kVersion), creating the folder; the
// caller writes the basis folder and the image copy beside it. Throws Error naming the file.
void writeSessionFile(const std::filesystem::path& folder, const Session& session);
// Reads and checks folder/session.json (versions 1 and 2, or none = 1); throws Error naming the file
// and what is wrong (missing, not JSON, a missing or ill-typed field, an unsupported version).
Session readSessionFile(const std::filesystem::path& folder);

}  // namespace latentlens
