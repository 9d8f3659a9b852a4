// LayerTableModel: a well-behaved item model over a ConversionReport — headers, formatting
// (exact / missing / undefined / negative SQNR), sorting through a proxy with missing values
// last, the first diverging layer, row lookups and resets.

#include "lnscope/widgets/layer_table_model.h"

#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "test_utils.h"

#include <QAbstractItemModelTester>
#include <QFont>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <cmath>
#include <limits>

using namespace lnscope;
using core::Agreement;
using core::ConversionReport;
using core::Stage;
using widgets::LayerSortProxyModel;
using widgets::LayerTableModel;
using Kind = LayerTableModel::ColumnKind;

namespace {

/// The bundled tiny model converted with default settings, calibrated (so "+act" exists), with the
/// sensitivity sweep.
const ConversionReport& tinyReport()
{
    static const ConversionReport report = [] {
        const core::Graph g = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
        const core::TensorMap in{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
        const core::ConvertedModel m = core::convertModel(g, core::ConversionConfig{}, {in});
        core::ConversionReportOptions o;
        o.sensitivity = true;
        return core::buildConversionReport(m, {in}, o);
    }();
    return report;
}

std::optional<Agreement> agreement(double sqnrDb, double cosine = 0.99)
{
    Agreement a;
    a.count = 10;
    a.defined = !std::isnan(sqnrDb);
    a.sqnrDb = sqnrDb;
    a.cosine = a.defined ? cosine : std::nan("");
    if (!a.defined)
        a.note = "reference is all zero";
    return a;
}

const double kInf = std::numeric_limits<double>::infinity();

/// Four layers a..d; at "+act": a 40 dB, b exact, c not compared, d −3.24 dB (c undefined at CC).
/// The last stage diverges first at tensor `divergingTensor` (-1: nowhere).
ConversionReport syntheticReport(const std::string& divergingTensor = {})
{
    ConversionReport r;
    r.weightFormat = "lns8";
    for (Stage s : {Stage::Float32, Stage::BatchNormFolded, Stage::ClusterCompressed, Stage::Lns8}) {
        core::BudgetReport b;
        b.stage = s;
        r.budgets.push_back(b);
    }
    const char* names[] = {"a", "b", "c", "d"};
    core::StageAgreement act{"+act", Stage::Lns8, true, {}, {}, -1};
    for (const char* label : {"BNF", "CC", "LNS8"})
        r.stages.push_back({label, Stage::BatchNormFolded, false, {}, {}, -1});
    for (int i = 0; i < 4; ++i) {
        core::LayerReport l;
        l.node = std::string("/") + names[i] + "/Conv";
        l.op = i == 3 ? "Gemm" : "Conv";
        l.tensor = std::string("t_") + names[i];
        l.weightShape = i == 3 ? core::Shape{10, 4} : core::Shape{8, 3, 3, 3};
        l.clustered = i != 3;
        l.clusters = l.clustered ? 16 + i : 0;
        l.weights = i == 3 ? 40 : 216 * (i + 1) * 100;
        l.bitsPerWeight = 4.0 + i;
        l.bytes = {1000 * (i + 1), 900 * (i + 1), 400 * (i + 1), 100 * (i + 1)};
        l.agreement = {agreement(120.0), i == 2 ? agreement(std::nan("")) : agreement(30.0 - i), agreement(25.0 - i)};
        const std::optional<Agreement> last[] = {agreement(40.0, 0.9999), agreement(kInf, 1.0), std::nullopt,
                                                 agreement(-3.24, -0.25)};
        l.agreement.push_back(last[i]);
        if (i != 1)
            l.sensitivityDb = 20.0 - 5.0 * i;
        r.layers.push_back(l);
        act.layers.push_back({2 * i, l.node, l.op, l.tensor, {}});
        act.layers.push_back({2 * i + 1, std::string("/") + names[i] + "/Relu", "Relu", l.tensor + "_relu", {}});
    }
    for (size_t i = 0; i < act.layers.size(); ++i)
        if (act.layers[i].tensor == divergingTensor)
            act.firstDiverging = int(i);
    r.stages.push_back(act);
    return r;
}

QString text(const QAbstractItemModel& m, int row, int column, int role = Qt::DisplayRole)
{
    return m.data(m.index(row, column), role).toString();
}

QStringList nodesInOrder(const QAbstractItemModel& m)
{
    QStringList out;
    for (int r = 0; r < m.rowCount(); ++r)
        out << text(m, r, 0);
    return out;
}

} // namespace

class TestLayerTableModel : public QObject
{
    Q_OBJECT
private slots:
    void passesTheModelTester();
    void headersFollowTheReport();
    void formatting_data();
    void formatting();
    void numbersAlignRight();
    void sortingKeepsMissingLast();
    void sortingByNodeRestoresGraphOrder();
    void divergingLayerIsHighlighted_data();
    void divergingLayerIsHighlighted();
    void realReportMarksItsDivergingLayer();
    void rowLookups();
    void setReportResets();
};

void TestLayerTableModel::passesTheModelTester()
{
    LayerTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(tinyReport());
    model.setReport(syntheticReport("t_c"));
    model.setReport({});
    LayerSortProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(tinyReport());
    proxy.sort(model.columnOf(Kind::Sqnr, 3), Qt::DescendingOrder);
    QCOMPARE(proxy.rowCount(), int(tinyReport().layers.size()));
}

void TestLayerTableModel::headersFollowTheReport()
{
    LayerTableModel model;
    model.setReport(tinyReport());
    QStringList headers;
    for (int c = 0; c < model.columnCount(); ++c)
        headers << model.headerData(c, Qt::Horizontal).toString();
    const QStringList expected{"node",     "op",       "weight shape", "parameters", "K",         "bits/weight",
                               "float32 B", "BNF B",   "CC B",         "LNS8 B",     "SQNR BNF",  "SQNR CC",
                               "SQNR LNS8", "SQNR +act", "cosine +act", "sensitivity dB"};
    QCOMPARE(headers, expected);
    for (int c = 0; c < model.columnCount(); ++c)
        QVERIFY2(!model.headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty(), qPrintable(headers[c]));
    QVERIFY(model.headerData(model.columnOf(Kind::Sqnr, 2), Qt::Horizontal, Qt::ToolTipRole).toString().contains("dB"));
    QVERIFY(model.headerData(model.columnOf(Kind::Bytes, 2), Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains("cluster compressed"));

    // Without the sweep and without calibrated activations: no sensitivity, no "+act" columns.
    ConversionReport plain = tinyReport();
    plain.stages.pop_back();
    for (core::LayerReport& l : plain.layers) {
        l.agreement.pop_back();
        l.sensitivityDb.reset();
    }
    model.setReport(plain);
    QCOMPARE(model.columnCount(), int(expected.size()) - 2);
    QCOMPARE(model.columnOf(Kind::Sensitivity), -1);
    QCOMPARE(model.headerData(model.columnCount() - 1, Qt::Horizontal).toString(), QString("cosine LNS8"));
}

void TestLayerTableModel::formatting_data()
{
    QTest::addColumn<int>("row");
    QTest::addColumn<int>("kind");
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("display");
    QTest::addColumn<QVariant>("sort");

    auto add = [](const char* name, int row, Kind kind, int index, const QString& display, const QVariant& sort) {
        QTest::addRow("%s", name) << row << int(kind) << index << display << sort;
    };
    add("finite SQNR", 0, Kind::Sqnr, 3, "40.0", 40.0);
    add("exact SQNR", 1, Kind::Sqnr, 3, "exact", kInf);
    add("not compared", 2, Kind::Sqnr, 3, "–", QVariant());
    add("undefined SQNR", 2, Kind::Sqnr, 1, "–", QVariant());
    add("negative SQNR", 3, Kind::Sqnr, 3, "-3.2", -3.24);
    add("cosine", 0, Kind::Cosine, 3, "0.99990", 0.9999);
    add("negative cosine", 3, Kind::Cosine, 3, "-0.25000", -0.25);
    add("cosine missing", 2, Kind::Cosine, 3, "–", QVariant());
    add("grouped parameters", 2, Kind::Parameters, -1, "64,800", qlonglong(64800));
    add("bytes", 3, Kind::Bytes, 0, "4,000", qlonglong(4000));
    add("K", 0, Kind::Clusters, -1, "16", qlonglong(16));
    add("K of an uncompressed layer", 3, Kind::Clusters, -1, "–", QVariant());
    add("bits per weight", 1, Kind::BitsPerWeight, -1, "5.00", 5.0);
    add("weight shape", 0, Kind::Shape, -1, "8×3×3×3", qlonglong(21600));
    add("sensitivity", 2, Kind::Sensitivity, -1, "10.0", 10.0);
    add("sensitivity missing", 1, Kind::Sensitivity, -1, "–", QVariant());
}

void TestLayerTableModel::formatting()
{
    QFETCH(int, row);
    QFETCH(int, kind);
    QFETCH(int, index);
    QFETCH(QString, display);
    QFETCH(QVariant, sort);
    LayerTableModel model;
    model.setReport(syntheticReport());
    const int column = model.columnOf(Kind(kind), index);
    QVERIFY(column >= 0);
    QCOMPARE(text(model, row, column), display);
    const QVariant actual = model.data(model.index(row, column), LayerTableModel::SortRole);
    QCOMPARE(actual.isValid(), sort.isValid());
    if (sort.isValid())
        QCOMPARE(actual.toDouble(), sort.toDouble());
}

void TestLayerTableModel::numbersAlignRight()
{
    LayerTableModel model;
    model.setReport(syntheticReport());
    auto alignment = [&](int column) {
        return Qt::Alignment(model.data(model.index(0, column), Qt::TextAlignmentRole).toInt());
    };
    QVERIFY(alignment(model.columnOf(Kind::Node)) & Qt::AlignLeft);
    QVERIFY(alignment(model.columnOf(Kind::Shape)) & Qt::AlignLeft);
    for (Kind k : {Kind::Parameters, Kind::Clusters, Kind::BitsPerWeight, Kind::Bytes, Kind::Sqnr, Kind::Cosine})
        QVERIFY(alignment(model.columnOf(k)) & Qt::AlignRight);
}

void TestLayerTableModel::sortingKeepsMissingLast()
{
    LayerTableModel model;
    model.setReport(syntheticReport());
    const int act = model.columnOf(Kind::Sqnr, 3);

    QSortFilterProxyModel plain;
    plain.setSourceModel(&model);
    plain.setSortRole(LayerTableModel::SortRole);
    plain.sort(act, Qt::AscendingOrder);
    QCOMPARE(nodesInOrder(plain), QStringList({"/d/Conv", "/a/Conv", "/b/Conv", "/c/Conv"}));

    LayerSortProxyModel proxy;
    proxy.setSourceModel(&model);
    QCOMPARE(proxy.sortRole(), int(LayerTableModel::SortRole));
    proxy.sort(act, Qt::AscendingOrder);
    QCOMPARE(nodesInOrder(proxy), QStringList({"/d/Conv", "/a/Conv", "/b/Conv", "/c/Conv"}));
    proxy.sort(act, Qt::DescendingOrder);
    QCOMPARE(nodesInOrder(proxy), QStringList({"/b/Conv", "/a/Conv", "/d/Conv", "/c/Conv"}));
    // Sensitivity: b has none.
    const int sens = model.columnOf(Kind::Sensitivity);
    proxy.sort(sens, Qt::AscendingOrder);
    QCOMPARE(nodesInOrder(proxy), QStringList({"/d/Conv", "/c/Conv", "/a/Conv", "/b/Conv"}));
    proxy.sort(sens, Qt::DescendingOrder);
    QCOMPARE(nodesInOrder(proxy), QStringList({"/a/Conv", "/c/Conv", "/d/Conv", "/b/Conv"}));
    // Bytes sort as numbers, not as text ("4,000" > "400").
    proxy.sort(model.columnOf(Kind::Bytes, 3), Qt::DescendingOrder);
    QCOMPARE(nodesInOrder(proxy), QStringList({"/d/Conv", "/c/Conv", "/b/Conv", "/a/Conv"}));
}

void TestLayerTableModel::sortingByNodeRestoresGraphOrder()
{
    LayerTableModel model;
    model.setReport(tinyReport());
    LayerSortProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.sort(model.columnOf(Kind::Bytes, 0), Qt::DescendingOrder);
    proxy.sort(model.columnOf(Kind::Node), Qt::AscendingOrder);
    QStringList graphOrder;
    for (const core::LayerReport& l : tinyReport().layers)
        graphOrder << QString::fromStdString(l.node);
    QCOMPARE(nodesInOrder(proxy), graphOrder);
}

void TestLayerTableModel::divergingLayerIsHighlighted_data()
{
    QTest::addColumn<QString>("tensor");
    QTest::addColumn<int>("row");
    QTest::addRow("a converted layer's output") << "t_c" << 2;
    QTest::addRow("an activation after a converted layer") << "t_b_relu" << 1;
    QTest::addRow("nothing diverges") << "" << -1;
}

void TestLayerTableModel::divergingLayerIsHighlighted()
{
    QFETCH(QString, tensor);
    QFETCH(int, row);
    LayerTableModel model;
    model.setReport(syntheticReport(tensor.toStdString()));
    QCOMPARE(model.divergingRow(), row);
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex i = model.index(r, model.columnOf(Kind::Sqnr, 3));
        const bool diverging = r == row;
        QCOMPARE(i.data(LayerTableModel::DivergingRole).toBool(), diverging);
        QCOMPARE(i.data(Qt::BackgroundRole).isValid(), diverging);
        QCOMPARE(i.data(Qt::FontRole).isValid() && i.data(Qt::FontRole).value<QFont>().bold(), diverging);
    }
    if (row >= 0)
        QVERIFY(text(model, row, 0, Qt::ToolTipRole).contains("+act"));
}

void TestLayerTableModel::realReportMarksItsDivergingLayer()
{
    LayerTableModel model;
    model.setReport(tinyReport());
    const core::StageAgreement& last = tinyReport().stages.back();
    QCOMPARE(last.label, std::string("+act"));
    if (last.firstDiverging < 0)
        QSKIP("the tiny model does not diverge at +act with these settings");
    // The first diverging tensor of the tiny model is a folded BN's output: the conv's row.
    const std::string& tensor = last.layers[size_t(last.firstDiverging)].tensor;
    const int row = model.divergingRow();
    QVERIFY(row >= 0);
    QCOMPARE(tinyReport().layers[size_t(row)].tensor, tensor);
}

void TestLayerTableModel::rowLookups()
{
    LayerTableModel model;
    model.setReport(tinyReport());
    for (int r = 0; r < model.rowCount(); ++r) {
        QCOMPARE(model.nodeAt(r), QString::fromStdString(tinyReport().layers[size_t(r)].node));
        QCOMPARE(model.rowOf(model.nodeAt(r)), r);
    }
    QCOMPARE(model.rowOf("/enc2/enc2.0/Conv"), 1);
    QCOMPARE(model.rowOf("nope"), -1);
    QCOMPARE(model.nodeAt(-1), QString());
    QCOMPARE(model.nodeAt(model.rowCount()), QString());
}

void TestLayerTableModel::setReportResets()
{
    LayerTableModel model;
    QSignalSpy aboutToReset(&model, &QAbstractItemModel::modelAboutToBeReset);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QCOMPARE(model.rowCount(), 0);
    model.setReport(tinyReport());
    QCOMPARE(aboutToReset.count(), 1);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), int(tinyReport().layers.size()));
    model.setReport(syntheticReport());
    QCOMPARE(reset.count(), 2);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.nodeAt(0), QString("/a/Conv"));
}

QTEST_MAIN(TestLayerTableModel)
#include "test_layer_table_model.moc"
