#pragma once

#include <QString>

class QWidget;

namespace latentlens::ui {

// The window's file dialogs, each starting in the folder last used for the same purpose (kept in
// the settings as paths/<purpose>Folder) and remembering the folder of what was chosen. The open
// dialogs remember at once; a save dialog's caller calls remember() once the export is decided.
class FileDialogs {
public:
    enum class Purpose { Model, Image, Export, Session };

    explicit FileDialogs(QWidget* parent) : parent_(parent) {}

    // The remembered folder of `purpose`, else `fallback`; when that is empty too, the export
    // folder for sessions and the pictures folder for images and exports.
    QString folder(Purpose purpose, const QString& fallback = {}) const;
    // Remembers the folder holding `chosen` (a file, or a folder picked or to be created).
    void remember(Purpose purpose, const QString& chosen) const;

    // An existing folder ("" when cancelled).
    QString openFolder(Purpose purpose, const QString& title, const QString& fallback = {}) const;
    // An existing file ("" when cancelled).
    QString openFile(Purpose purpose, const QString& title, const QString& filter) const;
    // A file or folder name to write, suggested as `name` in the remembered folder ("" when cancelled).
    QString saveFile(Purpose purpose, const QString& title, const QString& name, const QString& filter = {}) const;

private:
    QWidget* parent_;
};

}  // namespace latentlens::ui
