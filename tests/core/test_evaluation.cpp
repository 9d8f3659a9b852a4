// evaluation.h: float vs converted over a dataset with a task adapter — counts, metrics, shards
// that merge into exactly one pass, and the counts' JSON.
#include "lnscope/core/evaluation.h"

#include "lnscope/core/onnx_import.h"
#include "lnscope/core/seg_labels.h"
#include "lnscope/core/tensor_io.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <filesystem>

using namespace lnscope;
namespace fs = std::filesystem;
using core::EvaluationCounts;

namespace {

const char* const kAdapter = R"({"task": "segmentation", "version": 1,
  "input": {"name": "input", "width": 96, "height": 64, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "order": "rgb"},
  "output": "logits",
  "classes": [{"id": 0, "name": "road", "color": [128, 64, 128]}, {"id": 1, "name": "lane", "color": [157, 234, 50]},
              {"id": 2, "name": "sidewalk", "color": [244, 35, 232]}, {"id": 3, "name": "sky", "color": [70, 130, 180]}]})";

struct Fixture
{
    fs::path root;
    core::Graph model;
    core::AdapterConfig adapter;
    core::ConvertedModel converted;
    core::Dataset dataset;
};

/// Three frames of the bundled picture (the third mirrored); frame 0's label is the float model's
/// own prediction (so its float pixel accuracy is exactly 1), the others a fixed stripe pattern.
const Fixture& fixture()
{
    static const Fixture f = [] {
        Fixture x;
        x.root = test::makeTempDir("evaluation");
        x.model = core::importOnnx(test::datasetsDir() / "models" / "tiny_segnet.onnx");
        x.adapter = core::bindAdapter(core::parseAdapterConfig(kAdapter, x.root / "tiny.adapter.json"), x.model);
        fs::create_directories(x.root / "image_2");
        fs::create_directories(x.root / "semantic");
        const fs::path png = test::datasetsDir() / "samples" / "tiny_input.png";
        for (const char* id : {"000000", "000001", "000002"})
            fs::copy_file(png, x.root / "image_2" / (std::string(id) + ".png"));
        const core::TensorMap in{{"input", core::readTensorPb(test::datasetsDir() / "samples" / "tiny_input.pb")}};
        const core::SegPrediction own = core::segmentationFromLogits(core::Executor(x.model).run(in).at("logits"));
        core::writeClassIdPng(x.root / "semantic" / "000000.png", core::toLabelMap(own));
        core::LabelMap stripes{96, 64, std::vector<uint8_t>(96 * 64)};
        for (int y = 0; y < 64; ++y)
            for (int xx = 0; xx < 96; ++xx)
                stripes.ids[size_t(y * 96 + xx)] = y < 4 ? 255 : uint8_t((y / 16) % 4);
        core::writeClassIdPng(x.root / "semantic" / "000001.png", stripes);
        core::writeClassIdPng(x.root / "semantic" / "000002.png", stripes);
        x.converted = core::convertModel(x.model, core::ConversionConfig{}, {in});
        x.dataset = core::openDataset(x.root);
        return x;
    }();
    return f;
}

} // namespace

class TestEvaluation : public QObject
{
    Q_OBJECT
private slots:
    void floatOnlySegmentation();
    void convertedSegmentation();
    void shardsMergeIntoOnePass();
    void countsJsonRoundTrip();
    void badCountsJson_data();
    void badCountsJson();
    void mergeRefusesMismatches();
};

void TestEvaluation::floatOnlySegmentation()
{
    const Fixture& f = fixture();
    const EvaluationCounts c = core::evaluateDataset(f.model, f.adapter, nullptr, f.dataset, {}, 2);
    QCOMPARE(c.frames, int64_t{3});
    QVERIFY(c.segFloat && !c.segConverted && !c.segAgreement);
    QCOMPARE(c.frameList.size(), size_t{3});
    QCOMPARE(c.frameList[0].floatPixelAccuracy, 1.0); // labels = its own prediction
    QVERIFY(std::isnan(c.frameList[0].outputSqnrDb));
    const core::EvaluationMetrics m = core::summarize(c, f.adapter.segmentation.classes);
    QVERIFY(m.floatMiou > 0.0 && m.floatMiou < 1.0);
    QVERIFY(std::isnan(m.convertedMiou));
    QCOMPARE(m.classNames.size(), size_t{4});
    QCOMPARE(m.classNames[3], std::string("sky"));
    // The labelled pixels: 96·64 for frame 0, 96·60 for the stripes (4 ignored rows) ×2.
    QCOMPARE(c.segFloat->countedPixels(), int64_t{96 * 64 + 2 * 96 * 60});
}

