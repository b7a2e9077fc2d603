#pragma once

#include <string>
#include <vector>

namespace latentlens::cli {

// One command of a batch script: its words, as a shell would split them, and the line it starts on.
struct BatchLine {
    int number = 0;
    std::vector<std::string> words;
};

// Splits the text of a batch script (latentlens-cli batch) into commands, one per line, with the
// shell's quoting so that a line can be pasted from a shell script: words are separated by blanks;
// '...' keeps everything literally; "..." keeps everything but a backslash before " \ $ or `,
// which stands for that character; outside quotes a backslash keeps the next character; a
// backslash at the end of a line continues the command on the next line; # at the start of a word
// comments out the rest of the line. Blank and comment-only lines give no command; "\r\n" line
// ends are read like "\n". A quote left open at the end of its line is an Error naming
// `source`:line. Nothing else is interpreted (no variables, globs or pipes).
std::vector<BatchLine> parseBatchScript(const std::string& text, const std::string& source);

}  // namespace latentlens::cli
