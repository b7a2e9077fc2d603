#include <memory>

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

#include <torch/torch.h>

#include "UiTestRegistry.h"
#include "WindowTestSupport.h"
#include "core/edit/DirectionEdit.h"
#include "core/geometry/DirectionSpace.h"
#include "core/pipeline/DiffusionPipeline.h"
#include "core/sampling/DdimSampler.h"
#include "ui/DirectionsPanel.h"
#include "ui/EditMask.h"
#include "ui/ImageCanvas.h"
#include "ui/LatentState.h"
#include "ui/MainWindow.h"
#include "ui/MaskPanel.h"
#include "ui/TensorImage.h"

using latentlens::ui::DirectionRequest;
using latentlens::ui::EditMask;
using latentlens::ui::ImageCanvas;
using latentlens::ui::MainWindow;
using latentlens::ui::TensorImage;

namespace {

using latentlens::ui::test::kTimeoutMs;
constexpr int kSteps = latentlens::ui::test::kQuickSteps;

// 32×32 with the centred 16×16 square painted: a quarter of the image.
QImage centredSquare() {
    QImage mask(32, 32, QImage::Format_Grayscale8);
    mask.fill(0);
    for (int y = 8; y < 24; ++y) {
        for (int x = 8; x < 24; ++x) mask.scanLine(y)[x] = 255;
    }
    return mask;
}

}  // namespace