void TestEvaluation::convertedSegmentation()
{
    const Fixture& f = fixture();
    const core::LnsEmulator emu(f.converted, core::EmulatorOptions{});
    const EvaluationCounts c = core::evaluateDataset(f.model, f.adapter, &emu, f.dataset, {}, 2);
    QVERIFY(c.hasConverted && c.segConverted && c.segAgreement);
    // Frame 0 by hand: pixel agreement = share of pixels where the two argmaxes agree.
    const core::TensorMap in = core::adapterFor(f.adapter).makeInputs(f.adapter, f.dataset.frames[0]);
    const auto a = core::segmentationFromLogits(core::Executor(f.model).run(in).at("logits"));
    const auto b = core::segmentationFromLogits(emu.run(in).at("logits"));
    int agree = 0;
    for (size_t i = 0; i < a.classMap.size(); ++i)
        agree += a.classMap[i] == b.classMap[i];
    QCOMPARE(c.frameList[0].pixelAgreement, double(agree) / double(a.classMap.size()));
    // With labels = float's prediction, converted accuracy on frame 0 is the agreement itself.
    QCOMPARE(c.frameList[0].convertedPixelAccuracy, c.frameList[0].pixelAgreement);
    const core::EvaluationMetrics m = core::summarize(c);
    QVERIFY(std::isfinite(m.outputSqnrDb));
    QVERIFY(m.pixelAgreement >= 0.0 && m.pixelAgreement <= 1.0);
    QVERIFY(m.worstFrame >= 0 && m.worstFrame < 3);
    for (const core::FrameSummary& fr : c.frameList)
        QVERIFY(1.0 - fr.pixelAgreement <= 1.0 - c.frameList[size_t(m.worstFrame)].pixelAgreement);
}

void TestEvaluation::shardsMergeIntoOnePass()
{
    const Fixture& f = fixture();
    const core::LnsEmulator emu(f.converted, core::EmulatorOptions{});
    const EvaluationCounts all = core::evaluateDataset(f.model, f.adapter, &emu, f.dataset, {}, 2);
    EvaluationCounts merged;
    for (int shard = 0; shard < 2; ++shard) {
        const EvaluationCounts part = core::evaluateDataset(f.model, f.adapter, &emu, f.dataset,
                                                            core::shardIndices(3, shard, 2), 2);
        if (shard == 0)
            merged = part;
        else
            merged.merge(part);
    }
    // Counts are integers and merge exactly; the output sums are doubles added in another order
    // (shard totals, then their sum), so they agree to rounding.
    QVERIFY(merged.segFloat == all.segFloat && merged.segConverted == all.segConverted);
    QVERIFY(merged.segAgreement == all.segAgreement);
    QVERIFY(merged.frameList == all.frameList);
    QCOMPARE(merged.frames, all.frames);
    QCOMPARE(merged.outputs.count, all.outputs.count);
    QVERIFY(std::fabs(merged.outputs.ee - all.outputs.ee) <= 1e-12 * all.outputs.ee);
    QVERIFY(std::fabs(merged.outputs.xx - all.outputs.xx) <= 1e-12 * all.outputs.xx);
    const core::EvaluationMetrics a = core::summarize(all), b = core::summarize(merged);
    QCOMPARE(a.floatMiou, b.floatMiou);
    QCOMPARE(a.pixelAgreement, b.pixelAgreement);
}

void TestEvaluation::countsJsonRoundTrip()
{
    const Fixture& f = fixture();
    const core::LnsEmulator emu(f.converted, core::EmulatorOptions{});
    const EvaluationCounts c = core::evaluateDataset(f.model, f.adapter, &emu, f.dataset, {}, 2);
    const std::string text = core::writeJson(c.toJson());
    QVERIFY(EvaluationCounts::fromJson(core::parseJson(text)) == c);
}

void TestEvaluation::badCountsJson_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::addRow("not counts") << R"({"kind": "something else"})" << "not evaluation counts";
    QTest::addRow("unknown member") << R"({"kind": "lnscope_evaluation_counts", "version": 1, "extra": 1})" << "unknown member 'extra'";
    QTest::addRow("missing member") << R"({"kind": "lnscope_evaluation_counts", "version": 1})" << "missing 'task'";
    QTest::addRow("bad version") << R"({"kind": "lnscope_evaluation_counts", "version": 7})" << "unsupported version";
}

void TestEvaluation::badCountsJson()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    try {
        EvaluationCounts::fromJson(core::parseJson(text.toStdString()));
        QFAIL("no exception");
    } catch (const core::FormatError& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains(message), e.what());
    }
}

void TestEvaluation::mergeRefusesMismatches()
{
    const Fixture& f = fixture();
    const core::LnsEmulator emu(f.converted, core::EmulatorOptions{});
    const EvaluationCounts a = core::evaluateDataset(f.model, f.adapter, &emu, f.dataset, {0}, 2);
    EvaluationCounts same = a;
    QVERIFY_THROWS_EXCEPTION(core::FormatError, same.merge(a)); // frame 000000 twice
    EvaluationCounts floatOnly = core::evaluateDataset(f.model, f.adapter, nullptr, f.dataset, {1}, 2);
    QVERIFY_THROWS_EXCEPTION(core::FormatError, floatOnly.merge(a));
}

QTEST_GUILESS_MAIN(TestEvaluation)
#include "test_evaluation.moc"
