// The word splitting of batch scripts: shell quoting, comments, continuations, and errors that
// name the line.
#include <gtest/gtest.h>

#include "app/cli/BatchScript.h"
#include "core/Error.h"

namespace latentlens::cli {
namespace {

using Words = std::vector<std::string>;

TEST(BatchScript, SplitsLinesIntoWordsLikeAShell) {
    const auto lines = parseBatchScript(
        "basis --seed 0   --t 600\n"
        "\n"
        "   # a comment line\n"
        "sample --prompt 'a cat, \"sitting\"' --out a\\ b.png # trailing comment\n"
        "sample --prompt \"say \\\"hi\\\" \\\\ \\n\" --negative-prompt '' x#y\r\n"
        "edit --dir 0,1 \\\n"
        "     --alpha 2,-1\n",
        "jobs.txt");
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0].number, 1);
    EXPECT_EQ(lines[0].words, (Words{"basis", "--seed", "0", "--t", "600"}));
    EXPECT_EQ(lines[1].number, 4);
    EXPECT_EQ(lines[1].words, (Words{"sample", "--prompt", "a cat, \"sitting\"", "--out", "a b.png"}));
    EXPECT_EQ(lines[2].number, 5);
    // Inside "...", \" and \\ stand for the character; other backslashes stay. An empty '' is a word.
    EXPECT_EQ(lines[2].words, (Words{"sample", "--prompt", "say \"hi\" \\ \\n", "--negative-prompt", "", "x#y"}));
    EXPECT_EQ(lines[3].number, 6);  // a continued command keeps the line it starts on
    EXPECT_EQ(lines[3].words, (Words{"edit", "--dir", "0,1", "--alpha", "2,-1"}));
}

TEST(BatchScript, QuotesJoinWithTheWordAroundThem) {
    const auto lines = parseBatchScript("a --prompt=\"two words\" pre'fix'post", "s");
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].words, (Words{"a", "--prompt=two words", "prefixpost"}));
}

TEST(BatchScript, EmptyAndCommentOnlyScriptsGiveNoCommands) {
    EXPECT_TRUE(parseBatchScript("", "s").empty());
    EXPECT_TRUE(parseBatchScript("\n  \n# only\n\t# comments\n", "s").empty());
}

TEST(BatchScript, AnOpenQuoteNamesItsLine) {
    try {
        parseBatchScript("info\nsample --prompt \"a cat\ninfo\n", "jobs.txt");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()), "jobs.txt:2: the quote \" is not closed on its line");
    }
    EXPECT_THROW(parseBatchScript("info 'x", "s"), Error);
    EXPECT_THROW(parseBatchScript("info \\", "s"), Error);
}

}  // namespace
}  // namespace latentlens::cli
