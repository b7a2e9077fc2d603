// Sharded sweeps: the shard split, the job store (bit-exact, atomic), and the text analyses on
// subspaces whose answers are known in closed form.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/Error.h"
#include "core/analysis/Correlation.h"
#include "core/analysis/JobStore.h"
#include "core/analysis/PromptSimilarity.h"
#include "core/analysis/ShardRunner.h"
#include "core/analysis/SweepShard.h"
#include "core/analysis/TextDependence.h"
#include "core/analysis/TextSweeps.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {
namespace fs = std::filesystem;

TEST(SweepShard, ParsesIOverNAndSplitsEveryJobOnce) {
    auto shard = SweepShard::parse("2/3");
    EXPECT_EQ(shard.index, 2);
    EXPECT_EQ(shard.count, 3);
    EXPECT_EQ(shard.name(), "2/3");
    EXPECT_TRUE(SweepShard::parse("1/1").isWhole());
    for (const char* bad : {"0/3", "4/3", "3", "a/b", "1/0", "-1/2", "1/2/3", ""}) {
        EXPECT_THROW(SweepShard::parse(bad), Error) << bad;
    }
    // Every job of 0..10 belongs to exactly one of 4 shards, and the shards' sizes differ by ≤ 1.
    std::vector<int> owners(11, 0), sizes(4, 0);
    for (int64_t i = 1; i <= 4; ++i) {
        const SweepShard s{i, 4};
        for (size_t j = 0; j < owners.size(); ++j) {
            if (s.owns(j)) {
                ++owners[j];
                ++sizes[static_cast<size_t>(i - 1)];
            }
        }
    }
    for (int owner : owners) EXPECT_EQ(owner, 1);
    EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()) - *std::min_element(sizes.begin(), sizes.end()), 1);
}

TEST(JobStore, StoresBitForBitAndSkipsWhatIsDone) {
    test::TempDir dir;
    JobStore store(dir.path());
    auto v = torch::randn({3, 1, 4, 4}, torch::kFloat64);
    store.save("s1-t600", {{"v", v}, {"n", torch::tensor(int64_t{7})}});
    EXPECT_TRUE(store.has("s1-t600"));
    EXPECT_FALSE(store.has("s2-t600"));
    auto back = store.load("s1-t600");
    EXPECT_TRUE(torch::equal(back.at("v"), v));
    EXPECT_EQ(back.at("n").item<int64_t>(), 7);
    // Nothing but the finished file is left behind.
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(dir / "jobs")) {
        ++files;
        EXPECT_EQ(entry.path().extension(), ".pt") << entry.path();
    }
    EXPECT_EQ(files, 1u);
    EXPECT_THROW(store.save("../x", {{"v", v}}), Error);
    EXPECT_THROW(store.load("s9-t1"), Error);
    std::ofstream(dir / "jobs" / "broken.pt") << "not an archive";
    try {
        store.load("broken");
        FAIL() << "a broken job file loaded";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("broken.pt"), std::string::npos) << error.what();
    }

    // A shard runs its own jobs only, skips stored ones, and a cancel keeps what was finished.
    const std::vector<std::string> keys{"a", "b", "c", "d", "e"};
    JobStore sweep(dir / "sweep");
    std::vector<size_t> computed;
    auto compute = [&](size_t job, const Progress&) {
        computed.push_back(job);
        return JobStore::Values{{"job", torch::tensor(static_cast<int64_t>(job))}};
    };
    auto first = runShard(keys, SweepShard{1, 2}, sweep, compute);
    EXPECT_EQ(computed, (std::vector<size_t>{0, 2, 4}));
    EXPECT_EQ(first.owned, 3);
    EXPECT_EQ(first.computed, 3);
    computed.clear();
    auto again = runShard(keys, SweepShard{1, 2}, sweep, compute);
    EXPECT_TRUE(computed.empty());
    EXPECT_EQ(again.skipped, 3);
    std::atomic<bool> cancel{false};
    Progress progress;
    progress.cancelFlag = &cancel;
    auto cancelling = [&](size_t job, const Progress& p) {
        cancel = true;  // asked to stop during job 1: job 1 is still stored, job 3 is not started
        return compute(job, p);
    };
    EXPECT_THROW(runShard(keys, SweepShard{2, 2}, sweep, cancelling, progress), Cancelled);
    EXPECT_TRUE(sweep.has("b"));
    EXPECT_FALSE(sweep.has("d"));
    EXPECT_EQ(sweep.keys(), (std::vector<std::string>{"a", "b", "c", "e"}));
}

// A basis spanning the given coordinate axes of R^D (and the same axes in H).
PullbackBasis axes(const std::vector<int64_t>& indices, int64_t D) {
    PullbackBasis basis;
    basis.k = static_cast<int64_t>(indices.size());
    basis.v = torch::zeros({basis.k, D}, torch::kFloat64);
    for (int64_t i = 0; i < basis.k; ++i) basis.v[i][indices[static_cast<size_t>(i)]] = 1.0;
    basis.u = basis.v.clone();
    basis.sigma = torch::ones({basis.k}, torch::kFloat64);
    return basis;
}

