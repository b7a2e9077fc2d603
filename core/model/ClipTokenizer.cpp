#include "core/model/ClipTokenizer.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <utility>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "core/Error.h"
#include "core/config/JsonConfigReader.h"

namespace latentlens {
namespace {

// openai/CLIP's pre-tokenisation: the two special tokens, English contractions, runs of letters,
// single digits, runs of anything else that is neither white space, letter nor digit. Python's
// regex module reads \s as the Unicode White_Space property; PCRE2's \s also takes U+180E, so the
// property is named instead.
constexpr const char* kPreTokenPattern =
    R"(<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\p{White_Space}\p{L}\p{N}]+)";
constexpr const char* kStartOfText = "<|startoftext|>";
constexpr const char* kEndOfText = "<|endoftext|>";
constexpr const char* kWordEnd = "</w>";
// A tokenizer_config.json without a usable model_max_length means transformers' "no limit";
// Stable Diffusion's text encoders all take 77 positions, and nothing sane is longer than this.
constexpr int64_t kMaxModelLength = 1 << 16;

std::string utf8Of(UChar32 codePoint) {
    icu::UnicodeString text(codePoint);
    std::string out;
    text.toUTF8String(out);
    return out;
}

// openai/CLIP's bytes_to_unicode(): printable Latin-1 bytes stand for themselves, the other 68
// bytes (controls, space, 0x7F-0xA0, 0xAD) take the code points 256, 257, ... in byte order.
std::array<std::string, 256> byteLevelAlphabet() {
    std::array<std::string, 256> symbols;
    const auto printable = [](int byte) {
        return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
    };
    UChar32 next = 256;
    for (int byte = 0; byte < 256; ++byte) {
        symbols[byte] = utf8Of(printable(byte) ? byte : next++);
    }
    return symbols;
}

// A string as a one-line JSON literal (control characters escaped), for messages.
std::string quotedJson(const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string mergeKey(const std::string& first, const std::string& second) { return first + ' ' + second; }

}  // namespace

struct ClipTokenizer::Pattern {
    pcre2_code* code = nullptr;
    ~Pattern() { pcre2_code_free(code); }
};

ClipTokenizer::ClipTokenizer(const std::filesystem::path& folder) : folder_(folder) {
    if (!std::filesystem::is_directory(folder_)) {
        throw Error(folder_.string() + ": the tokenizer folder does not exist");
    }
    byteSymbols_ = byteLevelAlphabet();
    readVocab(folder_ / "vocab.json");
    readMerges(folder_ / "merges.txt");
    readSpecialTokens(folder_ / "tokenizer_config.json", folder_ / "special_tokens_map.json");

    pattern_ = std::make_unique<Pattern>();
    int errorCode = 0;
    PCRE2_SIZE errorOffset = 0;
    pattern_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(kPreTokenPattern), PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &errorCode, &errorOffset, nullptr);
    if (pattern_->code == nullptr) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        throw Error(std::string("CLIP tokenizer: PCRE2 cannot compile the pre-tokenisation pattern: ") +
                    reinterpret_cast<const char*>(message));
    }
    spdlog::debug("CLIP tokenizer {}: {} vocabulary entries, {} merges, max length {}, pad id {}", folder_.string(),
                  vocab_.size(), mergeRanks_.size(), maxLength_, padId_);
}

ClipTokenizer::~ClipTokenizer() = default;

