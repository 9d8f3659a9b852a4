// Memory-budget model (numerics.md §2 "Storage"): the ResNet-18 reference figures recomputed from
// the architecture's layer shapes, the per-layer K = 64 example, K clamping, K = 1, every stage's
// terms on a small hand-counted model, layer shapes read from a Graph, the on-chip fit check and
// the peak live activations under the executor's freeing schedule.
//
// What the ResNet-18 ratios count (numerator = 32 bits × weight elements; denominator = every
// stored bit, LUT included):
//   3×3 only:     the 20 3×3 convs' weights; indices + scales + one shared 3×3 LUT (K = 256,
//                 32-bit centroids). Reproduces the spec: 35.7× / 17.9× / 12.0×.
//   whole model:  + stem (7×7), three 1×1 downsamples and FC weights stored as float32, no biases
//                 and no BN counted: 11.7× / 8.9× / 7.2×. With the FC bias (1,000 floats) and the
//                 biases of the 20 folded BNs (4,800 floats) also stored: 11.6× / 8.9× / 7.2×.
//   The spec prints 11.7× / 9.0× / 7.3×. No counting that puts the same parameters in numerator
//   and denominator *and* includes the LUT gives 9.0 and 7.3; they come out (11.70 / 8.96 / 7.26)
//   only when the 73,728-bit LUT is dropped from the whole-model count, while the spec's 3×3
//   figures include it (without it those would be 36.0× / 18.0× / 12.0×).
//   The test checks the reproducible figures and marks the two spec figures that do not
//   reproduce as expected failures (QEXPECT_FAIL), so the discrepancy stays visible.

#include "lnscope/core/error.h"
#include "lnscope/core/memory_budget.h"
#include "lnscope/core/onnx_import.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <string>
#include <vector>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;

namespace {

/// The spec's figure for the number of 3×3 kernels in ResNet-18 (compared, not used to compute).
constexpr int64_t kSpecResNet18Kernels3x3 = 1'220'608;

LayerShape conv(const std::string& name, int64_t in, int64_t out, int64_t k, bool bn)
{
    return {name, "Conv", out, in, k, k, false, bn, {}};
}

/// torchvision ResNet-18 (BasicBlock ×[2, 2, 2, 2]): stem 7×7 3→64; layer1: 4× 3×3 64→64;
/// layer2..4: 3×3 c→2c (stride 2), 3× 3×3 2c→2c, 1×1 downsample c→2c; fc 512→1000.
/// Convs have no bias; every conv is followed by a BN (`withBiasAndBn` marks them and gives the FC
/// its bias; otherwise only weights are described).
std::vector<LayerShape> resnet18(bool withBiasAndBn)
{
    const bool bn = withBiasAndBn;
    std::vector<LayerShape> layers{conv("conv1", 3, 64, 7, bn)};
    for (int i = 0; i < 4; ++i)
        layers.push_back(conv("layer1." + std::to_string(i), 64, 64, 3, bn));
    for (int stage = 2; stage <= 4; ++stage) {
        const int64_t out = int64_t(64) << (stage - 1);
        const int64_t in = out / 2;
        const std::string p = "layer" + std::to_string(stage) + ".";
        layers.push_back(conv(p + "0.conv1", in, out, 3, bn));
        layers.push_back(conv(p + "0.conv2", out, out, 3, bn));
        layers.push_back(conv(p + "0.downsample", in, out, 1, bn));
        layers.push_back(conv(p + "1.conv1", out, out, 3, bn));
        layers.push_back(conv(p + "1.conv2", out, out, 3, bn));
    }
    layers.push_back({"fc", "Gemm", 1000, 512, 1, 1, withBiasAndBn, false, {}});
    return layers;
}

std::vector<LayerShape> only3x3(const std::vector<LayerShape>& layers)
{
    std::vector<LayerShape> out;
    for (const LayerShape& l : layers)
        if (l.kh == 3 && l.kw == 3)
            out.push_back(l);
    return out;
}

/// The spec's reference config: one shared book per kernel size, K = 256, float32 centroids.
StorageConfig sharedBook(int scaleBits)
{
    StorageConfig c;
    c.clusters = 256;
    c.bookScope = BookScope::SharedPerKernelSize;
    c.scaleBits = scaleBits;
    c.centroidBits = 32;
    c.keepUncompressed = {"conv1"}; // the 7×7 stem stays float32 in the spec's whole-model figure
    return c;
}

/// The ratio to the spec's printed precision (one decimal).
double oneDecimal(double x)
{
    return std::round(x * 10.0) / 10.0;
}

int64_t sumKernels(const std::vector<LayerShape>& layers)
{
    int64_t n = 0;
    for (const LayerShape& l : layers)
        n += l.kernelCount();
    return n;
}

/// Small model for the stage and fit tests: a 3×3 conv 8→16 followed by BN, a Gemm 16→10 with bias.
std::vector<LayerShape> smallModel()
{
    return {{"c", "Conv", 16, 8, 3, 3, false, true, {}}, {"fc", "Gemm", 10, 16, 1, 1, true, false, {}}};
}

} // namespace

