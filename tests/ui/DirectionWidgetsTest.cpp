#include <memory>

#include <QApplication>
#include <QEnterEvent>
#include <QLabel>
#include <QSignalSpy>
#include <QTest>
#include <QToolButton>

#include "UiTestRegistry.h"
#include "ui/DetentSlider.h"
#include "ui/JobProgressWidget.h"
#include "ui/DirectionCard.h"
#include "ui/DirectionSet.h"
#include "ui/DirectionSlider.h"
#include "ui/SliderStack.h"

using latentlens::ui::DetentSlider;
using latentlens::ui::DirectionCard;
using latentlens::ui::DirectionCardImages;
using latentlens::ui::DirectionSet;
using latentlens::ui::DirectionSlider;
using latentlens::ui::SliderStack;

namespace {

std::shared_ptr<const DirectionSet> threeDirections() {
    auto set = std::make_shared<DirectionSet>();
    set->thumbnailAlpha = 3.0;
    for (int i = 0; i < 3; ++i) {
        DirectionCardImages card;
        card.direction = QImage(8, 8, QImage::Format_RGB888);
        card.direction.fill(QColor(255, 40 * i, 0));
        card.minus = QImage(8, 8, QImage::Format_Grayscale8);
        card.minus.fill(10);
        card.plus = QImage(8, 8, QImage::Format_Grayscale8);
        card.plus.fill(200);
        card.sigma = 10.0 - i;
        set->cards.append(card);
    }
    return set;
}

}  // namespace

// The direction widgets on their own: the slider's detent and reset, a row's signals, the stack's
// requests, the card's click and hover enlargement.
class DirectionWidgetsTest : public QObject {
    Q_OBJECT
private slots:
    // The status bar's job text says how long is left once 2 % is done and a second has passed,
    // at the rate so far.
    void jobProgressSaysTheTimeLeft() {
        using latentlens::ui::JobProgressWidget;
        QCOMPARE(JobProgressWidget::progressText(QStringLiteral("Directions"), 0.01, 30.0), QStringLiteral("Directions"));
        QCOMPARE(JobProgressWidget::progressText(QStringLiteral("Directions"), 0.5, 0.5), QStringLiteral("Directions"));
        QCOMPARE(JobProgressWidget::progressText(QStringLiteral("Directions"), 0.25, 20.0),
                 QStringLiteral("Directions · about 1:00 left"));
        QCOMPARE(JobProgressWidget::progressText(QStringLiteral("Seed 1"), 0.1, 400.0),
                 QStringLiteral("Seed 1 · about 1:00:00 left"));
        QCOMPARE(JobProgressWidget::progressText(QStringLiteral("Done"), 1.0, 400.0), QStringLiteral("Done"));
    }

    void detentSnapsToZeroOnlyWhileDragging() {
        DetentSlider slider;
        slider.setRange(-500, 500);
        slider.setDetentWidth(12);
        slider.setValue(10);  // not dragging: exact
        QCOMPARE(slider.value(), 10);
        slider.setSliderDown(true);
        slider.setValue(8);
        QCOMPARE(slider.value(), 0);
        slider.setValue(13);
        QCOMPARE(slider.value(), 13);
        slider.setSliderDown(false);
    }

    void doubleClickResetsAndCommits() {
        DirectionSlider row(2, QImage(), 5.0);
        row.setAlpha(1.5);
        QCOMPARE(row.alpha(), 1.5);
        QSignalSpy committed(&row, &DirectionSlider::alphaCommitted);
        row.show();
        QTest::mouseDClick(row.slider(), Qt::LeftButton);
        QCOMPARE(row.alpha(), 0.0);
        QVERIFY(committed.count() >= 1);
        QCOMPARE(committed.last().at(0).toInt(), 2);
        QCOMPARE(committed.last().at(1).toDouble(), 0.0);
    }

    void rowDragsPreviewAndReleaseCommits() {
        DirectionSlider row(0, QImage(), 5.0);
        QSignalSpy dragged(&row, &DirectionSlider::alphaDragged);
        QSignalSpy committed(&row, &DirectionSlider::alphaCommitted);
        row.setAlpha(-1.0);  // silent
        QCOMPARE(dragged.count() + committed.count(), 0);
        row.slider()->setSliderDown(true);
        row.slider()->setValue(250);
        QCOMPARE(dragged.count(), 1);
        QCOMPARE(dragged.last().at(1).toDouble(), 2.5);
        QCOMPARE(committed.count(), 0);
        row.slider()->setSliderDown(false);
        QCOMPARE(committed.count(), 1);
        QCOMPARE(committed.last().at(1).toDouble(), 2.5);
    }

    void stackRequestsComposeAllSliders() {
        SliderStack stack;
        const auto directions = threeDirections();
        stack.setSliders(directions, {2, 0}, {{2, 1.0}, {0, -0.5}});
        QCOMPARE(stack.sliders(), (QList<int>{2, 0}));
        QVERIFY(stack.sliderFor(2) && stack.sliderFor(0) && !stack.sliderFor(1));
        QSignalSpy previews(&stack, &SliderStack::previewRequested);
        QSignalSpy commits(&stack, &SliderStack::commitRequested);
        auto* slider = stack.sliderFor(0)->slider();
        slider->setSliderDown(true);
        slider->setValue(300);
        QCOMPARE(previews.count(), 1);
        using Alphas = QMap<int, double>;
        const auto alphas = previews.last().at(0).value<Alphas>();
        QCOMPARE(alphas.value(2), 1.0);
        QCOMPARE(alphas.value(0), 3.0);
        slider->setSliderDown(false);
        QCOMPARE(commits.count(), 1);
        QCOMPARE(commits.last().at(0).value<QList<int>>(), (QList<int>{2, 0}));

        // Removing a row asks for the list without it.
        stack.sliderFor(2)->findChild<QToolButton*>()->click();
        QCOMPARE(commits.count(), 2);
        QCOMPARE(commits.last().at(0).value<QList<int>>(), (QList<int>{0}));
        QVERIFY(!commits.last().at(1).value<Alphas>().contains(2));
    }

    void cardClickAndHoverEnlarges() {
        const auto directions = threeDirections();
        DirectionCard card(1, directions->cards[1], 3.0);
        card.show();
        QVERIFY(QTest::qWaitForWindowExposed(&card));
        QSignalSpy clicked(&card, &DirectionCard::cardClicked);
        QTest::mouseClick(&card, Qt::LeftButton, {}, QPoint(20, 20));
        QCOMPARE(clicked.count(), 1);
        QCOMPARE(clicked.last().at(0).toInt(), 1);
        QVERIFY(!card.isOnStack());
        card.setOnStack(true);
        QVERIFY(card.isOnStack());

        QEnterEvent enter(QPointF(5, 5), QPointF(5, 5), card.mapToGlobal(QPointF(5, 5)));
        QApplication::sendEvent(&card, &enter);
        // The enlarged view lives inside the card's window (no separate tool-tip window, which
        // plain X servers without a compositor showed black) and is opaque.
        auto* zoom = card.window()->findChild<QLabel*>(QStringLiteral("directionCardZoom"));
        QVERIFY(zoom);
        QVERIFY(!zoom->isWindow());
        QVERIFY(zoom->isVisible());
        QVERIFY(!zoom->pixmap().hasAlphaChannel());
        QVERIFY(zoom->pixmap().deviceIndependentSize().width() > card.width());  // enlarged
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(&card, &leave);
        QVERIFY(!zoom->isVisible());
    }
};

LATENTLENS_UI_TEST(DirectionWidgetsTest);

#include "DirectionWidgetsTest.moc"
