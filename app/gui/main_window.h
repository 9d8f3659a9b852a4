#pragma once
// The LNScope main window. A stub for now: the offscreen VTK view as central widget, a status
// bar and Help → About. The workbench's documents, jobs and views are wired here later; the
// window owns no numerics (DESIGN.md).

#include <QMainWindow>

namespace lnscope::widgets {
class VtkImageView;
}

namespace lnscope::app {

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    widgets::VtkImageView* sceneView() const { return m_sceneView; }

public slots:
    void showAbout();

private:
    void createMenus();

    widgets::VtkImageView* m_sceneView = nullptr;
};

} // namespace lnscope::app
