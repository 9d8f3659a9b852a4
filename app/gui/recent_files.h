#pragma once
// The File → Open Recent lists: models (with their adapter and slot), datasets and sessions, most
// recent first, at most kMaxPerKind of each, persisted in QSettings under "recent/". Entries are
// not checked when they are added or listed: the window checks one when it is opened and removes
// it (with a message) when its files are gone.
//
// Threading: GUI thread (QSettings).

#include <QList>
#include <QString>

#include <functional>

class QMenu;

namespace lnscope::app {

struct RecentEntry
{
    enum Kind { Model, Dataset, Session };
    Kind kind = Model;
    int slot = 0;     ///< Model: Workbench::Slot
    QString path;     ///< the model, dataset folder or session file
    QString adapter;  ///< Model: its adapter file, "" for the dense default

    /// The menu text: the file name with its folder, and the adapter for a model.
    QString label() const;
    /// The first of the entry's files that no longer exists, or "" when all do.
    QString missingFile() const;
    bool operator==(const RecentEntry& other) const = default;
};

class RecentFiles
{
public:
    static constexpr int kMaxPerKind = 8;

    /// Most recent first.
    static QList<RecentEntry> entries(RecentEntry::Kind kind);
    /// Moves (or adds) `entry` to the top of its list.
    static void add(const RecentEntry& entry);
    static void remove(const RecentEntry& entry);
    /// Empties every list.
    static void clear();
    static bool isEmpty();
    /// Replaces the actions of `menu` with the lists (a section per kind, "(none)" when empty)
    /// and "Clear list"; choosing an entry calls `open` with it.
    static void fillMenu(QMenu* menu, const std::function<void(const RecentEntry&)>& open);
};

} // namespace lnscope::app
