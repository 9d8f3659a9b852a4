#pragma once
// PaintRecorder: a paint device that keeps what is painted on it as commands, to be replayed later
// with any QPainter on any thread — what QPicture does, without serializing: images, paths, pens
// and fonts are kept as (implicitly shared) Qt values, so recording a view costs little more than
// painting it, and a large image costs nothing. The report records its widget views on the GUI
// thread and draws them on the writer's thread (report_figures.h).
//
// Recorded: every QPainter drawing call and the painter state (pen, brush, font, transform, clip,
// hints, opacity, composition mode). Not recorded: the paint engine's system clip (which
// QWidget::render() sets per child widget) — a child widget that paints past its own rectangle is
// not clipped to it. Pixmaps are recorded as images (QPixmap belongs to the GUI thread).
//
// Threading: record on one thread (the QPainter on the recorder); replay() on any thread, as often
// as wanted, once the recording painter has ended. A PaintRecording is a plain value.

#include <QPaintDevice>
#include <QSize>

#include <memory>

class QPainter;
class QPaintEngine;

namespace lnscope::app {

/// What was painted on a PaintRecorder.
class PaintRecording
{
public:
    struct Commands; ///< the recorded commands (paint_recorder.cpp)

    PaintRecording() = default;
    explicit PaintRecording(std::shared_ptr<const Commands> commands) : m_commands(std::move(commands)) {}

    /// Paints the recording with `painter`, in its current coordinates (the recorder's (0, 0) at
    /// the painter's origin; fonts at the size they had on the recorder). Saves and restores the
    /// painter's state.
    void replay(QPainter& painter) const;
    /// Number of commands (drawing and state changes).
    size_t size() const;

private:
    std::shared_ptr<const Commands> m_commands;
};

class PaintRecorder : public QPaintDevice
{
public:
    /// A device of `size` pixels at `dpi` dots per inch (fonts in points are laid out at it).
    explicit PaintRecorder(QSize size, int dpi = 96);
    ~PaintRecorder() override;

    /// What was painted so far (end the painter first).
    PaintRecording recording() const;

    QPaintEngine* paintEngine() const override;

protected:
    int metric(PaintDeviceMetric metric) const override;

private:
    class Engine;
    QSize m_size;
    int m_dpi;
    std::unique_ptr<Engine> m_engine;
};

} // namespace lnscope::app
