#pragma once

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "core/Progress.h"

namespace latentlens::cli {

// Progress of long commands on a terminal: one line on stderr, updated in place, saying what is
// being done, how far it is and how long is left (an ETA once enough of the work is done). Each
// computation of a command (inversion, basis solve, sweep, ...) is a phase with its own line;
// when the computation returns, its line is ended with the time it took, before the command
// prints its results. Nothing is drawn when stderr is not a
// terminal, with --quiet, or with --verbose (which logs every step instead). Ctrl+C sets the
// cancel flag of every phase, so the work stops at its next check; a second Ctrl+C ends the
// process at once.
//
// It speaks core's Progress protocol, the same one the desktop app's progress bars use.
class TerminalProgress {
public:
    static TerminalProgress& instance();

    // drawing: draw the line (stderr is a terminal and neither --quiet nor --verbose).
    void configure(bool drawing);

    // A Progress for one phase. Its fraction runs 0..1; messages are also logged at debug level.
    Progress phase();

    // Clears the line before something else writes to stderr (the log sink calls this).
    void clearLine();
    // Ends the current line (before an error message or at exit).
    void finish();
    // Whether Ctrl+C has been pressed (a batch stops before its next command).
    bool cancelRequested() const { return cancel_.load(); }

    // The text of the line for `fraction` after `elapsed` (without escape codes), cut to `width`
    // columns. Public for the tests.
    static std::string format(const std::string& message, double fraction, std::chrono::duration<double> elapsed,
                              int width);

private:
    struct PhaseEnd;
    TerminalProgress() = default;
    void endPhase(int phase, std::chrono::steady_clock::time_point start, bool failed);
    void update(int phase, std::chrono::steady_clock::time_point start, double fraction, const std::string& message);
    int terminalWidth() const;

    std::mutex mutex_;
    bool drawing_ = false;
    bool lineShown_ = false;
    bool completed_ = false;  // the shown phase reached 1 and has its final line
    int phase_ = 0;           // the phase the line shows
    int nextPhase_ = 0;       // handed out by phase()
    std::chrono::steady_clock::time_point lastDraw_;
    std::string lastMessage_;
    std::atomic<bool> cancel_{false};
};

}  // namespace latentlens::cli
