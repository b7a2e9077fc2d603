#pragma once

#include <QWidget>

class QToolButton;

namespace latentlens::ui {

// A titled section whose contents fold away behind a disclosure arrow (for "Advanced" settings).
class CollapsibleSection : public QWidget {
    Q_OBJECT
public:
    CollapsibleSection(const QString& title, QWidget* content, QWidget* parent = nullptr);

    bool isExpanded() const;
    void setExpanded(bool expanded);

private:
    QToolButton* toggle_;
    QWidget* content_;
};

}  // namespace latentlens::ui
