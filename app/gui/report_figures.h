#pragma once
// The figures of the conversion report (report_builder.h): what a figure shows (FigureSpec, made
// by report_blocks.cpp) and the drawing that the writers place on their pages (Figure).
//
// Every figure is drawn by a view of the workbench — no second drawing code — in one of two ways:
//   paint     views with a static paint() (BevView) draw plain values with any QPainter: the
//             figure is painted where it is placed, on any thread;
//   makeView  the other views are widgets (Qt Charts, the segmentation panes), which live on the
//             GUI thread only: there the view is made, given its data, laid out off screen and
//             drawn once into a PaintRecorder (paint_recorder.h: vector commands, images kept as
//             they are). That is the only part of a report that runs on the GUI thread, in steps
//             of one event-loop turn each (a few tens of milliseconds); the writers replay the
//             recording on their own thread, into the PDF (vectors) or into a PNG (HTML).
//
// Threading: FigureMaker::make() may be called on any thread; Figure::draw on any thread, once
// the figure is made (a Figure is a plain value; copies share the recording).

#include "lnscope/core/progress.h"

#include <QFont>
#include <QSize>
#include <QSizeF>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

class QPainter;
class QWidget;

namespace lnscope::app::report {

/// How to make one figure: exactly one of makeView and paint is set.
struct FigureSpec
{
    /// The size of the drawing in logical pixels (one PDF device pixel, PdfReport::kDpi). A view
    /// is sized so that the part drawn gets this size (with partAspect: this width).
    QSize size;

    /// GUI thread: the view, empty, in the report's font …
    std::function<std::unique_ptr<QWidget>()> makeView;
    /// … and what it shows (a step of its own: setting a large plot takes a while).
    std::function<void(QWidget& view)> setUp;
    /// Object name of the child drawn (the plot without the view's controls); empty: the view.
    QString part;
    /// Object names of children hidden before the view is laid out (headers, controls).
    QStringList hide;
    /// > 0: the part's height follows its width (width / height), so that images fill it.
    double partAspect = 0.0;

    /// Any thread: draws the figure into (0, 0)–size with `painter`.
    std::function<void(QPainter& painter, QSizeF size)> paint;

    /// What draws it ("MemoryBudgetView", …): the HTML image's alternative text.
    QString name;

    bool isSet() const { return bool(makeView) || bool(paint); }
};

/// A figure ready to be drawn, on any thread.
struct Figure
{
    QSizeF size; ///< logical pixels
    /// Draws the figure into (0, 0)–size of `painter` (clipped to it).
    std::function<void(QPainter& painter)> draw;
};

/// Makes the figures of one report for a writer running on any thread.
class FigureMaker
{
public:
    /// `progress` (may be null) is asked whether the report was cancelled while a view is
    /// recorded on the GUI thread.
    explicit FigureMaker(core::Progress* progress) : m_progress(progress) {}

    /// A `paint` figure at once; a `makeView` figure recorded on the GUI thread: right away when
    /// called there, else queued to the GUI thread's event loop (which must be running) while
    /// this thread waits. Throws core::Cancelled when `progress` is cancelled (or the application
    /// quits) meanwhile, core::IoError when the view cannot be made.
    Figure make(const FigureSpec& spec) const;

private:
    core::Progress* m_progress;
};

/// The figure as "data:image/png;base64,…" at `pixelRatio` image pixels per logical pixel, on a
/// white background. Any thread.
QString pngDataUri(const Figure& figure, double pixelRatio = 2.0);

/// The views' font in the report: DejaVu Sans 8.5 pt (views are drawn 1:1, so this is its size
/// on paper too), letter-spaced so that no ligature hides a word from a PDF search.
QFont viewFont();

/// Letter spacing, however small, turns ligatures off: "ﬂoat" would not be found when searching
/// the PDF for "float".
void noLigatures(QFont& font);

} // namespace lnscope::app::report
