#include <thread>

#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "core/Error.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/pipeline/ModelCache.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

ModelOptions cpuFloat32() {
    ModelOptions options;
    options.device = c10::Device(c10::kCPU);
    return options;
}

TEST(ModelCache, OneCopyPerFolderAndOptions) {
    ModelCache cache;
    auto first = cache.get(test::defaultModelDir(), cpuFloat32());
    auto second = cache.get(test::defaultModelDir() / ".", cpuFloat32());  // another spelling of the folder
    EXPECT_EQ(first, second);
    EXPECT_EQ(cache.loadCount(), 1);
    auto options = cpuFloat32();
    options.dtype = c10::kDouble;
    auto wide = cache.get(test::defaultModelDir(), options);
    EXPECT_NE(wide, first);
    EXPECT_EQ(wide->dtype(), c10::kDouble);
    EXPECT_EQ(cache.loadCount(), 2);
}

TEST(ModelCache, HoldsModelsWeakly) {
    ModelCache cache;
    std::weak_ptr<DiffusionPipeline> weak = cache.get(test::defaultModelDir(), cpuFloat32());
    EXPECT_TRUE(weak.expired());  // nobody holds it: freed
    auto again = cache.get(test::defaultModelDir(), cpuFloat32());
    EXPECT_EQ(cache.loadCount(), 2);
    EXPECT_EQ(cache.get(test::defaultModelDir(), cpuFloat32()), again);
    EXPECT_EQ(cache.loadCount(), 2);
}

TEST(ModelCache, ThreadsAskingAtOnceShareOneLoad) {
    ModelCache cache;
    std::shared_ptr<DiffusionPipeline> a, b;
    std::thread one([&] { a = cache.get(test::defaultModelDir(), cpuFloat32()); });
    std::thread two([&] { b = cache.get(test::defaultModelDir(), cpuFloat32()); });
    one.join();
    two.join();
    ASSERT_TRUE(a);
    EXPECT_EQ(a, b);
    EXPECT_EQ(cache.loadCount(), 1);
}

TEST(ModelCache, FailedLoadThrowsEveryTime) {
    ModelCache cache;
    const auto missing = test::defaultModelDir().parent_path() / "no-such-model";
    EXPECT_THROW(cache.get(missing, cpuFloat32()), Error);
    EXPECT_THROW(cache.get(missing, cpuFloat32()), Error);
    EXPECT_EQ(cache.loadCount(), 0);
}

TEST(ModelCache, DefaultOptionsAreFloat32OnTheAutoDevice) {
    const auto options = ModelCache::defaultOptions();
    EXPECT_EQ(options.dtype, c10::kFloat);
    EXPECT_EQ(options.device, torch::cuda::is_available() ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU));
}

}  // namespace
}  // namespace latentlens
