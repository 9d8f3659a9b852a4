// Placeholder test for onnx_export (implementation in progress).
#include <QTest>

class TestOnnxExport : public QObject
{
    Q_OBJECT
private slots:
    void pending() { QSKIP("onnx_export: not implemented yet"); }
};

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "test_onnx_export.moc"
