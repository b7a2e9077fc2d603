#include "app/gui/ScreenshotScene.h"

#include <cmath>

#include <QApplication>
#include <QScreen>
#include <QTimer>

#include <spdlog/spdlog.h>

#include "ui/DemoDirector.h"
#include "ui/DetentSlider.h"
#include "ui/DirectionSlider.h"
#include "ui/MainWindow.h"
#include "ui/SliderStack.h"

using latentlens::ui::MainWindow;

ScreenshotScene::ScreenshotScene(MainWindow& window, QString path, QString scene)
    : QObject(&window), window_(window), path_(std::move(path)), scene_(std::move(scene)) {
    // The whole screen (1440×900 under the documentation's Xvfb), as a maximised window would.
    if (const QScreen* screen = window_.screen()) window_.setGeometry(screen->availableGeometry());
    // The first image: the model loads, then the image follows.
    auto* connection = new QMetaObject::Connection;
    *connection = connect(&window_, &MainWindow::becameIdle, this, [this, connection] {
        if (window_.viewState().isNull() && !window_.modelInfo().isNull()) return;  // image to come
        disconnect(*connection);
        delete connection;
        start();
    });
}

bool ScreenshotScene::isKnownScene() const {
    return scene_ == QLatin1String("first") || scene_ == QLatin1String("directions") || scene_ == QLatin1String("drag") ||
           scene_ == QLatin1String("demo");
}

void ScreenshotScene::whenIdle(std::function<void()> next) {
    QTimer::singleShot(0, this, [this, next = std::move(next)] {
        if (!window_.isBusy()) {
            next();
            return;
        }
        auto* connection = new QMetaObject::Connection;
        *connection = connect(&window_, &MainWindow::becameIdle, this, [connection, next] {
            disconnect(*connection);
            delete connection;
            next();
        });
    });
}

void ScreenshotScene::start() {
    if (scene_ == QLatin1String("demo")) {
        grabMidSweep();
        return;
    }
    if (scene_ == QLatin1String("first") || window_.viewState().isNull()) {
        grab();
        return;
    }
    window_.findDirections(10);
    whenIdle([this] {
        window_.addDirectionSlider(0);
        whenIdle([this] {
            window_.addDirectionSlider(1);
            whenIdle([this] {
                window_.setDirectionAlpha(0, 2.0);
                whenIdle([this] {
                    if (scene_ == QLatin1String("drag")) {
                        // Hold direction 2's handle and move it, as a mouse drag does.
                        auto* row = window_.sliderStack()->sliderFor(1);
                        if (row) {
                            row->slider()->setSliderDown(true);
                            row->slider()->setValue(-250);
                        }
                    }
                    whenIdle([this] { grab(); });
                });
            });
        });
    });
}

void ScreenshotScene::grabMidSweep() {
    if (!window_.isDemoMode()) window_.setDemoMode(true);
    auto* director = window_.demoDirector();
    // The sweep goes on while the window settles, so the grab happens as the frame arrives.
    connect(director, &latentlens::ui::DemoDirector::alphaShown, this, [this](int, double alpha, bool sharp) {
        if (!sharp && std::abs(alpha) >= 1.5) save();
    });
}

void ScreenshotScene::grab() {
    QTimer::singleShot(400, this, [this] { save(); });
}

void ScreenshotScene::save() {
    const bool saved = window_.grab().save(path_);
    if (saved) {
        spdlog::info("wrote screenshot {}", path_.toStdString());
    } else {
        spdlog::error("cannot write screenshot {}", path_.toStdString());
    }
    disconnect(window_.demoDirector(), nullptr, this, nullptr);
    QApplication::exit(saved ? 0 : 1);
}