// Local edits on the real window (issue #17): the brush paints the mask on the canvas (undoable,
// invert, clear), "Find directions in the mask" gives the masked posterior-mean basis of the core,
// the masked edit on the canvas is the core's, and a session keeps the mask.
class MaskTest : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { model_ = latentlens::DiffusionPipeline::load(LATENTLENS_DEFAULT_MODEL_DIR); }

    void init() {
        window_ = latentlens::ui::test::openQuickWindow();
        QTRY_VERIFY_WITH_TIMEOUT(latentlens::ui::test::showsIdleImage(*window_), kTimeoutMs);
    }

    void cleanup() { window_.reset(); }

    void brushStrokesAreUndoableAndInvertAndClearWork() {
        auto& mask = window_->maskPanel()->mask();
        QCOMPARE(mask.image().size(), QSize(32, 32));
        QVERIFY(mask.isEmpty());
        QVERIFY(!findButton()->isEnabled());
        auto* canvas = latentlens::ui::test::canvas(*window_);
        action("actionPaintMask")->trigger();
        QVERIFY(canvas->isPainting());

        // A stroke across the middle of the picture, with the real mouse events.
        const QPointF from = widgetPointOf(*canvas, {10.0, 16.0});
        const QPointF to = widgetPointOf(*canvas, {22.0, 16.0});
        QTest::mousePress(canvas, Qt::LeftButton, {}, from.toPoint());
        for (int i = 1; i <= 6; ++i) QTest::mouseMove(canvas, (from + (to - from) * (i / 6.0)).toPoint());
        QTest::mouseRelease(canvas, Qt::LeftButton, {}, to.toPoint());
        QVERIFY(mask.isPartial());
        QCOMPARE(qGray(mask.image().pixel(16, 16)), 255);  // on the stroke
        QCOMPARE(qGray(mask.image().pixel(16, 2)), 0);     // far from it
        QCOMPARE(qGray(mask.image().pixel(2, 16)), 0);
        const QImage painted = mask.image();
        QVERIFY(!canvas->maskOverlay().isNull());
        QVERIFY(findButton()->isEnabled());
        QVERIFY2(stateText().contains(QStringLiteral("% of the image")), qPrintable(stateText()));

        // The right button erases.
        QTest::mousePress(canvas, Qt::RightButton, {}, widgetPointOf(*canvas, {16.0, 16.0}).toPoint());
        QTest::mouseRelease(canvas, Qt::RightButton, {}, widgetPointOf(*canvas, {16.0, 16.0}).toPoint());
        QCOMPARE(qGray(mask.image().pixel(16, 16)), 0);
        QCOMPARE(qGray(mask.image().pixel(11, 16)), 255);

        action("actionUndo")->trigger();  // the erase
        QCOMPARE(mask.image(), painted);
        action("actionUndo")->trigger();  // the stroke
        QVERIFY(mask.isEmpty());
        action("actionRedo")->trigger();
        QCOMPARE(mask.image(), painted);

        action("actionInvertMask")->trigger();
        QCOMPARE(qGray(mask.image().pixel(16, 16)), 0);
        QCOMPARE(qGray(mask.image().pixel(0, 0)), 255);
        QCOMPARE(mask.coverage(), 1.0 - coverageOf(painted));
        action("actionClearMask")->trigger();
        QVERIFY(mask.isEmpty());
        action("actionUndo")->trigger();
        action("actionUndo")->trigger();
        QCOMPARE(mask.image(), painted);

        // Hide the tint; paint mode off gives the canvas back its panning.
        action("actionShowMask")->trigger();
        QVERIFY(canvas->maskOverlay().isNull());
        action("actionPaintMask")->trigger();
        QVERIFY(!canvas->isPainting());
    }

    void findDirectionsInTheMaskGivesTheCoresMaskedBasisAndEdit() {
        // No mask: nothing runs, and the status says what to do.
        window_->findDirectionsInMask(3);
        QVERIFY(!window_->isBusy());
        QVERIFY2(window_->statusText().contains(QStringLiteral("Paint a mask first")), qPrintable(window_->statusText()));

        window_->maskPanel()->setMaskImage(centredSquare(), QStringLiteral("test mask"));
        window_->findDirectionsInMask(3);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().directions && !window_->isBusy(), kTimeoutMs);
        const auto& view = window_->viewState();
        const auto& basis = *view.directions->basis;
        QCOMPARE(QString::fromStdString(basis.kind), QStringLiteral("posterior-mean"));
        QVERIFY(basis.isMasked());
        QVERIFY(torch::equal(basis.mask, TensorImage::toMask(centredSquare())));
        QCOMPARE(basis.nullRank, int64_t(5));
        QCOMPARE(basis.k, int64_t(3));
        QCOMPARE(view.directions->maskCoverage, 0.25);
        QVERIFY2(summaryText().contains(QStringLiteral("in the mask: 25.0% of the image")), qPrintable(summaryText()));

        // The same basis as the core's (same solver, seed and tolerance) within the tolerance.
        latentlens::BasisOptions options;
        options.k = 3;
        const auto core = latentlens::findBasis(
            *model_, view.latents->latent, 600,
            latentlens::DirectionSpace::posteriorMean(TensorImage::toMask(centredSquare()), 5),
            latentlens::Conditioning::none(), options);
        const auto cosines = torch::linalg_svdvals(basis.v.reshape({3, -1}).matmul(core.v.reshape({3, -1}).t()));
        QVERIFY2(cosines.min().item<double>() >= 0.999, qPrintable(QString::number(cosines.min().item<double>())));

        // The edit on the canvas is the core's edit of x_t along the masked direction.
        window_->setDirectionAlpha(0, 2.0);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().hasEdit() && !window_->isBusy(), kTimeoutMs);
        latentlens::DdimSampler sampler(*model_, kSteps);
        const auto moved = latentlens::shiftAlongDirections(view.latents->latent, basis, {0}, {2.0});
        const auto x0 = sampler.denoise(moved, 600, 0.0, 0, false).result;
        QCOMPARE(latentlens::ui::test::canvas(*window_)->image(), TensorImage::toQImage(x0));
    }

    void sessionKeepsTheMaskAndTheMaskedDirections() {
        window_->maskPanel()->setMaskImage(centredSquare(), QStringLiteral("test mask"));
        window_->findDirectionsInMask(3);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().directions && !window_->isBusy(), kTimeoutMs);
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("masked-session"));
        window_->saveSession(folder);
        QTRY_VERIFY_WITH_TIMEOUT(!window_->isBusy(), kTimeoutMs);
        QVERIFY(QFileInfo::exists(QDir(folder).filePath(QStringLiteral("mask.png"))));
        const auto v = window_->viewState().directions->basis->v;

        window_.reset();
        init();
        QVERIFY(window_->maskPanel()->mask().isEmpty());
        window_->openSession(folder);
        QTRY_VERIFY_WITH_TIMEOUT(window_->viewState().directions && !window_->isBusy(), kTimeoutMs);
        QCOMPARE(window_->maskPanel()->mask().image(), centredSquare());
        const auto& basis = *window_->viewState().directions->basis;
        QVERIFY(basis.isMasked());
        QVERIFY(torch::equal(basis.v, v));
        // Opening the session's mask is one undo step.
        action("actionUndo")->trigger();
        QVERIFY(window_->maskPanel()->mask().isEmpty());
    }

private:
    static QPointF widgetPointOf(const ImageCanvas& canvas, const QPointF& imagePoint) {
        // imagePointAt is affine: invert it from two points.
        const QPointF origin = canvas.imagePointAt({0, 0});
        const QPointF unit = canvas.imagePointAt({1, 1}) - origin;
        return {(imagePoint.x() - origin.x()) / unit.x(), (imagePoint.y() - origin.y()) / unit.y()};
    }
    static double coverageOf(const QImage& image) {
        EditMask mask;
        mask.setImage(image);
        return mask.coverage();
    }
    QAction* action(const char* name) const { return latentlens::ui::test::action(*window_, name); }
    QPushButton* findButton() const { return window_->findChild<QPushButton*>(QStringLiteral("findInMaskButton")); }
    QString stateText() const { return window_->findChild<QLabel*>(QStringLiteral("maskState"))->text(); }
    QString summaryText() const { return window_->findChild<QLabel*>(QStringLiteral("directionsSummary"))->text(); }

    std::shared_ptr<latentlens::DiffusionPipeline> model_;
    std::unique_ptr<MainWindow> window_;
};

LATENTLENS_UI_TEST(MaskTest);

#include "MaskTest.moc"
