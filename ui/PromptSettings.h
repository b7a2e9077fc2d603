#pragma once

#include <QString>

namespace latentlens::ui {

// The prompt of a text-conditioned model (Stable Diffusion) as the Source panel holds it; ignored
// (and empty) for unconditional models. Images are sampled under the prompt with classifier-free
// guidance against the negative prompt; directions are found under the prompt's embedding alone
// (no guidance), as Park et al.'s code does.
struct PromptSettings {
    QString prompt;
    QString negativePrompt;
    double guidance = 7.5;

    bool operator==(const PromptSettings& other) const {
        return prompt == other.prompt && negativePrompt == other.negativePrompt && guidance == other.guidance;
    }
};

}  // namespace latentlens::ui