class TestMemoryBudget : public QObject
{
    Q_OBJECT
private slots:
    void resnet18KernelCount();
    void resnet18ThreeByThree_data();
    void resnet18ThreeByThree();
    void resnet18WholeModel_data();
    void resnet18WholeModel();
    void perLayerExample();
    void clusterCount_data();
    void clusterCount();
    void stages_data();
    void stages();
    void policyOptions();
    void countsSentence();
    void badConfig();
    void budgetFit_data();
    void budgetFit();
    void layerShapesFromGraph();
    void peakActivations();
};

void TestMemoryBudget::resnet18KernelCount()
{
    const std::vector<LayerShape> layers = only3x3(resnet18(false));
    QCOMPARE(layers.size(), size_t(16)); // 4 in layer1, 4 in each of layer2..4 (2 per block)
    QCOMPARE(sumKernels(layers), kSpecResNet18Kernels3x3);
    // Whole model: 11,678,912 weight elements; torchvision's 11,689,512 parameters add the FC
    // bias (1,000) and BN γ, β (2 × 4,800).
    int64_t weights = 0;
    for (const LayerShape& l : resnet18(false))
        weights += l.weightCount();
    QCOMPARE(weights, int64_t(11'678'912));
}

void TestMemoryBudget::resnet18ThreeByThree_data()
{
    QTest::addColumn<int>("scaleBits");
    QTest::addColumn<double>("specRatio");
    QTest::addRow("no scale") << 0 << 35.7;
    QTest::addRow("8-bit scales") << 8 << 17.9;
    QTest::addRow("16-bit scales") << 16 << 12.0;
}

