#include "app/cli/BatchScript.h"

#include "core/Error.h"

namespace latentlens::cli {

std::vector<BatchLine> parseBatchScript(const std::string& input, const std::string& source) {
    std::string text;
    text.reserve(input.size());
    for (size_t i = 0; i < input.size(); ++i) {
        if (input[i] == '\r' && i + 1 < input.size() && input[i + 1] == '\n') continue;
        text += input[i];
    }

    std::vector<BatchLine> lines;
    BatchLine current;
    std::string word;
    bool inWord = false;  // a word has started (it may be empty: "")
    int line = 1;
    const auto endWord = [&] {
        if (inWord) current.words.push_back(word);
        word.clear();
        inWord = false;
    };
    const auto endLine = [&] {
        endWord();
        if (!current.words.empty()) lines.push_back(current);
        current = BatchLine{};
    };
    const auto unterminated = [&](char quote, int startLine) {
        return Error(source + ":" + std::to_string(startLine) + ": the quote " + quote +
                     " is not closed on its line");
    };

    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (current.words.empty() && !inWord && current.number == 0 && c != ' ' && c != '\t' && c != '\n') {
            current.number = line;
        }
        if (c == '\n') {
            endLine();
            ++line;
        } else if (c == ' ' || c == '\t') {
            endWord();
        } else if (c == '#' && !inWord) {
            while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        } else if (c == '\\') {
            if (i + 1 >= text.size()) {
                throw Error(source + ":" + std::to_string(line) + ": the script ends after a backslash");
            }
            const char next = text[++i];
            if (next == '\n') {
                ++line;  // continues the command
            } else {
                word += next;
                inWord = true;
            }
        } else if (c == '\'' || c == '"') {
            inWord = true;
            const int startLine = line;
            for (++i;; ++i) {
                if (i >= text.size() || text[i] == '\n') throw unterminated(c, startLine);
                if (text[i] == c) break;
                if (c == '"' && text[i] == '\\' && i + 1 < text.size()) {
                    const char next = text[i + 1];
                    if (next == '"' || next == '\\' || next == '$' || next == '`') {
                        word += next;
                        ++i;
                        continue;
                    }
                }
                word += text[i];
            }
        } else {
            word += c;
            inWord = true;
        }
    }
    endLine();
    return lines;
}

}  // namespace latentlens::cli
