#include "lnscope/core/compare.h"
#include "lnscope/core/error.h"
#include "lnscope/core/tensor.h"
#include "test_utils.h"

#include <QTest>
#include <limits>

using namespace lnscope::core;

class TestTensor : public QObject
{
    Q_OBJECT
private slots:
    void numel_data()
    {
        QTest::addColumn<QList<qint64>>("dims");
        QTest::addColumn<qint64>("expected");
        QTest::addRow("scalar") << QList<qint64>{} << qint64(1);
        QTest::addRow("vector") << QList<qint64>{7} << qint64(7);
        QTest::addRow("nchw") << QList<qint64>{2, 3, 4, 5} << qint64(120);
        QTest::addRow("zero dim") << QList<qint64>{3, 0, 2} << qint64(0);
    }
    void numel()
    {
        QFETCH(QList<qint64>, dims);
        QFETCH(qint64, expected);
        Shape s(dims.begin(), dims.end());
        QCOMPARE(shapeNumel(s), expected);
        QCOMPARE(Tensor(DType::Float32, s).numel(), expected);
    }
    void numelRejectsBadShapes()
    {
        QVERIFY_THROWS_EXCEPTION(ShapeError, shapeNumel({2, -1}));
        const int64_t big = std::numeric_limits<int64_t>::max() / 2;
        QVERIFY_THROWS_EXCEPTION(ShapeError, shapeNumel({big, 3}));
    }
    void stridesAreRowMajor()
    {
        QCOMPARE(stridesOf({2, 3, 4}), (std::vector<int64_t>{12, 4, 1}));
    }
    void reshapeKeepsData()
    {
        Tensor t = Tensor::fromFloats({2, 3}, {1, 2, 3, 4, 5, 6});
        Tensor r = t.reshaped({3, 2});
        QCOMPARE(r.shape(), (Shape{3, 2}));
        QCOMPARE(r.floats()[5], 6.f);
        QVERIFY_THROWS_EXCEPTION(ShapeError, t.reshaped({4, 2}));
    }
    void dtypeIsChecked()
    {
        Tensor t = Tensor::fromInts({2}, {4, 5});
        QVERIFY_THROWS_EXCEPTION(UnsupportedError, t.floats());
        QCOMPARE(t.toFloats(), (std::vector<float>{4.f, 5.f}));
    }
    void compareReportsFirstMismatch()
    {
        Tensor a = Tensor::fromFloats({4}, {1, 2, 3, 4});
        Tensor b = Tensor::fromFloats({4}, {1, 2, 3.5f, 4});
        const TensorComparison c = compareTensors(a, b);
        QVERIFY(!c.ok);
        QCOMPARE(c.firstMismatch, int64_t(2));
        QCOMPARE(c.maxAbs, 0.5);
        QVERIFY(c.message.find("element 2") != std::string::npos);
        QVERIFY(compareTensors(a, a).ok);
        QVERIFY(!compareTensors(a, a.reshaped({2, 2})).ok);
    }
    void nearlyEqualHandlesSpecials()
    {
        QVERIFY(nearlyEqual(std::nan(""), std::nan(""), 0, 0));
        QVERIFY(!nearlyEqual(std::nan(""), 1.0, 1, 1));
        QVERIFY(!nearlyEqual(INFINITY, 1e30, 1, 1));
        QVERIFY(nearlyEqual(100.0, 101.0, 0.0, 0.01));
        QVERIFY(!nearlyEqual(100.0, 102.0, 0.0, 0.01));
    }
};

QTEST_GUILESS_MAIN(TestTensor)
#include "test_tensor.moc"
