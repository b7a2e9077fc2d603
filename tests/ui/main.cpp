// latentlens_ui_tests: every registered Qt Test class, offscreen, one LibTorch thread.
// Usage: latentlens_ui_tests [TestClass [Qt Test arguments...]]
#include <cstdio>

#include <QApplication>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <spdlog/spdlog.h>

#include "UiTestRegistry.h"
#include "core/Runtime.h"

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("LATENTLENS_THREADS")) qputenv("LATENTLENS_THREADS", "1");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LatentLensTests"));
    QApplication::setApplicationName(QStringLiteral("latentlens_ui_tests"));
    QStandardPaths::setTestModeEnabled(true);
    // Window geometry and sampling settings go to a throwaway folder, not the user's.
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    spdlog::set_level(spdlog::level::warn);
    latentlens::configureThreads();

    QStringList arguments = QCoreApplication::arguments();
    QString only;
    if (arguments.size() > 1 && !arguments.at(1).startsWith('-')) {
        only = arguments.takeAt(1);
    }
    int failures = 0;
    int ran = 0;
    for (const auto& [name, make] : latentlens::uitest::testRegistry()) {
        if (!only.isEmpty() && only != QString::fromStdString(name)) continue;
        auto test = make();
        failures += QTest::qExec(test.get(), arguments);
        ++ran;
    }
    if (ran == 0) {
        std::fprintf(stderr, "no test class named %s\n", qPrintable(only));
        return 1;
    }
    return failures == 0 ? 0 : 1;
}
