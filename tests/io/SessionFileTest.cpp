#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "core/Error.h"
#include "io/SessionFile.h"
#include "support/TestSupport.h"

namespace latentlens {
namespace {

void writeText(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

std::string errorOf(const std::filesystem::path& folder) {
    try {
        readSessionFile(folder);
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

TEST(SessionFile, GeneratedSessionRoundTrips) {
    test::TempDir dir;
    Session session;
    session.model = "/models/fmnist32";
    session.modelName = "fmnist32";
    session.conditioning = "0123456789abcdef";
    session.steps = 50;
    session.eta = 0.25;
    session.timestep = 600;
    session.seed = 42;
    session.basis = "basis";
    session.sliders = {{2, 1.5}, {0, -0.75}};
    writeSessionFile(dir / "s", session);
    const auto back = readSessionFile(dir / "s");
    EXPECT_EQ(back.model, "/models/fmnist32");
    EXPECT_EQ(back.modelName, "fmnist32");
    EXPECT_EQ(back.conditioning, "0123456789abcdef");
    EXPECT_EQ(back.steps, 50);
    EXPECT_DOUBLE_EQ(back.eta, 0.25);
    EXPECT_EQ(back.timestep, 600);
    ASSERT_TRUE(back.seed);
    EXPECT_EQ(*back.seed, 42u);
    EXPECT_TRUE(back.isGenerated());
    EXPECT_EQ(back.basis, "basis");
    ASSERT_EQ(back.sliders.size(), 2u);
    EXPECT_EQ(back.sliders[0].direction, 2);
    EXPECT_DOUBLE_EQ(back.sliders[0].alpha, 1.5);
    EXPECT_EQ(back.sliders[1].direction, 0);
    EXPECT_DOUBLE_EQ(back.sliders[1].alpha, -0.75);
    std::ifstream in(dir / "s" / "session.json");
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("\"version\": 2"), std::string::npos) << text;
}

TEST(SessionFile, OpenedImageSessionRoundTrips) {
    test::TempDir dir;
    Session session;
    session.model = "/models/fmnist32";
    session.steps = 20;
    session.timestep = 300;
    session.image = "source.png";
    session.imageName = "shoe.png";
    session.invertedTo = 800;
    writeSessionFile(dir / "s", session);
    const auto back = readSessionFile(dir / "s");
    EXPECT_FALSE(back.isGenerated());
    EXPECT_EQ(back.conditioning, "");
    EXPECT_EQ(back.image, "source.png");
    EXPECT_EQ(back.imageName, "shoe.png");
    ASSERT_TRUE(back.invertedTo);
    EXPECT_EQ(*back.invertedTo, 800);
    EXPECT_EQ(back.basis, "");
    EXPECT_TRUE(back.sliders.empty());
}

// session.json exactly as LatentLens 0.1 wrote it (QJsonDocument: sorted keys, 4-space indent,
// version 1, no conditioning), for a generated image with directions and two sliders.
TEST(SessionFile, ReadsVersionOneAsWrittenBefore) {
    test::TempDir dir;
    writeText(dir / "old" / "session.json", R"({
    "basis": "basis",
    "eta": 0,
    "model": "/work/models/fmnist32",
    "modelName": "fmnist32",
    "seed": 7,
    "sliders": [
        {
            "alpha": 1.25,
            "direction": 0
        },
        {
            "alpha": -2,
            "direction": 3
        }
    ],
    "steps": 50,
    "timestep": 600,
    "version": 1
}
)");
    const auto session = readSessionFile(dir / "old");
    EXPECT_EQ(session.model, "/work/models/fmnist32");
    EXPECT_EQ(session.modelName, "fmnist32");
    EXPECT_EQ(session.conditioning, "");  // unconditional: all version 1 could hold
    EXPECT_EQ(session.steps, 50);
    EXPECT_DOUBLE_EQ(session.eta, 0.0);
    EXPECT_EQ(session.timestep, 600);
    ASSERT_TRUE(session.seed);
    EXPECT_EQ(*session.seed, 7u);
    EXPECT_EQ(session.basis, "basis");
    ASSERT_EQ(session.sliders.size(), 2u);
    EXPECT_EQ(session.sliders[0].direction, 0);
    EXPECT_DOUBLE_EQ(session.sliders[0].alpha, 1.25);
    EXPECT_EQ(session.sliders[1].direction, 3);
    EXPECT_DOUBLE_EQ(session.sliders[1].alpha, -2.0);
}

// An opened image's session of the old format, without a "version" field at all.
TEST(SessionFile, ReadsAnOldOpenedImageSessionWithoutVersion) {
    test::TempDir dir;
    writeText(dir / "old" / "session.json", R"({
    "eta": 0.5,
    "image": "source.png",
    "imageName": "bag.png",
    "invertedTo": 700,
    "model": "/work/models/fmnist32",
    "modelName": "fmnist32",
    "steps": 25,
    "timestep": 400
}
)");
    const auto session = readSessionFile(dir / "old");
    EXPECT_FALSE(session.isGenerated());
    EXPECT_EQ(session.image, "source.png");
    EXPECT_EQ(session.imageName, "bag.png");
    ASSERT_TRUE(session.invertedTo);
    EXPECT_EQ(*session.invertedTo, 700);
    EXPECT_EQ(session.steps, 25);
    EXPECT_DOUBLE_EQ(session.eta, 0.5);
    EXPECT_EQ(session.timestep, 400);
    EXPECT_EQ(session.basis, "");
}

TEST(SessionFile, ProblemsAreNamed) {
    test::TempDir dir;
    EXPECT_NE(errorOf(dir / "missing").find("session.json"), std::string::npos);
    writeText(dir / "broken" / "session.json", "{ not json");
    EXPECT_NE(errorOf(dir / "broken").find("not a valid session file"), std::string::npos);
    writeText(dir / "future" / "session.json",
              R"({"version": 3, "model": "m", "steps": 10, "eta": 0, "timestep": 5, "seed": 1})");
    EXPECT_NE(errorOf(dir / "future").find("session version 3 is not supported"), std::string::npos)
        << errorOf(dir / "future");
    writeText(dir / "nomodel" / "session.json", R"({"version": 1, "steps": 10, "eta": 0, "timestep": 5, "seed": 1})");
    EXPECT_NE(errorOf(dir / "nomodel").find("no \"model\""), std::string::npos) << errorOf(dir / "nomodel");
    writeText(dir / "nosource" / "session.json", R"({"version": 2, "model": "m", "steps": 10, "eta": 0, "timestep": 5})");
    EXPECT_NE(errorOf(dir / "nosource").find("no \"image\""), std::string::npos) << errorOf(dir / "nosource");
    writeText(dir / "steps" / "session.json",
              R"({"version": 2, "model": "m", "steps": 0, "eta": 0, "timestep": 5, "seed": 1})");
    EXPECT_NE(errorOf(dir / "steps").find("at least 1"), std::string::npos) << errorOf(dir / "steps");
    writeText(dir / "typed" / "session.json",
              R"({"version": 2, "model": "m", "steps": "ten", "eta": 0, "timestep": 5, "seed": 1})");
    EXPECT_NE(errorOf(dir / "typed").find("\"steps\" must be a number"), std::string::npos) << errorOf(dir / "typed");
}

}  // namespace
}  // namespace latentlens
