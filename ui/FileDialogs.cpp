#include "ui/FileDialogs.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

namespace latentlens::ui {
namespace {

QString keyOf(FileDialogs::Purpose purpose) {
    switch (purpose) {
        case FileDialogs::Purpose::Model: return QStringLiteral("paths/modelFolder");
        case FileDialogs::Purpose::Image: return QStringLiteral("paths/imageFolder");
        case FileDialogs::Purpose::Export: return QStringLiteral("paths/exportFolder");
        case FileDialogs::Purpose::Session: return QStringLiteral("paths/sessionFolder");
    }
    return {};
}

}  // namespace

QString FileDialogs::folder(Purpose purpose, const QString& fallback) const {
    QString otherwise = fallback;
    if (otherwise.isEmpty() && purpose == Purpose::Session) otherwise = folder(Purpose::Export);
    if (otherwise.isEmpty() && purpose != Purpose::Model)
        otherwise = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    return QSettings().value(keyOf(purpose), otherwise).toString();
}

void FileDialogs::remember(Purpose purpose, const QString& chosen) const {
    QSettings().setValue(keyOf(purpose), QFileInfo(chosen).absolutePath());
}

QString FileDialogs::openFolder(Purpose purpose, const QString& title, const QString& fallback) const {
    const QString chosen = QFileDialog::getExistingDirectory(parent_, title, folder(purpose, fallback));
    if (!chosen.isEmpty()) remember(purpose, chosen);
    return chosen;
}

QString FileDialogs::openFile(Purpose purpose, const QString& title, const QString& filter) const {
    const QString chosen = QFileDialog::getOpenFileName(parent_, title, folder(purpose), filter);
    if (!chosen.isEmpty()) remember(purpose, chosen);
    return chosen;
}

QString FileDialogs::saveFile(Purpose purpose, const QString& title, const QString& name, const QString& filter) const {
    return QFileDialog::getSaveFileName(parent_, title, QDir(folder(purpose)).filePath(name), filter);
}

}  // namespace latentlens::ui
