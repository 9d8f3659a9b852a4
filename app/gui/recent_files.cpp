#include "recent_files.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>
#include <QObject>
#include <QVariantMap>

#include <algorithm>

namespace lnscope::app {

namespace {

QString key(RecentEntry::Kind kind)
{
    switch (kind) {
    case RecentEntry::Model: return QStringLiteral("recent/models");
    case RecentEntry::Dataset: return QStringLiteral("recent/datasets");
    case RecentEntry::Session: return QStringLiteral("recent/sessions");
    }
    return {};
}

QVariantMap toMap(const RecentEntry& e)
{
    QVariantMap m{{QStringLiteral("path"), e.path}};
    if (e.kind == RecentEntry::Model) {
        m.insert(QStringLiteral("slot"), e.slot);
        m.insert(QStringLiteral("adapter"), e.adapter);
    }
    return m;
}

void store(RecentEntry::Kind kind, const QList<RecentEntry>& list)
{
    QVariantList values;
    for (const RecentEntry& e : list)
        values.push_back(toMap(e));
    QSettings().setValue(key(kind), values);
}

QString shortPath(const QString& path)
{
    const QFileInfo info(path);
    const QString folder = info.dir().dirName();
    return folder.isEmpty() ? info.fileName() : folder + QLatin1Char('/') + info.fileName();
}

} // namespace

QString RecentEntry::label() const
{
    if (kind != Model)
        return shortPath(path);
    const QString slotName = slot == 0 ? QObject::tr("segmentation") : QObject::tr("stereo 3-D");
    const QString with = adapter.isEmpty() ? QObject::tr("dense adapter") : QFileInfo(adapter).fileName();
    return QObject::tr("%1 (%2, %3)").arg(shortPath(path), slotName, with);
}

QString RecentEntry::missingFile() const
{
    if (!QFileInfo::exists(path))
        return path;
    if (!adapter.isEmpty() && !QFileInfo::exists(adapter))
        return adapter;
    return {};
}

QList<RecentEntry> RecentFiles::entries(RecentEntry::Kind kind)
{
    QList<RecentEntry> list;
    for (const QVariant& v : QSettings().value(key(kind)).toList()) {
        const QVariantMap m = v.toMap();
        RecentEntry e;
        e.kind = kind;
        e.path = m.value(QStringLiteral("path")).toString();
        e.slot = std::clamp(m.value(QStringLiteral("slot")).toInt(), 0, 1);
        e.adapter = m.value(QStringLiteral("adapter")).toString();
        if (!e.path.isEmpty() && !list.contains(e))
            list.push_back(e);
    }
    return list;
}

void RecentFiles::add(const RecentEntry& entry)
{
    QList<RecentEntry> list = entries(entry.kind);
    list.removeAll(entry);
    list.prepend(entry);
    store(entry.kind, list.mid(0, kMaxPerKind));
}

void RecentFiles::remove(const RecentEntry& entry)
{
    QList<RecentEntry> list = entries(entry.kind);
    list.removeAll(entry);
    store(entry.kind, list);
}

void RecentFiles::clear()
{
    QSettings settings;
    for (RecentEntry::Kind kind : {RecentEntry::Model, RecentEntry::Dataset, RecentEntry::Session})
        settings.remove(key(kind));
    settings.remove(QStringLiteral("recentFiles")); // the list of earlier versions
}

bool RecentFiles::isEmpty()
{
    for (RecentEntry::Kind kind : {RecentEntry::Model, RecentEntry::Dataset, RecentEntry::Session})
        if (!entries(kind).isEmpty())
            return false;
    return true;
}

void RecentFiles::fillMenu(QMenu* menu, const std::function<void(const RecentEntry&)>& open)
{
    menu->clear();
    const std::pair<RecentEntry::Kind, QString> sections[] = {{RecentEntry::Model, QObject::tr("Models")},
                                                              {RecentEntry::Dataset, QObject::tr("Datasets")},
                                                              {RecentEntry::Session, QObject::tr("Sessions")}};
    for (const auto& [kind, title] : sections) {
        const QList<RecentEntry> list = entries(kind);
        if (list.isEmpty())
            continue;
        menu->addSection(title);
        for (const RecentEntry& e : list) {
            QAction* a = menu->addAction(e.label(), menu, [open, e] { open(e); });
            a->setToolTip(e.adapter.isEmpty() ? e.path : e.path + QLatin1Char('\n') + e.adapter);
        }
    }
    if (menu->isEmpty())
        menu->addAction(QObject::tr("(none)"))->setEnabled(false);
    menu->addSeparator();
    QAction* clearAction = menu->addAction(QObject::tr("&Clear list"), menu, [] { clear(); });
    clearAction->setEnabled(!isEmpty());
}

} // namespace lnscope::app
