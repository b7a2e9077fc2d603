#include "app/cli/TerminalProgress.h"

#include <algorithm>
#include <csignal>
#include <cmath>
#include <exception>
#include <memory>

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/Text.h"

namespace latentlens::cli {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 20;

std::atomic<bool>* interruptFlag = nullptr;

extern "C" void onInterrupt(int) {
    if (interruptFlag) interruptFlag->store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl+C ends the process at once
}

}  // namespace

TerminalProgress& TerminalProgress::instance() {
    static TerminalProgress progress;
    return progress;
}

void TerminalProgress::configure(bool drawing) {
    std::lock_guard<std::mutex> lock(mutex_);
    drawing_ = drawing;
    interruptFlag = &cancel_;
    std::signal(SIGINT, onInterrupt);
}

// Ends its phase's line when the last copy of the phase's Progress is gone, i.e. when the
// computation it was handed to has returned (or thrown).
struct TerminalProgress::PhaseEnd {
    int phase;
    Clock::time_point start;
    ~PhaseEnd() { TerminalProgress::instance().endPhase(phase, start, std::uncaught_exceptions() > 0); }
};

Progress TerminalProgress::phase() {
    int id = 0;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        id = ++nextPhase_;
    }
    std::shared_ptr<PhaseEnd> end(new PhaseEnd{id, Clock::now()});  // no temporary: its destructor ends the phase
    Progress progress;
    progress.cancelFlag = &cancel_;
    progress.callback = [this, end](double fraction, const std::string& message) {
        spdlog::debug("{}", message);
        update(end->phase, end->start, fraction, message);
    };
    return progress;
}

std::string TerminalProgress::format(const std::string& message, double fraction,
                                     std::chrono::duration<double> elapsed, int width) {
    fraction = std::clamp(std::isfinite(fraction) ? fraction : 0.0, 0.0, 1.0);
    const int filled = static_cast<int>(std::lround(fraction * kBarWidth));
    std::string text = message + "  [" + std::string(filled, '#') + std::string(kBarWidth - filled, ' ') + "] ";
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3d%%", static_cast<int>(std::floor(fraction * 100)));
    text += percent;
    const double seconds = elapsed.count();
    if (fraction >= 1.0) {
        text += "  done in " + clockText(seconds);
    } else if (const double left = secondsLeft(fraction, seconds); left >= 0) {
        text += "  ETA " + clockText(left);
    } else {
        text += "  " + clockText(seconds);
    }
    if (width > 0 && static_cast<int>(text.size()) > width - 1) {
        // Keep the end (bar, percentage, ETA) and shorten the message: no wrapped lines.
        const size_t keep = text.size() - message.size();
        const int room = width - 1 - static_cast<int>(keep);
        if (room > 3) {
            text = message.substr(0, static_cast<size_t>(room - 3)) + "..." + text.substr(message.size());
        } else {
            text = text.substr(text.size() - static_cast<size_t>(std::max(0, width - 1)));
        }
    }
    return text;
}

void TerminalProgress::update(int phase, Clock::time_point start, double fraction, const std::string& message) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!drawing_) return;
    if (phase != phase_) {
        if (lineShown_) std::fputs("\n", stderr);  // the previous phase keeps its last line
        lineShown_ = false;
        completed_ = false;
        phase_ = phase;
    }
    if (completed_) return;
    const auto now = Clock::now();
    const bool last = fraction >= 1.0;
    lastMessage_ = message;  // the phase's end shows the newest, drawn or not
    if (lineShown_ && !last && now - lastDraw_ < kRedrawInterval) return;
    const std::string text = format(message, fraction, now - start, terminalWidth());
    std::fprintf(stderr, "\r%s\x1b[K%s", text.c_str(), last ? "\n" : "");
    std::fflush(stderr);
    lastDraw_ = now;
    lineShown_ = !last;
    completed_ = last;
}

void TerminalProgress::clearLine() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!drawing_ || !lineShown_) return;
    std::fputs("\r\x1b[K", stderr);
    lineShown_ = false;  // the next update of the phase draws it again at once
}

void TerminalProgress::endPhase(int phase, Clock::time_point start, bool failed) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!drawing_ || phase != phase_ || completed_) return;
    // A computation that returned is done even if its last report said less (a solver that
    // converged before its budget); one that threw keeps the line where it stopped.
    if (!failed) {
        const std::string text = format(lastMessage_, 1.0, Clock::now() - start, terminalWidth());
        std::fprintf(stderr, "\r%s\x1b[K\n", text.c_str());
    } else if (lineShown_) {
        std::fputs("\n", stderr);
    }
    std::fflush(stderr);
    lineShown_ = false;
    completed_ = true;
}

void TerminalProgress::finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (drawing_ && lineShown_) std::fputs("\n", stderr);
    lineShown_ = false;
    phase_ = 0;
}

int TerminalProgress::terminalWidth() const {
    winsize size{};
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

}  // namespace latentlens::cli
