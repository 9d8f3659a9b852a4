#include "view_export.h"

#include "lnscope/core/error.h"

#include <QFileInfo>
#include <QPainter>
#include <QPixmap>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

namespace lnscope::app {

ImageFormat imageFormatFor(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix.isEmpty() || suffix == QLatin1String("png"))
        return ImageFormat::Png;
    if (suffix == QLatin1String("svg"))
        return ImageFormat::Svg;
    throw core::UnsupportedError(path.toStdString() + ": unknown image type '." + suffix.toStdString()
                                 + "' (expected .png or .svg)");
}

void exportViewImage(QWidget* view, const QString& path, bool vector, const QString& title)
{
    const ImageFormat format = imageFormatFor(path);
    if (format == ImageFormat::Svg && !vector)
        throw core::UnsupportedError(path.toStdString() + ": this view is an image; export it as PNG");
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        throw core::IoError(path.toStdString() + ": cannot write (" + file.errorString().toStdString() + ")");
    bool ok = true;
    if (format == ImageFormat::Png) {
        ok = view->grab().toImage().save(&file, "PNG");
    } else {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(view->size());
        svg.setResolution(view->logicalDpiX()); // physical size as on the screen
        svg.setViewBox(QRect(QPoint(0, 0), view->size()));
        svg.setTitle(title);
        svg.setDescription(QStringLiteral("LNScope view export"));
        QPainter painter;
        ok = painter.begin(&svg);
        if (ok) {
            view->render(&painter);
            ok = painter.end();
        }
    }
    if (!ok || !file.commit())
        throw core::IoError(path.toStdString() + ": cannot write (" + file.errorString().toStdString() + ")");
}

} // namespace lnscope::app