TEST(PromptSimilarity, KnownSubspacesGiveKnownSimilarities) {
    // Prompts 0 and 1 share their subspace; prompt 2 shares one of two axes: cos² = (1 + 0)/2.
    const int64_t D = 6;
    PromptSweepBases bases{{{axes({0, 1}, D)}, {axes({0, 1}, D)}, {axes({0, 2}, D)}}};
    auto text = torch::tensor({{1.0, 0.0}, {2.0, 0.1}, {0.0, 1.0}}, torch::kFloat64);
    auto result = promptSimilarity({500}, {"a", "a'", "b"}, {0}, bases, text);
    EXPECT_NEAR(result.xSimilarity[0][0][1].item<double>(), 1.0, 1e-12);
    EXPECT_NEAR(result.xSimilarity[0][0][2].item<double>(), 0.5, 1e-12);
    EXPECT_NEAR(result.xDistance[0][1][2].item<double>(), M_PI / 2, 1e-6);
    EXPECT_NEAR(result.meanXSimilarity[0].item<double>(), (1.0 + 0.5 + 0.5) / 3, 1e-12);
    EXPECT_NEAR(result.hSimilarity[0][0][2].item<double>(), 0.5, 1e-12);
    EXPECT_NEAR(result.textSimilarity[0][1].item<double>(), 2.0 / std::sqrt(4.01), 1e-12);
    EXPECT_NEAR(result.textSimilarity[0][2].item<double>(), 0.0, 1e-12);
    const double r = pearsonCorrelation({1.0, 0.5, 0.5}, {2.0 / std::sqrt(4.01), 0.0, 0.1 / std::sqrt(4.01)});
    EXPECT_NEAR(result.xCorrelation[0].item<double>(), r, 1e-12);
    EXPECT_GT(r, 0.9);
    EXPECT_THROW(promptSimilarity({500}, {"a"}, {0}, {{{axes({0}, D)}}}, text.slice(0, 0, 1)), Error);
    EXPECT_THROW(promptSimilarity({500, 400}, {"a", "a'", "b"}, {0}, bases, text), Error);  // no bases at 400
}

TEST(TextDependence, TheSameSpaceIsAtZeroAndOrthogonalAtTheMaximum) {
    const int64_t D = 8;
    // t = 800: the prompt's space is orthogonal to the empty prompt's; t = 200: the same space.
    PromptSweepBases withPrompt{{{axes({0, 1}, D)}}, {{axes({0, 1}, D)}}};
    PromptSweepBases without{{{axes({2, 3}, D)}}, {{axes({1, 0}, D)}}};
    auto result = textDependence({800, 200}, {"a cat"}, {0}, withPrompt, without);
    EXPECT_NEAR(result.meanXDistance[0].item<double>(), M_PI / 2 * std::sqrt(2.0), 1e-6);
    EXPECT_NEAR(result.meanXSimilarity[0].item<double>(), 0.0, 1e-12);
    EXPECT_NEAR(result.meanXDistance[1].item<double>(), 0.0, 1e-6);
    EXPECT_NEAR(result.meanHSimilarity[1].item<double>(), 1.0, 1e-12);
    EXPECT_THROW(textDependence({800}, {"a cat"}, {0}, withPrompt, without), Error);
}

TEST(PromptSimilarity, PooledEmbeddingIsTheEndOfTextTokensRow) {
    auto model = DiffusionPipeline::load(test::fixtureDir("sd1-tiny"));
    const auto& encoder = *model->textEncoder();
    const std::string prompt = "a photograph of a cat";
    const auto ids = encoder.tokenIds(prompt);
    const auto eos = std::max_element(ids.begin(), ids.end()) - ids.begin();
    EXPECT_EQ(eos, 6);  // <start> a photograph of a cat <end>
    auto pooled = pooledPromptEmbedding(encoder, prompt);
    EXPECT_TRUE(torch::equal(pooled, encoder.encode(prompt)[0][eos].to(torch::kFloat64)));
    const auto other = pooledPromptEmbedding(encoder, "a red car");
    auto cosines = cosineSimilarityMatrix(torch::stack(std::vector<torch::Tensor>{pooled, other, pooled}));
    EXPECT_NEAR(cosines[0][2].item<double>(), 1.0, 1e-12);
    EXPECT_LT(cosines[0][1].item<double>(), 1.0 - 1e-6);
}

TEST(TextSweeps, InOneProcessOnStableDiffusion) {
    auto model = DiffusionPipeline::load(test::fixtureDir("sd1-tiny"));
    SweepOptions options;
    options.timesteps = {700, 300};
    options.steps = 5;
    options.basis.k = 3;
    options.sampling = model->condition("a photograph of a cat", "", 7.5);
    // The same prompt twice: the same J at the same z_t, so similarity 1; another prompt: below 1.
    auto prompts = promptSimilarityOver(*model, {"a photograph of a cat", "a photograph of a cat", "a red car"}, {0},
                                        options);
    for (int64_t t = 0; t < 2; ++t) {
        EXPECT_NEAR(prompts.xSimilarity[t][0][1].item<double>(), 1.0, 1e-9);
        EXPECT_LT(prompts.xSimilarity[t][0][2].item<double>(), 1.0 - 1e-9);
        EXPECT_GT(prompts.xSimilarity[t][0][2].item<double>(), 3.0 / 1024);
    }
    EXPECT_NEAR(prompts.textSimilarity[0][1].item<double>(), 1.0, 1e-9);
    auto dependence = textDependenceOver(*model, {"a photograph of a cat", " "}, {0}, options, "", 1.0);
    for (int64_t t = 0; t < 2; ++t) {
        EXPECT_GT(dependence.xDistance[t][0].item<double>(), 1e-4);
        EXPECT_LT(dependence.xDistance[t][1].item<double>(), 1e-6);  // " " reads as the empty prompt
    }
    auto pixel = DiffusionPipeline::load(test::defaultModelDir());
    EXPECT_THROW(promptSimilarityOver(*pixel, {"a", "b"}, {0}, SweepOptions{}), Error);
}

}  // namespace
}  // namespace latentlens
