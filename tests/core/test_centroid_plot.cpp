// centroid_plot.h: PCA projection of a layer's normalized kernels, centroids, occupancy.
#include "lnscope/core/centroid_plot.h"

#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <numeric>

using namespace lnscope;
using core::ConversionConfig;
using core::ConvertedModel;
using core::Tensor;

namespace {

/// A one-conv model whose 3×3 kernels are scaled copies of directions lying in a 2-D plane of the
/// 9-d kernel space (components 0 and 4), some kernels all zero.
core::Graph planarModel()
{
    std::mt19937 rng(99u);
    const int64_t O = 12, I = 10;
    std::vector<float> w(static_cast<size_t>(O * I * 9), 0.f);
    for (int64_t u = 0; u < O * I; ++u) {
        if (u % 17 == 3)
            continue; // all-zero kernel
        const double angle = test::uniform(rng, 0.2f, 1.3f);
        const double scale = test::uniform(rng, 0.5f, 2.0f);
        w[size_t(u * 9 + 0)] = float(scale * std::cos(angle));
        w[size_t(u * 9 + 4)] = float(scale * std::sin(angle)); // the centre: positive, so m > 0
    }
    test::ModelBuilder b;
    b.input("x", {1, I, 8, 8});
    b.initializer("w", Tensor::fromFloats({O, I, 3, 3}, w));
    b.node("Conv", {"x", "w"}, {"y"}, "conv");
    b.output("y");
    return b.import();
}

} // namespace

class TestCentroidPlot : public QObject
{
    Q_OBJECT
private slots:
    void planarKernelsKeepTheirDistances();
    void occupancyAndOrder();
    void refinedLayerShowsBothBooks();
    void refusesUnclusteredLayers();
};

void TestCentroidPlot::planarKernelsKeepTheirDistances()
{
    const core::Graph g = planarModel();
    ConversionConfig cfg;
    cfg.clusters = 8;
    const ConvertedModel m = core::convertModel(g, cfg, {});
    const core::ConvertedLayer& l = m.layers.at(0);
    const Tensor& w = *m.folded.initializer(l.weightName);
    const core::CentroidPlot p = core::centroidPlot(l, w);
    QCOMPARE(p.d, 9);
    QCOMPARE(p.kh, 3);
    QCOMPARE(p.clusters, 8);
    QCOMPARE(p.kernels, int64_t(120 - 7)); // u % 17 == 3: 7 of the 120 kernels are zero
    // The data lie in a 2-D plane: two axes explain everything, and the projection is an isometry
    // of that plane — distances between normalized kernels survive exactly (up to float rounding).
    QVERIFY2(p.explained[0] + p.explained[1] > 1.0 - 1e-9, qPrintable(QString::number(p.explained[0] + p.explained[1])));
    QVERIFY(p.explained[0] >= p.explained[1]);
    std::vector<std::array<double, 2>> normalized;
    for (size_t u = 0; u < l.kernels.unitCount(); ++u)
        if (l.kernels.scales[u] != 0.f)
            normalized.push_back({w.floats()[u * 9] / double(l.kernels.scales[u]), w.floats()[u * 9 + 4] / double(l.kernels.scales[u])});
    QCOMPARE(p.points.size(), normalized.size());
    for (size_t a = 0; a < normalized.size(); a += 7)
        for (size_t b = a + 1; b < normalized.size(); b += 11) {
            const double original = std::hypot(normalized[a][0] - normalized[b][0], normalized[a][1] - normalized[b][1]);
            const double projected = std::hypot(double(p.points[a][0]) - p.points[b][0], double(p.points[a][1]) - p.points[b][1]);
            QVERIFY2(std::fabs(original - projected) < 1e-5, qPrintable(QString("%1 vs %2").arg(original).arg(projected)));
        }
    // Same input, same picture (axis signs are fixed).
    const core::CentroidPlot again = core::centroidPlot(l, w);
    QCOMPARE(again.points, p.points);
    QCOMPARE(again.centroids, p.centroids);
}

void TestCentroidPlot::occupancyAndOrder()
{
    const ConvertedModel m = core::convertModel(planarModel(), ConversionConfig{}, {});
    const core::ConvertedLayer& l = m.layers.at(0);
    const core::CentroidPlot p = core::centroidPlot(l, *m.folded.initializer(l.weightName), 50);
    // An evenly strided sample: stride ⌈113 / 50⌉ = 3 → ⌈113 / 3⌉ = 38 points.
    QCOMPARE(p.points.size(), size_t{38});
    QCOMPARE(p.pointCluster.size(), p.points.size());
    QCOMPARE(std::accumulate(p.occupancy.begin(), p.occupancy.end(), int64_t{0}), p.kernels);
    QCOMPARE(p.byOccupancy.size(), size_t(p.clusters));
    for (size_t i = 1; i < p.byOccupancy.size(); ++i)
        QVERIFY(p.occupancy[size_t(p.byOccupancy[i - 1])] >= p.occupancy[size_t(p.byOccupancy[i])]);
    QCOMPARE(p.centroidValues.size(), size_t(p.clusters * 9));
    QVERIFY(p.centroidsBefore.empty());
}

void TestCentroidPlot::refinedLayerShowsBothBooks()
{
    const core::Graph g = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
    const core::TensorMap in{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
    ConversionConfig cfg;
    cfg.clusters = 8;
    cfg.refine = true;
    const ConvertedModel m = core::convertModel(g, cfg, {in});
    const core::ConvertedLayer* l = m.layer("/enc3/enc3.0/Conv");
    QVERIFY(l && l->refined);
    const core::CentroidPlot p = core::centroidPlot(*l, *m.folded.initializer(l->weightName));
    QCOMPARE(p.centroidsBefore.size(), p.centroids.size());
    QVERIFY(p.centroidsBefore != p.centroids); // refinement moved them
    // The pre-refinement book survives save/load.
    const auto dir = test::makeTempDir("centroid-plot");
    core::saveConverted(m, dir / "m.lnsz");
    const ConvertedModel loaded = core::loadConverted(dir / "m.lnsz", g);
    QCOMPARE(loaded.layer("/enc3/enc3.0/Conv")->centroidsBeforeRefine, l->centroidsBeforeRefine);
}

void TestCentroidPlot::refusesUnclusteredLayers()
{
    const core::Graph g = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
    const ConvertedModel m = core::convertModel(g, ConversionConfig{}, {});
    const core::ConvertedLayer* l = m.layer("/classifier/Conv"); // 1×1: kept
    QVERIFY(l && !l->clustered);
    QVERIFY_THROWS_EXCEPTION(core::UnsupportedError, core::centroidPlot(*l, *m.folded.initializer(l->weightName)));
}

QTEST_GUILESS_MAIN(TestCentroidPlot)
#include "test_centroid_plot.moc"
