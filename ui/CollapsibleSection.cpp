#include "ui/CollapsibleSection.h"

#include <QToolButton>
#include <QVBoxLayout>

namespace latentlens::ui {

CollapsibleSection::CollapsibleSection(const QString& title, QWidget* content, QWidget* parent)
    : QWidget(parent), toggle_(new QToolButton(this)), content_(content) {
    toggle_->setText(title);
    toggle_->setCheckable(true);
    toggle_->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toggle_->setAutoRaise(true);
    toggle_->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    content_->setParent(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(toggle_);
    layout->addWidget(content_);
    connect(toggle_, &QToolButton::toggled, this, &CollapsibleSection::setExpanded);
    setExpanded(false);
}

bool CollapsibleSection::isExpanded() const { return toggle_->isChecked(); }

void CollapsibleSection::setExpanded(bool expanded) {
    if (toggle_->isChecked() != expanded) toggle_->setChecked(expanded);  // re-enters once via toggled
    toggle_->setArrowType(expanded ? Qt::DownArrow : Qt::RightArrow);
    content_->setVisible(expanded);
}

}  // namespace latentlens::ui