void ClipTokenizer::readVocab(const std::filesystem::path& file) {
    const nlohmann::json json = readJsonConfigFile(file, "tokenizer vocabulary");
    if (!json.is_object()) {
        throw Error(file.string() + ": the tokenizer vocabulary must be a JSON object of token to id, not " +
                    describeJsonType(json));
    }
    std::vector<bool> used(json.size(), false);
    vocab_.reserve(json.size());
    for (const auto& [token, value] : json.items()) {
        const std::string where = file.string() + ": token " + quotedJson(token);
        if (!value.is_number_integer()) throw Error(where + " must have an integer id, not " + describeJsonType(value));
        const auto size = static_cast<uint64_t>(json.size());
        int64_t id = -1;  // -1: out of range
        if (!value.is_number_unsigned()) {
            id = value.get<int64_t>();
        } else if (value.get<uint64_t>() < size) {
            id = static_cast<int64_t>(value.get<uint64_t>());
        }
        if (id < 0 || id >= static_cast<int64_t>(json.size())) {
            throw Error(where + " has id " + value.dump() + ", outside 0.." + std::to_string(json.size() - 1) +
                        " (one id per vocabulary entry)");
        }
        if (used[id]) throw Error(where + " has id " + std::to_string(id) + ", which another token has too");
        used[id] = true;
        vocab_.emplace(token, id);
    }
    // Every byte must have a symbol, alone and closing a word, or some prompt would have no ids.
    for (const auto& symbol : byteSymbols_) {
        for (const auto& candidate : {symbol, symbol + kWordEnd}) {
            if (!vocab_.count(candidate)) {
                throw Error(file.string() + ": the tokenizer vocabulary lacks the byte-level symbol " +
                            quotedJson(candidate) + "; not a CLIP byte-level BPE vocabulary");
            }
        }
    }
}

void ClipTokenizer::readMerges(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(file.string() + ": cannot open the tokenizer merges");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(std::move(line));
    }
    if (in.bad()) throw Error(file.string() + ": cannot read the tokenizer merges");
    while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();
    if (lines.empty() || lines.front().rfind("#version", 0) != 0) {
        throw Error(file.string() + ": the tokenizer merges must start with a \"#version\" line");
    }
    mergeRanks_.reserve(lines.size());
    for (size_t i = 1; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        const std::string where = file.string() + ": line " + std::to_string(i + 1) + ": ";
        const size_t space = line.find(' ');
        const bool twoSymbols = space != std::string::npos && space > 0 && space + 1 < line.size() &&
                                line.find(' ', space + 1) == std::string::npos && line.find('\t') == std::string::npos;
        if (!twoSymbols) throw Error(where + "a merge must be two symbols separated by one space");
        const std::string first = line.substr(0, space);
        const std::string second = line.substr(space + 1);
        if (!vocab_.count(first + second)) {
            throw Error(where + "the merge " + quotedJson(line) + " makes " +
                        quotedJson(first + second) + ", which vocab.json does not contain");
        }
        // A repeated merge keeps its last rank, as transformers' dict(zip(merges, ranks)) does.
        mergeRanks_[mergeKey(first, second)] = static_cast<int64_t>(i - 1);
    }
}

int64_t ClipTokenizer::idOf(const std::string& token, const std::filesystem::path& file, const std::string& key) const {
    const auto it = vocab_.find(token);
    if (it == vocab_.end()) {
        throw Error(file.string() + ": \"" + key + "\" is " + quotedJson(token) +
                    ", which the vocabulary (vocab.json) does not contain");
    }
    return it->second;
}

void ClipTokenizer::readSpecialTokens(const std::filesystem::path& configFile, const std::filesystem::path& mapFile) {
    const nlohmann::json config = readJsonConfigFile(configFile, "tokenizer config");
    if (!config.is_object()) throw Error(configFile.string() + ": the tokenizer config is not a JSON object");
    JsonConfigReader configReader(config, configFile.string(), "", JsonConfigReader::Null::MeansAbsent);
    const std::string tokenizerClass = configReader.get<std::string>("tokenizer_class", "CLIPTokenizer");
    if (tokenizerClass != "CLIPTokenizer" && tokenizerClass != "CLIPTokenizerFast") {
        configReader.fail("tokenizer_class", "is " + tokenizerClass + "; only CLIPTokenizer is supported");
    }
    maxLength_ = configReader.get<int64_t>("model_max_length", 77);
    if (maxLength_ < 2 || maxLength_ > kMaxModelLength) {
        configReader.fail("model_max_length", "is " + std::to_string(maxLength_) + "; expected 2.." +
                                                  std::to_string(kMaxModelLength) + " (77 for Stable Diffusion)");
    }

    nlohmann::json map = nlohmann::json::object();
    if (std::filesystem::exists(mapFile)) {
        map = readJsonConfigFile(mapFile, "tokenizer special tokens map");
        if (!map.is_object()) throw Error(mapFile.string() + ": the special tokens map is not a JSON object");
    }
    // special_tokens_map.json wins over tokenizer_config.json, as in transformers. A token is a
    // string or an AddedToken object whose "content" is the string.
    const auto token = [&](const std::string& key, const std::string& fallback) {
        const bool inMap = map.contains(key) && !map.at(key).is_null();
        const bool inConfig = config.contains(key) && !config.at(key).is_null();
        if (!inMap && !inConfig) return idOf(fallback, configFile, key);
        const auto& file = inMap ? mapFile : configFile;
        const nlohmann::json& value = inMap ? map.at(key) : config.at(key);
        if (value.is_string()) return idOf(value.get<std::string>(), file, key);
        if (value.is_object() && value.contains("content") && value.at("content").is_string()) {
            return idOf(value.at("content").get<std::string>(), file, key);
        }
        throw Error(file.string() + ": \"" + key + "\" must be a string or an object with a string \"content\", not " +
                    describeJsonType(value));
    };
    bosId_ = token("bos_token", kStartOfText);
    eosId_ = token("eos_token", kEndOfText);
    padId_ = token("pad_token", kEndOfText);
}

