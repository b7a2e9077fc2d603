#include "ui/RecentModelsMenu.h"

#include <QAction>
#include <QDir>
#include <QFileInfo>
#include <QSettings>

#include "core/Error.h"
#include "core/model/ModelFolder.h"

namespace latentlens::ui {
namespace {

const QString kKey = QStringLiteral("models/recent");

QString canonical(const QString& folder) {
    const QFileInfo info(folder);
    return info.exists() ? info.canonicalFilePath() : info.absoluteFilePath();
}

}  // namespace

RecentModelsMenu::RecentModelsMenu(QWidget* parent) : QMenu(tr("Open &recent model"), parent) {
    setObjectName(QStringLiteral("recentModelsMenu"));
    try {
        builtIn_ << canonical(QString::fromStdString(ModelFolder::defaultModelPath().string()));
    } catch (const Error&) {
        // No embedded model in this build: only recent folders.
    }
    rebuild();
}

QStringList RecentModelsMenu::recentFolders() const {
    QStringList folders;
    for (const QString& folder : QSettings().value(kKey).toStringList()) {
        if (QFileInfo(folder).isDir() && !builtIn_.contains(folder) && !folders.contains(folder)) folders << folder;
    }
    return folders.mid(0, kLimit);
}

void RecentModelsMenu::add(const QString& folder) {
    const QString path = canonical(folder);
    if (builtIn_.contains(path)) return;
    QStringList folders = recentFolders();
    folders.removeAll(path);
    folders.prepend(path);
    QSettings().setValue(kKey, folders.mid(0, kLimit));
    rebuild();
}

void RecentModelsMenu::rebuild() {
    clear();
    const auto entry = [this](const QString& text, const QString& folder) {
        QAction* action = addAction(text);
        action->setData(folder);
        action->setToolTip(folder);
        action->setStatusTip(folder);
        connect(action, &QAction::triggered, this, [this, folder] { emit modelChosen(folder); });
    };
    for (const QString& folder : builtIn_) entry(tr("%1 (built in)").arg(QDir(folder).dirName()), folder);
    const QStringList recent = recentFolders();
    if (!recent.isEmpty()) addSeparator();
    for (const QString& folder : recent) entry(QStringLiteral("%1  —  %2").arg(QDir(folder).dirName(), folder), folder);
    if (!recent.isEmpty()) {
        addSeparator();
        QAction* clearList = addAction(tr("Clear the list"));
        clearList->setObjectName(QStringLiteral("actionClearRecentModels"));
        connect(clearList, &QAction::triggered, this, [this] {
            QSettings().remove(kKey);
            rebuild();
        });
    }
}

}  // namespace latentlens::ui
