#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <QObject>

namespace latentlens::uitest {

// Qt Test runs one QObject per qExec; every test file registers its class here and main.cpp runs
// them all in one executable.
using TestFactory = std::function<std::unique_ptr<QObject>()>;

inline std::vector<std::pair<std::string, TestFactory>>& testRegistry() {
    static std::vector<std::pair<std::string, TestFactory>> registry;
    return registry;
}

template <class Test>
struct RegisterTest {
    explicit RegisterTest(const char* name) {
        testRegistry().emplace_back(name, [] { return std::make_unique<Test>(); });
    }
};

}  // namespace latentlens::uitest

#define LATENTLENS_UI_TEST(Class) static const latentlens::uitest::RegisterTest<Class> register##Class(#Class)