std::string ClipTokenizer::cleanText(const std::string& prompt) {
    // Reject ill-formed UTF-8 instead of guessing what was meant.
    const auto* bytes = reinterpret_cast<const uint8_t*>(prompt.data());
    const auto length = static_cast<int32_t>(std::min<size_t>(prompt.size(), std::numeric_limits<int32_t>::max()));
    if (static_cast<size_t>(length) != prompt.size()) throw Error("the prompt is too long");
    for (int32_t i = 0; i < length;) {
        UChar32 c = 0;
        U8_NEXT(bytes, i, length, c);
        if (c < 0) throw Error("the prompt is not valid UTF-8 (byte " + std::to_string(i) + ")");
    }

    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status)) throw Error(std::string("ICU has no NFC normaliser: ") + u_errorName(status));
    const icu::UnicodeString normalised = nfc->normalize(icu::UnicodeString::fromUTF8(prompt), status);
    if (U_FAILURE(status)) throw Error(std::string("ICU cannot NFC-normalise the prompt: ") + u_errorName(status));

    // whitespace_clean(): every run of White_Space (regex's \s) becomes one space, then strip().
    icu::UnicodeString collapsed;
    bool pendingSpace = false;
    for (int32_t i = 0; i < normalised.length(); i = normalised.moveIndex32(i, 1)) {
        const UChar32 c = normalised.char32At(i);
        if (u_isUWhiteSpace(c)) {
            pendingSpace = !collapsed.isEmpty();
            continue;
        }
        if (pendingSpace) collapsed.append(static_cast<UChar>(u' '));
        pendingSpace = false;
        collapsed.append(c);
    }
    // ... and str.strip() also drops the separators U+001C..U+001F that \s does not match.
    const auto strippable = [](UChar32 c) { return u_isUWhiteSpace(c) || (c >= 0x1C && c <= 0x1F); };
    while (!collapsed.isEmpty() && strippable(collapsed.char32At(collapsed.length() - 1))) {
        collapsed.truncate(collapsed.moveIndex32(collapsed.length(), -1));
    }
    int32_t start = 0;
    while (start < collapsed.length() && strippable(collapsed.char32At(start))) start = collapsed.moveIndex32(start, 1);
    collapsed.remove(0, start);
    // Python's str.lower(): full case mapping, language-independent (root locale).
    collapsed.toLower(icu::Locale::getRoot());
    std::string out;
    collapsed.toUTF8String(out);
    return out;
}

