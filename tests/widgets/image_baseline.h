#pragma once
// Image baselines with tolerance (STYLE.md 13) for the widget tests: render at a fixed size with a
// fixed font, compare with tests/baselines/<name>.png.
//
//   a pixel differs when any channel differs by more than `levels` (default 24 of 255);
//   the comparison fails when more than `maxShare` (default 2 %) of the pixels differ, or the
//   sizes differ. On failure the actual image and a diff image (differing pixels red, the rest a
//   dim grey copy of the actual) are written to <working dir>/baseline-failures/ and their paths
//   are in the message. A missing baseline is written (for review and commit) and the case skips.
//
// Use LNSCOPE_COMPARE_BASELINE(image, "test_x_case") inside a test function.

#include "test_utils.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QFont>
#include <QImage>
#include <QString>
#include <QStyleFactory>
#include <QWidget>

#include <algorithm>
#include <cstdlib>

namespace lnscope::test {

/// A fixed look for image baselines: Fusion style, DejaVu Sans 9 pt (installed with the
/// fonts-dejavu-core package the build already needs).
inline void useBaselineLook()
{
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QFont font(QStringLiteral("DejaVu Sans"));
    font.setPointSize(9);
    font.setHintingPreference(QFont::PreferFullHinting);
    QApplication::setFont(font);
}

/// Shows `widget` at `size`, lets layouts and charts settle, and grabs it.
inline QImage grabAtSize(QWidget& widget, QSize size)
{
    widget.resize(size);
    widget.show();
    if (!QTest::qWaitForWindowExposed(&widget))
        return {};
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::processEvents();
        QTest::qWait(1);
    }
    return widget.grab().toImage().convertToFormat(QImage::Format_RGB32);
}

struct BaselineResult
{
    enum Status { Match, Mismatch, Created } status = Match;
    QString message;
};

inline BaselineResult compareWithBaseline(const QImage& actual, const QString& name, double maxShare = 0.02,
                                          int levels = 24)
{
    const QString baselinePath =
        QString::fromStdString((sourceDir() / "tests" / "baselines" / (name.toStdString() + ".png")).string());
    if (actual.isNull())
        return {BaselineResult::Mismatch, QStringLiteral("nothing was rendered for %1").arg(name)};
    if (!QFileInfo::exists(baselinePath)) {
        QDir().mkpath(QFileInfo(baselinePath).absolutePath());
        if (!actual.save(baselinePath))
            return {BaselineResult::Mismatch, QStringLiteral("cannot write the new baseline %1").arg(baselinePath)};
        return {BaselineResult::Created,
                QStringLiteral("baseline created: %1 — look at it, then commit it").arg(baselinePath)};
    }
    const QImage expected = QImage(baselinePath).convertToFormat(QImage::Format_RGB32);
    const QImage image = actual.convertToFormat(QImage::Format_RGB32);
    QImage diff(image.size(), QImage::Format_RGB32);
    qint64 differing = 0;
    const bool sameSize = expected.size() == image.size();
    for (int y = 0; sameSize && y < image.height(); ++y) {
        const auto* a = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        const auto* e = reinterpret_cast<const QRgb*>(expected.constScanLine(y));
        auto* out = reinterpret_cast<QRgb*>(diff.scanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            const int delta = std::max({std::abs(qRed(a[x]) - qRed(e[x])), std::abs(qGreen(a[x]) - qGreen(e[x])),
                                        std::abs(qBlue(a[x]) - qBlue(e[x]))});
            const int grey = qGray(a[x]) / 4;
            out[x] = delta > levels ? qRgb(255, 0, 0) : qRgb(grey, grey, grey);
            differing += delta > levels ? 1 : 0;
        }
    }
    const double share = sameSize ? double(differing) / double(std::max<qint64>(1, qint64(image.width()) * image.height()))
                                  : 1.0;
    if (sameSize && share <= maxShare)
        return {};
    const QString dir = QDir::current().absoluteFilePath(QStringLiteral("baseline-failures"));
    QDir().mkpath(dir);
    const QString actualPath = dir + QLatin1Char('/') + name + QStringLiteral("_actual.png");
    const QString diffPath = dir + QLatin1Char('/') + name + QStringLiteral("_diff.png");
    image.save(actualPath);
    if (sameSize)
        diff.save(diffPath);
    const QString why = sameSize ? QStringLiteral("%1 % of the pixels differ by more than %2 levels (allowed: %3 %)")
                                       .arg(100.0 * share, 0, 'f', 2)
                                       .arg(levels)
                                       .arg(100.0 * maxShare, 0, 'f', 1)
                                 : QStringLiteral("size %1×%2, baseline %3×%4")
                                       .arg(image.width())
                                       .arg(image.height())
                                       .arg(expected.width())
                                       .arg(expected.height());
    return {BaselineResult::Mismatch, QStringLiteral("%1 differs from %2: %3; actual: %4%5")
                                          .arg(name, baselinePath, why, actualPath,
                                               sameSize ? QStringLiteral(", diff: ") + diffPath : QString())};
}

} // namespace lnscope::test

#define LNSCOPE_COMPARE_BASELINE(image, name)                                                       \
    do {                                                                                            \
        const lnscope::test::BaselineResult lnscopeBaseline_ = lnscope::test::compareWithBaseline((image), (name)); \
        if (lnscopeBaseline_.status == lnscope::test::BaselineResult::Created)                      \
            QSKIP(qPrintable(lnscopeBaseline_.message));                                            \
        if (lnscopeBaseline_.status == lnscope::test::BaselineResult::Mismatch)                     \
            QFAIL(qPrintable(lnscopeBaseline_.message));                                            \
    } while (false)
