#include "app/cli/CommandLine.h"

#include <cstdio>

#include <c10/util/Exception.h>

#include "app/cli/CliSupport.h"
#include "app/cli/TerminalProgress.h"
#include "core/Error.h"

namespace latentlens::cli {

void addCommands(CLI::App& app) {
    addInfoCommand(app);
    addSampleCommand(app);
    addInvertCommand(app);
    addDenoiseCommand(app);
    addEvalCommand(app);
    addTokenizeCommand(app);
    addEncodePromptCommand(app);
    addBasisCommand(app);
    addEditCommand(app);
    addTraverseCommand(app);
    addTransportCommand(app);
    addAnalyzeCommand(app);
}

int runCommand(CLI::App& app, const std::function<void()>& parseAndRun, const std::string& where) {
    // Error messages start on a line of their own, after any progress line.
    struct EndProgressLine {
        ~EndProgressLine() { TerminalProgress::instance().finish(); }
    };
    try {
        EndProgressLine endLine;
        parseAndRun();
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() != 0 && !where.empty()) std::fprintf(stderr, "error: %s", where.c_str());
        return app.exit(e);
    } catch (const CommandExit& e) {
        return e.code;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s%s\n", where.c_str(), e.what());
        return 1;
    } catch (const Cancelled&) {
        std::fprintf(stderr, "error: %scancelled\n", where.c_str());
        return 130;
    } catch (const c10::Error& e) {
        std::fprintf(stderr, "error: %sLibTorch: %s\n", where.c_str(), e.what_without_backtrace());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s%s\n", where.c_str(), e.what());
        return 2;
    }
    return 0;
}

}  // namespace latentlens::cli
