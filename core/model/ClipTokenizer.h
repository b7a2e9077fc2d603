#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <torch/types.h>

namespace latentlens {

// The CLIP byte-level BPE tokenizer of Stable Diffusion 1.x / 2.x, read from a diffusers
// `tokenizer/` folder (vocab.json, merges.txt, tokenizer_config.json, optional
// special_tokens_map.json). It behaves like openai/CLIP's SimpleTokenizer and transformers' slow
// CLIPTokenizer with ftfy.fix_text taken to be Unicode NFC normalisation:
//   NFC → runs of Unicode white space become one space, trimmed → full Unicode lower-casing →
//   the CLIP pre-tokenisation pattern (PCRE2, Unicode properties) → each piece's UTF-8 bytes
//   mapped to the byte-level alphabet → BPE by merge rank, "</w>" closing the word → vocab ids.
// A prompt becomes [BOS] + at most model_max_length - 2 ids + [EOS], padded with the pad token of
// the folder (SD 1.x: "<|endoftext|>", SD 2.x: "!"). HTML entities are left as they are
// (transformers does not unescape them; openai's SimpleTokenizer does).
//
// Every problem with the files throws latentlens::Error with a one-line message naming the file.
// encode() is const and safe to call from several threads (the BPE cache has a lock).
class ClipTokenizer {
public:
    explicit ClipTokenizer(const std::filesystem::path& folder);
    ~ClipTokenizer();
    ClipTokenizer(const ClipTokenizer&) = delete;
    ClipTokenizer& operator=(const ClipTokenizer&) = delete;

    // Exactly maxLength() ids: BOS, the prompt's BPE ids (truncated), EOS, padding.
    std::vector<int64_t> encode(const std::string& prompt) const;
    // (prompts.size(), maxLength()) int64 on the CPU, one encode() per row.
    torch::Tensor encodeBatch(const std::vector<std::string>& prompts) const;
    // The prompt's BPE ids alone: no BOS/EOS, no truncation, no padding. size() > maxLength() - 2
    // means encode() truncates the prompt.
    std::vector<int64_t> tokenize(const std::string& prompt) const;
    // The text the pre-tokenisation pattern sees: NFC, white space collapsed and trimmed,
    // lower-cased (UTF-8). Throws Error if `prompt` is not valid UTF-8.
    static std::string cleanText(const std::string& prompt);

    const std::filesystem::path& folder() const { return folder_; }
    int64_t maxLength() const { return maxLength_; }
    // Ids are 0..vocabSize() - 1, each used once (checked when vocab.json is read).
    int64_t vocabSize() const { return static_cast<int64_t>(vocab_.size()); }
    int64_t bosId() const { return bosId_; }
    int64_t eosId() const { return eosId_; }
    int64_t padId() const { return padId_; }

private:
    struct Pattern;  // the compiled PCRE2 pattern (pcre2.h stays out of this header)

    void readVocab(const std::filesystem::path& file);
    void readMerges(const std::filesystem::path& file);
    void readSpecialTokens(const std::filesystem::path& configFile, const std::filesystem::path& mapFile);
    int64_t idOf(const std::string& token, const std::filesystem::path& file, const std::string& key) const;
    // Byte-level symbols of one pre-tokenised piece, merged, appended to `out` as ids.
    void appendPieceIds(const std::string& piece, std::vector<int64_t>& out) const;
    std::vector<int64_t> bpe(const std::string& piece) const;

    std::filesystem::path folder_;
    std::unordered_map<std::string, int64_t> vocab_;
    // Rank of each merge, keyed "first second" (a space never occurs in a byte-level symbol).
    std::unordered_map<std::string, int64_t> mergeRanks_;
    std::array<std::string, 256> byteSymbols_;  // byte → its byte-level character, as UTF-8
    int64_t maxLength_ = 77;
    int64_t bosId_ = 0;
    int64_t eosId_ = 0;
    int64_t padId_ = 0;
    std::unique_ptr<Pattern> pattern_;

    static constexpr size_t kCacheLimit = 100000;
    mutable std::mutex cacheMutex_;
    mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;  // piece → ids
};

}  // namespace latentlens
