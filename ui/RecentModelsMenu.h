#pragma once

#include <QMenu>
#include <QStringList>

namespace latentlens::ui {

// File › Open recent model: the built-in models first, then the model folders opened lately (the
// newest first, at most kLimit, kept in QSettings "models/recent"; folders that are gone are left
// out), and "Clear the list". Choosing one emits modelChosen with its folder.
class RecentModelsMenu : public QMenu {
    Q_OBJECT
public:
    static constexpr int kLimit = 8;

    explicit RecentModelsMenu(QWidget* parent = nullptr);

    // A folder that loaded: to the top of the list (the built-in ones are not listed twice).
    void add(const QString& folder);
    QStringList recentFolders() const;

signals:
    void modelChosen(const QString& folder);

private:
    void rebuild();
    QStringList builtIn_;
};

}  // namespace latentlens::ui
