#pragma once
// Image export of one view: PNG of what the view shows (its size, device pixels of the screen),
// and SVG for the views that draw vectors (the bird's-eye boxes, the charts): the view renders
// itself into a QSvgGenerator, so lines and text stay lines and text.
//
// Threading: GUI thread (widgets render on it; a view renders in milliseconds).

#include <QString>

class QWidget;

namespace lnscope::app {

enum class ImageFormat { Png, Svg };

/// The format a file name asks for (by its suffix, case-insensitive), PNG when it has none.
/// Throws lnscope::core::UnsupportedError for other suffixes.
ImageFormat imageFormatFor(const QString& path);

/// Saves `view` as `path` (PNG or SVG by imageFormatFor()). SVG needs `vector`; the SVG's title
/// is `title`. Writes to a temporary name and renames, so no partial file is left. Throws
/// core::UnsupportedError (SVG of a raster view, unknown suffix) or core::IoError naming the file.
void exportViewImage(QWidget* view, const QString& path, bool vector, const QString& title);

} // namespace lnscope::app