void TestMemoryBudget::resnet18ThreeByThree()
{
    QFETCH(int, scaleBits);
    QFETCH(double, specRatio);
    const std::vector<LayerShape> layers = only3x3(resnet18(false));
    const BudgetReport r = storageBudget(layers, sharedBook(scaleBits));
    const int64_t n = sumKernels(layers);

    // Independent recount of the formula: N·(⌈log2 256⌉ + b_scale) + K·d·32.
    QCOMPARE(r.total.indexBits, n * 8);
    QCOMPARE(r.total.scaleBits, n * scaleBits);
    QCOMPARE(r.total.lutBits, int64_t(256 * 9 * 32));
    QCOMPARE(r.total.uncompressedWeightBits, int64_t(0));
    QCOMPARE(r.total.biasBits, int64_t(0));
    QCOMPARE(r.floatWeights, n * 9);
    for (const LayerBudget& lb : r.layers) {
        QCOMPARE(lb.book, std::string("3x3"));
        QCOMPARE(lb.clusters, int64_t(256));
        QCOMPARE(lb.bookLutBits, int64_t(73'728));
    }
    QCOMPARE(r.layers.front().terms.lutBits, int64_t(73'728)); // charged once, to the first layer
    QCOMPARE(r.layers.back().terms.lutBits, int64_t(0));
    QCOMPARE(oneDecimal(r.ratio), specRatio);
}

void TestMemoryBudget::resnet18WholeModel_data()
{
    QTest::addColumn<bool>("withBiasAndBn");
    QTest::addColumn<int>("scaleBits");
    QTest::addColumn<double>("ours");     // this model's figure, one decimal
    QTest::addColumn<double>("specRatio");
    // weights only: 32·11,678,912 / (N·(8 + b) + 73,728 + 32·(9,408 + 172,032 + 512,000))
    QTest::addRow("weights only, no scale") << false << 0 << 11.7 << 11.7;
    QTest::addRow("weights only, 8-bit scales") << false << 8 << 8.9 << 9.0;
    QTest::addRow("weights only, 16-bit scales") << false << 16 << 7.2 << 7.3;
    // + FC bias and folded BN biases stored as float32 (not in the numerator: they are not weights)
    QTest::addRow("with biases, no scale") << true << 0 << 11.6 << 11.7;
    QTest::addRow("with biases, 8-bit scales") << true << 8 << 8.9 << 9.0;
    QTest::addRow("with biases, 16-bit scales") << true << 16 << 7.2 << 7.3;
}

void TestMemoryBudget::resnet18WholeModel()
{
    QFETCH(bool, withBiasAndBn);
    QFETCH(int, scaleBits);
    QFETCH(double, ours);
    QFETCH(double, specRatio);
    const BudgetReport r = storageBudget(resnet18(withBiasAndBn), sharedBook(scaleBits));
    const int64_t n = kSpecResNet18Kernels3x3;
    const int64_t floatKept = 64 * 3 * 49 + (64 * 128 + 128 * 256 + 256 * 512) + 512 * 1000;
    const int64_t biases = withBiasAndBn ? 1000 + (64 + 4 * 64 + 5 * 128 + 5 * 256 + 5 * 512) : 0;

    QCOMPARE(r.floatWeights, n * 9 + floatKept);
    QCOMPARE(r.total.indexBits, n * 8);
    QCOMPARE(r.total.scaleBits, n * scaleBits);
    QCOMPARE(r.total.lutBits, int64_t(73'728)); // only the 3×3 book: 7×7 stem kept, 1×1 not compressed
    QCOMPARE(r.total.uncompressedWeightBits, 32 * floatKept);
    QCOMPARE(r.total.biasBits, 32 * biases);
    QCOMPARE(r.total.batchNormBits, int64_t(0)); // folded
    QCOMPARE(oneDecimal(r.ratio), ours);

    // Where the spec's whole-model 9.0 / 7.3 come from: they appear when the LUT is left out.
    if (!withBiasAndBn) {
        const double withoutLut = 32.0 * double(r.floatWeights) / double(r.total.totalBits() - r.total.lutBits);
        QCOMPARE(oneDecimal(withoutLut), specRatio);
    }
    if (ours != specRatio)
        QEXPECT_FAIL("", "spec §2 prints 9.0/7.3 (and 11.7 with biases); with the LUT counted these are "
                         "8.9/7.2 (11.6) — reported, not fudged",
                     Continue);
    QCOMPARE(oneDecimal(r.ratio), specRatio);
}

void TestMemoryBudget::perLayerExample()
{
    // A 3×3 256→256 layer (layer3 of ResNet-18), K = 64 per-layer centroids, 8-bit scales.
    StorageConfig c;
    c.clusters = 64;
    c.scaleBits = 8;
    const LayerShape l{"layer3.1.conv1", "Conv", 256, 256, 3, 3, false, false, {}};
    const BudgetReport r = storageBudget({l}, c);
    const int64_t n = 256 * 256;
    QCOMPARE(r.layers[0].indexBitsPerUnit, int64_t(6));
    QCOMPARE(r.total.indexBits + r.total.scaleBits, n * (6 + 8));
    const double bitsPerWeight = double(r.total.indexBits + r.total.scaleBits) / double(l.weightCount());
    QVERIFY(std::abs(bitsPerWeight - 14.0 / 9.0) < 1e-12); // (6 + 8)/9 ≈ 1.56
    QCOMPARE(std::round(bitsPerWeight * 100) / 100, 1.56);
    QCOMPARE(r.total.lutBits, int64_t(64 * 9 * 32)); // plus its LUT: 18,432 bits
    // 32·589,824 / (917,504 + 18,432) = 20.17: "about 20×".
    QCOMPARE(r.total.totalBits(), int64_t(935'936));
    QCOMPARE(std::round(r.ratio), 20.0);
    QCOMPARE(r.total.bytes(), int64_t(116'992));
}

void TestMemoryBudget::clusterCount_data()
{
    QTest::addColumn<int>("clusters");
    QTest::addColumn<int>("scope"); // 0 per layer, 1 shared
    QTest::addColumn<qint64>("expectedK");
    QTest::addColumn<qint64>("expectedIndexBits"); // per kernel
    // Layer a: 2→4 3×3 (N = 8 kernels); layer b: 3→4 3×3 (N = 12).
    QTest::addRow("K > N clamps to N (per layer)") << 256 << 0 << qint64(8) << qint64(3);
    QTest::addRow("K > N clamps to sum of N (shared)") << 256 << 1 << qint64(20) << qint64(5);
    QTest::addRow("K = 1: ceil(log2 1) = 0 index bits") << 1 << 0 << qint64(1) << qint64(0);
    QTest::addRow("K = 2: one bit") << 2 << 0 << qint64(2) << qint64(1);
    QTest::addRow("K = 5 rounds the index up to 3 bits") << 5 << 0 << qint64(5) << qint64(3);
}

void TestMemoryBudget::clusterCount()
{
    QFETCH(int, clusters);
    QFETCH(int, scope);
    QFETCH(qint64, expectedK);
    QFETCH(qint64, expectedIndexBits);
    StorageConfig c;
    c.clusters = clusters;
    c.scaleBits = 0;
    c.bookScope = scope ? BookScope::SharedPerKernelSize : BookScope::PerLayer;
    const std::vector<LayerShape> layers{{"a", "Conv", 4, 2, 3, 3, false, false, {}}, {"b", "Conv", 4, 3, 3, 3, false, false, {}}};
    const BudgetReport r = storageBudget(layers, c);
    const LayerBudget& a = r.layers[0];
    QCOMPARE(a.clusters, expectedK);
    QCOMPARE(a.indexBitsPerUnit, expectedIndexBits);
    QCOMPARE(a.terms.indexBits, 8 * expectedIndexBits);
    QCOMPARE(a.terms.lutBits, expectedK * 9 * 32);
    if (scope) {
        QCOMPARE(r.layers[1].terms.lutBits, qint64(0)); // shared LUT charged to "a" only
        QCOMPARE(r.total.lutBits, expectedK * 9 * 32);
    }
}

void TestMemoryBudget::stages_data()
{
    // smallModel(): conv c 8→16 3×3 + BN (N = 128 kernels, 1,152 weights); fc 16→10 + bias (160).
    // Per-layer K = 16 (4-bit index), 8-bit scales.
    QTest::addColumn<int>("stage");
    QTest::addColumn<qint64>("index");
    QTest::addColumn<qint64>("scale");
    QTest::addColumn<qint64>("lut");
    QTest::addColumn<qint64>("uncompressed");
    QTest::addColumn<qint64>("bias");
    QTest::addColumn<qint64>("batchNorm");
    // float32: weights 32·1,312; fc bias 32·10; BN γ,β,μ,σ² 4·16·32.
    QTest::addRow("float32") << int(Stage::Float32) << qint64(0) << qint64(0) << qint64(0) << qint64(41'984)
                             << qint64(320) << qint64(2'048);
    // BN folded: c gets a 16-float bias; BN parameters gone.
    QTest::addRow("BN folded") << int(Stage::BatchNormFolded) << qint64(0) << qint64(0) << qint64(0)
                               << qint64(41'984) << qint64(832) << qint64(0);
    // CC: c → 128·4 index + 128·8 scale + 16·9·32 LUT; fc stays float32.
    QTest::addRow("cluster compressed") << int(Stage::ClusterCompressed) << qint64(512) << qint64(1'024)
                                        << qint64(4'608) << qint64(5'120) << qint64(832) << qint64(0);
    // LNS8: 8-bit centroids (16·9·8) and fc weights (160·8); biases stay 32-bit (linear).
    QTest::addRow("LNS8") << int(Stage::Lns8) << qint64(512) << qint64(1'024) << qint64(1'152) << qint64(1'280)
                          << qint64(832) << qint64(0);
}

void TestMemoryBudget::stages()
{
    QFETCH(int, stage);
    QFETCH(qint64, index);
    QFETCH(qint64, scale);
    QFETCH(qint64, lut);
    QFETCH(qint64, uncompressed);
    QFETCH(qint64, bias);
    QFETCH(qint64, batchNorm);
    StorageConfig c;
    c.clusters = 16;
    c.scaleBits = 8;
    const std::vector<BudgetReport> all = budgetByStage(smallModel(), c);
    QCOMPARE(all.size(), size_t(4));
    const BudgetReport& r = all[size_t(stage)];
    QCOMPARE(int(r.stage), stage);
    QCOMPARE(r.total.indexBits, index);
    QCOMPARE(r.total.scaleBits, scale);
    QCOMPARE(r.total.lutBits, lut);
    QCOMPARE(r.total.uncompressedWeightBits, uncompressed);
    QCOMPARE(r.total.biasBits, bias);
    QCOMPARE(r.total.batchNormBits, batchNorm);
    const int64_t total = index + scale + lut + uncompressed + bias + batchNorm;
    QCOMPARE(r.total.totalBits(), total);
    QCOMPARE(r.total.bytes(), (total + 7) / 8);
    QCOMPARE(r.floatWeights, int64_t(1'312));
    QCOMPARE(r.ratio, 32.0 * 1312.0 / double(total));
    // The layers sum to the total, term by term.
    StorageTerms sum;
    for (const LayerBudget& lb : r.layers)
        sum += lb.terms;
    QCOMPARE(sum.named(), r.total.named());
}

void TestMemoryBudget::policyOptions()
{
    // Per-layer K override, an excluded layer, and scalar weight sharing for 1×1/Gemm.
    const std::vector<LayerShape> layers{{"a", "Conv", 16, 8, 3, 3, false, false, {}},
                                         {"b", "Conv", 16, 8, 3, 3, false, false, {}},
                                         {"k", "Conv", 16, 8, 5, 5, false, false, {}},
                                         {"fc", "Gemm", 10, 16, 1, 1, true, false, {}}};
    StorageConfig c;
    c.clusters = 16;
    c.scaleBits = 8;
    c.clustersPerLayer = {{"b", 4}};
    c.keepUncompressed = {"k"};
    BudgetReport r = storageBudget(layers, c);
    QCOMPARE(r.layers[0].clusters, int64_t(16));
    QCOMPARE(r.layers[1].clusters, int64_t(4));
    QCOMPARE(r.layers[1].terms.indexBits, int64_t(128 * 2));
    QCOMPARE(r.layers[1].terms.lutBits, int64_t(4 * 9 * 32));
    QVERIFY(!r.layers[2].compressed);
    QCOMPARE(r.layers[2].terms.uncompressedWeightBits, int64_t(16 * 8 * 25 * 32));
    QVERIFY(!r.layers[3].compressed); // 1×1/Gemm uncompressed by default
    QCOMPARE(r.layers[3].terms.uncompressedWeightBits, int64_t(160 * 32));

    // compress1x1: each of the 160 Gemm weights is a unit of d = 1 with a 4-bit index, no scale.
    c.compress1x1 = true;
    r = storageBudget(layers, c);
    const LayerBudget& fc = r.layers[3];
    QVERIFY(fc.compressed);
    QCOMPARE(fc.terms.indexBits, int64_t(160 * 4));
    QCOMPARE(fc.terms.scaleBits, int64_t(0));
    QCOMPARE(fc.terms.lutBits, int64_t(16 * 1 * 32));
    QCOMPARE(fc.terms.uncompressedWeightBits, int64_t(0));
    QCOMPARE(fc.terms.biasBits, int64_t(10 * 32));

    // Shared scope: the per-layer override does not apply; 3×3 layers share one book, 1×1 another.
    c.bookScope = BookScope::SharedPerKernelSize;
    r = storageBudget(layers, c);
    QCOMPARE(r.layers[1].clusters, int64_t(16));
    QCOMPARE(r.layers[0].book, std::string("3x3"));
    QCOMPARE(r.layers[3].book, std::string("1x1"));
    QCOMPARE(r.total.lutBits, int64_t(16 * 9 * 32 + 16 * 1 * 32));
}

void TestMemoryBudget::countsSentence()
{
    const BudgetReport r = storageBudget(smallModel(), StorageConfig{});
    QVERIFY(r.counts.find("1312 float weights") != std::string::npos);
    QVERIFY(r.counts.find("biases and BN parameters are not in the numerator") != std::string::npos);
    QVERIFY(r.counts.find(std::to_string(r.total.totalBits()) + " stored bits") != std::string::npos);
    const auto named = r.total.named();
    QCOMPARE(named.size(), size_t(6));
    QCOMPARE(named[2].first, std::string("codebook LUTs (centroids)"));
}

void TestMemoryBudget::badConfig()
{
    StorageConfig c;
    c.clusters = 0;
    QVERIFY_THROWS_EXCEPTION(FormatError, storageBudget(smallModel(), c));
    c.clusters = 4;
    c.scaleBits = 1;
    QVERIFY_THROWS_EXCEPTION(FormatError, storageBudget(smallModel(), c));
    c.scaleBits = 33;
    QVERIFY_THROWS_EXCEPTION(FormatError, storageBudget(smallModel(), c));
    c.scaleBits = 6; // a narrow scale format (e.g. lns6) is a valid width
    QCOMPARE(storageBudget(smallModel(), c).total.scaleBits % 6, int64_t(0));
}

void TestMemoryBudget::budgetFit_data()
{
    // Cluster-compressed smallModel(), K = 16, 8-bit scales:
    //   c  = (512 + 1,024 + 4,608 + 16·32 bias) / 8 = 832 bytes; fc = (5,120 + 320) / 8 = 680 bytes;
    //   total = 1,512 bytes.
    QTest::addColumn<qint64>("budget");
    QTest::addColumn<bool>("cFits");
    QTest::addColumn<bool>("fcFits");
    QTest::addColumn<bool>("totalFits");
    QTest::addRow("nothing fits") << qint64(600) << false << false << false;
    QTest::addRow("fc only") << qint64(700) << false << true << false;
    QTest::addRow("each layer, not both") << qint64(832) << true << true << false;
    QTest::addRow("everything, exactly") << qint64(1'512) << true << true << true;
}

void TestMemoryBudget::budgetFit()
{
    QFETCH(qint64, budget);
    QFETCH(bool, cFits);
    QFETCH(bool, fcFits);
    QFETCH(bool, totalFits);
    StorageConfig c;
    c.clusters = 16;
    c.scaleBits = 8;
    const FitReport f = fits(storageBudget(smallModel(), c), budget);
    QCOMPARE(f.layers.size(), size_t(2));
    QCOMPARE(f.layers[0].bytes, int64_t(832));
    QCOMPARE(f.layers[1].bytes, int64_t(680));
    QCOMPARE(f.totalBytes, int64_t(1'512));
    QCOMPARE(f.layers[0].fits, cFits);
    QCOMPARE(f.layers[1].fits, fcFits);
    QCOMPARE(f.totalFits, totalFits);

    // A shared book: the second layer needs the whole LUT on-chip although it is charged to the first.
    c.bookScope = BookScope::SharedPerKernelSize;
    const std::vector<LayerShape> two{{"a", "Conv", 16, 8, 3, 3, false, false, {}}, {"b", "Conv", 16, 8, 3, 3, false, false, {}}};
    const FitReport shared = fits(storageBudget(two, c), budget);
    QCOMPARE(shared.layers[0].bytes, shared.layers[1].bytes);
    QCOMPARE(shared.layers[0].bytes, int64_t((128 * (4 + 8) + 16 * 9 * 32) / 8));
}

void TestMemoryBudget::layerShapesFromGraph()
{
    // Built directly as IR: only structure and initializer shapes matter here.
    Graph g;
    g.initializers["w1"] = Tensor(DType::Float32, {16, 4, 3, 3});
    g.initializers["w2"] = Tensor(DType::Float32, {4, 3, 2, 2}); // ConvTranspose W[I][O/g][kh][kw]
    g.initializers["b2"] = Tensor(DType::Float32, {6});
    g.initializers["w3"] = Tensor(DType::Float32, {10, 24});     // Gemm transB = 1: [out, in]
    g.initializers["b3"] = Tensor(DType::Float32, {10});
    g.initializers["w4"] = Tensor(DType::Float32, {10, 5});      // MatMul: [in, out]
    for (const char* p : {"s", "bb", "m", "v"})
        g.initializers[p] = Tensor(DType::Float32, {16});
    auto node = [&](std::string op, std::vector<std::string> in, std::string out) {
        Node n;
        n.name = op + "_" + out;
        n.opType = std::move(op);
        n.inputs = std::move(in);
        n.outputs = {std::move(out)};
        g.nodes.push_back(std::move(n));
        return &g.nodes.back();
    };
    node("Conv", {"x", "w1"}, "c1");
    node("BatchNormalization", {"c1", "s", "bb", "m", "v"}, "n1");
    Attribute group;
    group.i = 2;
    node("ConvTranspose", {"n1", "w2", "b2"}, "c2")->attrs["group"] = group;
    Attribute transB;
    transB.i = 1;
    node("Gemm", {"c2", "w3", "b3"}, "c3")->attrs["transB"] = transB;
    node("MatMul", {"c3", "w4"}, "y");
    node("MatMul", {"y", "y"}, "z"); // no constant weight: not a layer

    const std::vector<LayerShape> s = lnscope::core::layerShapesFromGraph(g);
    QCOMPARE(s.size(), size_t(4));
    QCOMPARE(s[0].op, std::string("Conv"));
    QCOMPARE(s[0].outChannels, int64_t(16));
    QCOMPARE(s[0].inChannelsPerGroup, int64_t(4));
    QCOMPARE(s[0].kernelSize(), int64_t(9));
    QVERIFY(!s[0].hasBias);
    QVERIFY(s[0].hasBatchNorm);
    QCOMPARE(s[1].outChannels, int64_t(6)); // O/g · g = 3 · 2
    QCOMPARE(s[1].inChannelsPerGroup, int64_t(2)); // I / g
    QCOMPARE(s[1].weightCount(), int64_t(4 * 3 * 2 * 2));
    QVERIFY(s[1].hasBias);
    QVERIFY(!s[1].hasBatchNorm);
    QCOMPARE(s[2].outChannels, int64_t(10));
    QCOMPARE(s[2].inChannelsPerGroup, int64_t(24));
    QVERIFY(s[2].hasBias);
    QCOMPARE(s[3].outChannels, int64_t(5));
    QCOMPARE(s[3].inChannelsPerGroup, int64_t(10));
    QCOMPARE(s[3].kernelSize(), int64_t(1));
    QVERIFY(!s[3].hasBias);
}

void TestMemoryBudget::peakActivations()
{
    // x[1,2,4,4] (32) → conv 3×3 pad 1 → c[1,4,4,4] (64) → relu r (64) → maxpool 2×2 → p[1,4,2,2] (16)
    //   r → global average pool → g[1,4,1,1] (4);  y = p · g (16, graph output).
    // Live elements after each node stores its outputs (before it frees):
    //   conv: x + c = 96, then x is freed; relu: c + r = 128, then c is freed;
    //   pool: r + p = 80; gap: r + p + g = 84, then r is freed; mul: p + g + y = 36.
    // Peak: 128 elements at "relu" (it would be 160 if the graph input x were not freed after conv).
    ModelBuilder b(13, "peak");
    b.input("x", {1, 2, 4, 4});
    b.randomInitializer("w", {4, 2, 3, 3}, 7);
    ModelBuilder::attr(b.node("Conv", {"x", "w"}, {"c"}, "conv"), "pads", std::vector<int64_t>{1, 1, 1, 1});
    b.node("Relu", {"c"}, {"r"}, "relu");
    auto& pool = b.node("MaxPool", {"r"}, {"p"}, "pool");
    ModelBuilder::attr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
    ModelBuilder::attr(pool, "strides", std::vector<int64_t>{2, 2});
    b.node("GlobalAveragePool", {"r"}, {"g"}, "gap");
    b.node("Mul", {"p", "g"}, {"y"}, "mul");
    b.output("y");
    const Graph g = b.import();
    const TensorMap inputs{{"x", randomTensor({1, 2, 4, 4}, 11)}};

    const ActivationPeak f32 = peakActivationBytes(g, inputs, 4);
    QCOMPARE(f32.elements, int64_t(128));
    QCOMPARE(f32.bytes, int64_t(512));
    QCOMPARE(f32.nodeName, std::string("relu"));
    QCOMPARE(f32.nodeIndex, 1);
    const ActivationPeak lns = peakActivationBytes(g, inputs, 1);
    QCOMPARE(lns.bytes, int64_t(128));
}

QTEST_GUILESS_MAIN(TestMemoryBudget)
#include "test_memory_budget.moc"