std::vector<int64_t> ClipTokenizer::tokenize(const std::string& prompt) const {
    const std::string text = cleanText(prompt);
    std::vector<int64_t> ids;
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
        pcre2_match_data_create_from_pattern(pattern_->code, nullptr), &pcre2_match_data_free);
    if (!match) throw Error("CLIP tokenizer: out of memory for PCRE2 match data");
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    PCRE2_SIZE offset = 0;
    while (offset < text.size()) {
        // cleanText() produced valid UTF-8, so PCRE2 need not check it again.
        const int rc = pcre2_match(pattern_->code, subject, text.size(), offset, PCRE2_NO_UTF_CHECK, match.get(), nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) break;
        if (rc < 0) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(rc, message, sizeof(message));
            throw Error(std::string("CLIP tokenizer: PCRE2 match failed: ") + reinterpret_cast<const char*>(message));
        }
        const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
        if (ovector[1] <= ovector[0]) break;  // every alternative consumes a character; never happens
        appendPieceIds(text.substr(ovector[0], ovector[1] - ovector[0]), ids);
        offset = ovector[1];
    }
    return ids;
}

void ClipTokenizer::appendPieceIds(const std::string& piece, std::vector<int64_t>& out) const {
    // The special tokens in a prompt stand for themselves (openai's pre-seeded BPE cache).
    if (piece == kStartOfText || piece == kEndOfText) {
        out.push_back(vocab_.at(piece));
        return;
    }
    {
        std::lock_guard<std::mutex> lock(cacheMutex_);
        const auto it = cache_.find(piece);
        if (it != cache_.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    std::vector<int64_t> ids = bpe(piece);
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(cacheMutex_);
    if (cache_.size() >= kCacheLimit) cache_.clear();
    cache_.emplace(piece, std::move(ids));
}

std::vector<int64_t> ClipTokenizer::bpe(const std::string& piece) const {
    std::vector<std::string> word;
    word.reserve(piece.size());
    for (unsigned char byte : piece) word.push_back(byteSymbols_[byte]);
    word.back() += kWordEnd;

    // Merge the adjacent pair of lowest rank everywhere it occurs (left to right, without
    // overlap) until no adjacent pair is a merge.
    while (word.size() > 1) {
        int64_t bestRank = std::numeric_limits<int64_t>::max();
        size_t best = 0;
        for (size_t i = 0; i + 1 < word.size(); ++i) {
            const auto it = mergeRanks_.find(mergeKey(word[i], word[i + 1]));
            if (it != mergeRanks_.end() && it->second < bestRank) {
                bestRank = it->second;
                best = i;
            }
        }
        if (bestRank == std::numeric_limits<int64_t>::max()) break;
        const std::string first = word[best];
        const std::string second = word[best + 1];
        std::vector<std::string> merged;
        merged.reserve(word.size());
        for (size_t i = 0; i < word.size();) {
            if (i + 1 < word.size() && word[i] == first && word[i + 1] == second) {
                merged.push_back(first + second);
                i += 2;
            } else {
                merged.push_back(std::move(word[i]));
                i += 1;
            }
        }
        word = std::move(merged);
    }

    std::vector<int64_t> ids;
    ids.reserve(word.size());
    for (const auto& symbol : word) {
        // readVocab() and readMerges() checked that every byte symbol and merge result has an id.
        ids.push_back(vocab_.at(symbol));
    }
    return ids;
}

std::vector<int64_t> ClipTokenizer::encode(const std::string& prompt) const {
    const std::vector<int64_t> pieces = tokenize(prompt);
    const size_t kept = std::min<size_t>(pieces.size(), static_cast<size_t>(maxLength_ - 2));
    std::vector<int64_t> ids;
    ids.reserve(maxLength_);
    ids.push_back(bosId_);
    ids.insert(ids.end(), pieces.begin(), pieces.begin() + static_cast<std::ptrdiff_t>(kept));
    ids.push_back(eosId_);
    ids.resize(static_cast<size_t>(maxLength_), padId_);
    return ids;
}

torch::Tensor ClipTokenizer::encodeBatch(const std::vector<std::string>& prompts) const {
    auto out = torch::empty({static_cast<int64_t>(prompts.size()), maxLength_}, torch::kLong);
    auto rows = out.accessor<int64_t, 2>();
    for (size_t i = 0; i < prompts.size(); ++i) {
        const auto ids = encode(prompts[i]);
        for (int64_t j = 0; j < maxLength_; ++j) rows[static_cast<int64_t>(i)][j] = ids[static_cast<size_t>(j)];
    }
    return out;
}

}  // namespace latentlens
