// Differential tests of Resize/Upsample and the shape/data-movement ops (STYLE.md 8): every
// kernel is compared with an obviously-correct reference written here — per-output-element index
// loops in double, the ONNX formulas spelled out — on seeded random inputs. Kernels are called
// through the op registry with a hand-made Node after the op's validate(); models built with
// ModelBuilder check the import-time errors and one exporter-style subgraph through the Executor.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/op_registry.h"
#include "model_builder.h"
#include "test_utils.h"

#include <QTest>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

using namespace lnscope::core;
using lnscope::test::ModelBuilder;
using lnscope::test::randomTensor;
using lnscope::test::uniformInt;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// ---- helpers ---------------------------------------------------------------------------------

/// "2x3x4" → {2, 3, 4}; "" → a rank-0 shape.
Shape parseShape(const QString& text)
{
    Shape shape;
    if (!text.isEmpty())
        for (const QString& part : text.split('x'))
            shape.push_back(part.toLongLong());
    return shape;
}

/// "0,-1,max,min" → {0, -1, INT64_MAX, INT64_MIN}; "" → {}.
std::vector<int64_t> parseInts(const QString& text)
{
    std::vector<int64_t> v;
    if (!text.isEmpty())
        for (const QString& part : text.split(','))
            v.push_back(part == "max" ? kMax : part == "min" ? kMin : part.toLongLong());
    return v;
}

Tensor intTensor(const std::vector<int64_t>& values)
{
    return Tensor::fromInts({static_cast<int64_t>(values.size())}, values);
}

/// Seeded random int64 tensor with values in [-1000, 1000].
Tensor randomInts(const Shape& shape, uint32_t seed)
{
    std::mt19937 rng(seed);
    Tensor t(DType::Int64, shape);
    for (int64_t& v : t.ints())
        v = uniformInt(rng, -1000, 1000);
    return t;
}

using lnscope::test::makeNode;

void setInt(Node& n, const std::string& name, int64_t v)
{
    n.attrs[name].kind = Attribute::Kind::Int;
    n.attrs[name].i = v;
}
void setInts(Node& n, const std::string& name, std::vector<int64_t> v)
{
    n.attrs[name].kind = Attribute::Kind::Ints;
    n.attrs[name].ints = std::move(v);
}
void setFloat(Node& n, const std::string& name, float v)
{
    n.attrs[name].kind = Attribute::Kind::Float;
    n.attrs[name].f = v;
}
void setFloats(Node& n, const std::string& name, std::vector<float> v)
{
    n.attrs[name].kind = Attribute::Kind::Floats;
    n.attrs[name].floats = std::move(v);
}
void setString(Node& n, const std::string& name, const std::string& v)
{
    n.attrs[name].kind = Attribute::Kind::String;
    n.attrs[name].s = v;
}

/// validate() then run() of the registered kernel, as the importer and the executor do.
std::vector<Tensor> runOp(const Node& node, const std::vector<const Tensor*>& inputs, int64_t opset = 13)
{
    const OpDef* def = OpRegistry::builtin().find(node.opType);
    if (!def)
        throw std::logic_error("op not registered: " + node.opType);
    if (def->validate)
        def->validate(node, opset);
    OpContext ctx;
    ctx.opset = opset;
    ctx.threads = 2;
    return def->run(node, OpInputs(inputs.data(), inputs.size()), ctx);
}

std::vector<int64_t> unravel(int64_t flat, const Shape& shape)
{
    std::vector<int64_t> idx(shape.size());
    for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
        idx[d] = flat % shape[d];
        flat /= shape[d];
    }
    return idx;
}

int64_t ravel(const std::vector<int64_t>& idx, const Shape& shape)
{
    int64_t flat = 0;
    for (size_t d = 0; d < shape.size(); ++d)
        flat = flat * shape[d] + idx[d];
    return flat;
}

/// A tensor of `shape` and x's dtype whose element i is x's element source(i) (or `fill` when
/// source returns −1): the shape of every data-movement reference below.
using SourceIndex = std::function<int64_t(const std::vector<int64_t>& outIndex)>;

Tensor gatherReference(const Tensor& x, const Shape& shape, const SourceIndex& source, double fill = 0.0)
{
    Tensor y(x.dtype(), shape);
    for (int64_t i = 0; i < y.numel(); ++i) {
        const int64_t s = source(unravel(i, shape));
        if (x.isFloat())
            y.floats()[i] = s < 0 ? static_cast<float>(fill) : x.floats()[s];
        else
            y.ints()[i] = s < 0 ? static_cast<int64_t>(fill) : x.ints()[s];
    }
    return y;
}

/// Data-movement results must be exact.
Tolerance exact()
{
    Tolerance t;
    t.meanAbs = 0;
    t.maxAbs = 0;
    return t;
}

// ---- Resize reference --------------------------------------------------------------------

struct ResizeCase
{
    std::string op = "Resize";
    int64_t opset = 13;
    Shape in;
    std::string mode = "nearest";
    std::string coord = "half_pixel";
    std::string nearest = "round_prefer_floor";
    std::vector<float> scales;
    std::vector<int64_t> sizes;
    std::vector<float> roi;
    float cubicA = -0.75f;
    int64_t exclude = 0;
    float extrapolation = 0.f;
    bool intData = false;
};

/// Taps (input index, weight) of one axis at output coordinate `o`; `outside` when
/// tf_crop_and_resize samples beyond the input. Written from the ONNX Resize text.
struct AxisTaps
{
    std::vector<std::pair<int64_t, double>> taps;
    bool outside = false;
};

double keys(double s, double a)
{
    s = std::fabs(s);
    if (s <= 1)
        return (a + 2) * s * s * s - (a + 3) * s * s + 1;
    if (s < 2)
        return a * s * s * s - 5 * a * s * s + 8 * a * s - 4 * a;
    return 0;
}

AxisTaps axisTaps(const ResizeCase& c, int64_t o, int64_t len, double scale, double lenResized, double roiStart,
                  double roiEnd)
{
    const bool legacy = c.op == "Upsample" || c.opset < 11;
    const std::string coord = legacy ? "asymmetric" : c.coord;
    const double xr = static_cast<double>(o);
    const double last = static_cast<double>(len - 1);
    double x = 0;
    if (coord == "half_pixel")
        x = (xr + 0.5) / scale - 0.5;
    else if (coord == "pytorch_half_pixel")
        x = lenResized > 1 ? (xr + 0.5) / scale - 0.5 : 0;
    else if (coord == "align_corners")
        x = lenResized == 1 ? 0 : xr * last / (lenResized - 1);
    else if (coord == "asymmetric")
        x = xr / scale;
    else if (coord == "tf_half_pixel_for_nn")
        x = (xr + 0.5) / scale;
    else // tf_crop_and_resize
        x = lenResized > 1 ? roiStart * last + xr * (roiEnd - roiStart) * last / (lenResized - 1)
                           : 0.5 * (roiStart + roiEnd) * last;
    AxisTaps t;
    if (coord == "tf_crop_and_resize" && (x < 0 || x > last)) {
        t.outside = true;
        return t;
    }
    auto clampIndex = [len](int64_t i) { return std::min(std::max<int64_t>(i, 0), len - 1); };
    const double fl = std::floor(x);
    if (c.mode == "nearest") {
        const bool half = x - fl == 0.5;
        int64_t i = 0;
        if (legacy)
            i = static_cast<int64_t>(scale < 1 ? std::ceil(x) : fl);
        else if (c.nearest == "round_prefer_floor")
            i = static_cast<int64_t>(half ? fl : std::round(x));
        else if (c.nearest == "round_prefer_ceil")
            i = static_cast<int64_t>(half ? fl + 1 : std::round(x));
        else if (c.nearest == "floor")
            i = static_cast<int64_t>(fl);
        else
            i = static_cast<int64_t>(std::ceil(x));
        t.taps.push_back({clampIndex(i), 1.0});
    } else if (c.mode == "linear") {
        // Edge padding: neighbours beyond the border read the border.
        t.taps.push_back({clampIndex(int64_t(fl)), 1 - (x - fl)});
        t.taps.push_back({clampIndex(int64_t(fl) + 1), x - fl});
    } else {
        double sum = 0;
        for (int64_t k = -1; k <= 2; ++k) {
            const int64_t i = int64_t(fl) + k;
            double w = keys(static_cast<double>(k) - (x - fl), c.cubicA);
            if (c.exclude && (i < 0 || i >= len))
                w = 0;
            sum += w;
            t.taps.push_back({clampIndex(i), w});
        }
        if (c.exclude)
            for (auto& tap : t.taps)
                tap.second /= sum;
    }
    return t;
}

/// Output shape, per-axis scale and resized length (in·scale unrounded when scales are given,
/// as the ONNX reference implementation and its test data use).
void resizeGeometry(const ResizeCase& c, Shape& out, std::vector<double>& scale, std::vector<double>& lenResized)
{
    for (size_t d = 0; d < c.in.size(); ++d) {
        if (!c.scales.empty()) {
            out.push_back(static_cast<int64_t>(std::floor(static_cast<float>(c.in[d]) * c.scales[d])));
            scale.push_back(c.scales[d]);
            lenResized.push_back(double(c.in[d]) * double(c.scales[d]));
        } else {
            out.push_back(c.sizes[d]);
            scale.push_back(double(c.sizes[d]) / double(c.in[d]));
            lenResized.push_back(double(c.sizes[d]));
        }
    }
}

/// Per output element: the sum over every combination of the axes' taps of the product of
/// their weights times the input value (the N-d tensor-product definition, no separability).
Tensor naiveResize(const Tensor& x, const ResizeCase& c)
{
    Shape out;
    std::vector<double> scale, lenResized;
    resizeGeometry(c, out, scale, lenResized);
    const size_t r = out.size();
    Tensor y(x.dtype(), out);
    for (int64_t flat = 0; flat < y.numel(); ++flat) {
        const auto o = unravel(flat, out);
        std::vector<AxisTaps> axes;
        bool outside = false;
        for (size_t d = 0; d < r; ++d) {
            const double rs = c.roi.empty() ? 0.0 : c.roi[d];
            const double re = c.roi.empty() ? 1.0 : c.roi[d + r];
            axes.push_back(axisTaps(c, o[d], c.in[d], scale[d], lenResized[d], rs, re));
            outside = outside || axes.back().outside;
        }
        double value = c.extrapolation;
        if (!outside) {
            value = 0;
            std::vector<int64_t> idx(r);
            std::function<void(size_t, double)> sum = [&](size_t d, double w) {
                if (d == r) {
                    value += w * x.valueAsDouble(ravel(idx, c.in));
                    return;
                }
                for (const auto& [i, wi] : axes[d].taps) {
                    idx[d] = i;
                    sum(d + 1, w * wi);
                }
            };
            sum(0, 1.0);
        }
        if (x.isFloat())
            y.floats()[flat] = static_cast<float>(value);
        else
            y.ints()[flat] = static_cast<int64_t>(std::llround(value));
    }
    return y;
}

/// A seed from a test row's name (FNV-1a: the same on every platform and Qt version).
uint32_t seedOf(const char* tag)
{
    uint32_t h = 2166136261u;
    for (; *tag; ++tag)
        h = (h ^ static_cast<uint8_t>(*tag)) * 16777619u;
    return h;
}

/// Runs the registered Resize/Upsample on x for a case (every attribute form the case implies).
Tensor runResizeCase(const Tensor& x, const ResizeCase& c)
{
    const Tensor roi = Tensor::fromFloats({int64_t(c.roi.size())}, c.roi);
    const Tensor scales = Tensor::fromFloats({int64_t(c.scales.size())}, c.scales);
    const Tensor sizes = intTensor(c.sizes);
    if (c.op == "Upsample") {
        Node n = makeNode("Upsample", c.opset >= 9 ? 2 : 1);
        setString(n, "mode", c.mode);
        if (c.opset >= 9)
            return runOp(n, {&x, &scales}, c.opset).at(0);
        setFloats(n, "scales", c.scales);
        return runOp(n, {&x}, c.opset).at(0);
    }
    if (c.opset < 11) {
        Node n = makeNode("Resize", 2);
        setString(n, "mode", c.mode);
        return runOp(n, {&x, &scales}, c.opset).at(0);
    }
    Node n = makeNode("Resize", 4);
    n.inputs[1] = c.roi.empty() ? "" : "roi";
    n.inputs[2] = c.scales.empty() ? "" : "scales";
    if (c.sizes.empty())
        n.inputs.pop_back();
    setString(n, "mode", c.mode);
    setString(n, "coordinate_transformation_mode", c.coord);
    setString(n, "nearest_mode", c.nearest);
    setFloat(n, "cubic_coeff_a", c.cubicA);
    setInt(n, "exclude_outside", c.exclude);
    setFloat(n, "extrapolation_value", c.extrapolation);
    auto orNull = [](const Tensor& t) { return t.numel() > 0 ? &t : nullptr; };
    return runOp(n, {&x, orNull(roi), orNull(scales), orNull(sizes)}, c.opset).at(0);
}

const char* const kCoordModes[] = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
                                   "tf_half_pixel_for_nn", "tf_crop_and_resize"};
const char* const kNearestModes[] = {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"};

/// Adds the up-scale, down-scale and sizes variants of a mode/coordinate combination.
void addResizeVariants(const std::string& label, ResizeCase c)
{
    c.in = {1, 2, 5, 6};
    if (c.coord == "tf_crop_and_resize") {
        // Part of the box lies outside the input: those outputs take the extrapolation value.
        c.roi = {0, 0, 0.2f, -0.15f, 1, 1, 0.9f, 1.2f};
        c.extrapolation = 3.5f;
    }
    ResizeCase up = c, down = c, sizes = c;
    up.scales = {1, 1, 1.75f, 2.5f};
    down.scales = {1, 1, 0.6f, 0.45f};
    sizes.sizes = {1, 2, 8, 4};
    QTest::addRow("%s up scales 1.75x2.5", label.c_str()) << up;
    QTest::addRow("%s down scales 0.6x0.45", label.c_str()) << down;
    QTest::addRow("%s sizes 8x4", label.c_str()) << sizes;
}

} // namespace

Q_DECLARE_METATYPE(ResizeCase)

class TestOpsShape : public QObject
{
    Q_OBJECT
private slots:
    // ---- Resize / Upsample ----------------------------------------------------------------

    void resize_data()
    {
        QTest::addColumn<ResizeCase>("c");
        for (const char* coord : kCoordModes)
            for (const char* nearest : kNearestModes) {
                ResizeCase c;
                c.coord = coord;
                c.nearest = nearest;
                addResizeVariants(std::string("nearest ") + coord + " " + nearest, c);
            }
        for (const char* coord : kCoordModes) {
            ResizeCase c;
            c.mode = "linear";
            c.coord = coord;
            addResizeVariants(std::string("linear ") + coord, c);
            c.mode = "cubic";
            addResizeVariants(std::string("cubic ") + coord, c);
            c.cubicA = -0.5f;
            c.exclude = 1;
            addResizeVariants(std::string("cubic A=-0.5 exclude_outside ") + coord, c);
        }
        addSpecialResizeRows();
    }

    void resize()
    {
        QFETCH(ResizeCase, c);
        const uint32_t seed = seedOf(QTest::currentDataTag());
        const Tensor x = c.intData ? randomInts(c.in, seed) : randomTensor(c.in, seed);
        const Tensor actual = runResizeCase(x, c);
        const Tensor expected = naiveResize(x, c);
        QCOMPARE(shapeToString(actual.shape()), shapeToString(expected.shape()));
        LNSCOPE_COMPARE_TENSORS(actual, expected, Tolerance{});
    }

    void resizeErrors_data()
    {
        QTest::addColumn<QString>("what");
        QTest::addColumn<QString>("message");
        QTest::addRow("both scales and sizes") << "both" << "both scales and sizes";
        QTest::addRow("neither scales nor sizes") << "neither" << "neither scales nor sizes";
        QTest::addRow("scales of the wrong rank") << "rank" << "scales has 3 values";
        QTest::addRow("negative scale") << "negative" << "must be positive";
    }

    void resizeErrors()
    {
        QFETCH(QString, what);
        QFETCH(QString, message);
        const Tensor x = randomTensor({1, 1, 2, 2}, 1);
        const Tensor good = Tensor::fromFloats({4}, {1, 1, 2, 2});
        const Tensor wrongRank = Tensor::fromFloats({3}, {1, 2, 2});
        const Tensor negative = Tensor::fromFloats({4}, {1, 1, -2, 2});
        const Tensor emptyScales = Tensor::fromFloats({0}, {});
        const Tensor sizes = intTensor({1, 1, 4, 4});
        Node n = makeNode("Resize", 4);
        std::vector<const Tensor*> in = {&x, nullptr, &good, &sizes};
        if (what == "neither")
            in = {&x, nullptr, &emptyScales, nullptr};
        if (what == "rank" || what == "negative")
            in = {&x, nullptr, what == "rank" ? &wrongRank : &negative, nullptr};
        try {
            runOp(n, in);
            QFAIL("no ShapeError");
        } catch (const ShapeError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void resizeImportErrors_data()
    {
        QTest::addColumn<int>("opset");
        QTest::addColumn<QString>("attr");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown mode") << 13 << "mode" << "area" << "'mode' has unsupported value 'area'";
        QTest::addRow("unknown coordinate mode") << 13 << "coordinate_transformation_mode" << "half"
                                                 << "coordinate_transformation_mode";
        QTest::addRow("unknown nearest mode") << 11 << "nearest_mode" << "round" << "nearest_mode";
        QTest::addRow("cubic in Resize-10") << 10 << "mode" << "cubic" << "'mode' has unsupported value 'cubic'";
    }

    void resizeImportErrors()
    {
        QFETCH(int, opset);
        QFETCH(QString, attr);
        QFETCH(QString, value);
        QFETCH(QString, message);
        ModelBuilder b(opset);
        b.input("X", {1, 1, 2, 2}).output("Y");
        b.initializer("scales", Tensor::fromFloats({4}, {1, 1, 2, 2}));
        const std::vector<std::string> inputs = opset < 11 ? std::vector<std::string>{"X", "scales"}
                                                           : std::vector<std::string>{"X", "", "scales"};
        auto& node = b.node("Resize", inputs, {"Y"});
        ModelBuilder::attr(node, attr.toStdString(), value.toStdString());
        try {
            b.import();
            QFAIL("imported");
        } catch (const FormatError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
            QVERIFY2(QString(e.what()).contains("Resize"), e.what());
        }
    }

    /// The exporter shape (PyTorch, opset 11): sizes computed from Shape → Slice → Concat.
    void resizeExporterSubgraph()
    {
        ModelBuilder b(11);
        b.input("X", {1, 3, 5, 4}).output("Y");
        b.initializer("roi", Tensor::fromFloats({0}, {}));
        b.initializer("scales", Tensor::fromFloats({0}, {}));
        b.initializer("zero", intTensor({0}));
        b.initializer("two", intTensor({2}));
        b.initializer("hw", intTensor({9, 7}));
        b.node("Shape", {"X"}, {"shape"});
        b.node("Slice", {"shape", "zero", "two", "zero"}, {"nc"});
        auto& cat = b.node("Concat", {"nc", "hw"}, {"sizes"});
        ModelBuilder::attr(cat, "axis", int64_t(0));
        auto& r = b.node("Resize", {"X", "roi", "scales", "sizes"}, {"Y"});
        ModelBuilder::attr(r, "mode", std::string("linear"));
        ModelBuilder::attr(r, "coordinate_transformation_mode", std::string("align_corners"));
        const Executor exec(b.import());
        const Tensor x = randomTensor({1, 3, 5, 4}, 77);
        const Tensor y = exec.run({{"X", x}}).at("Y");
        ResizeCase c;
        c.in = {1, 3, 5, 4};
        c.mode = "linear";
        c.coord = "align_corners";
        c.sizes = {1, 3, 9, 7};
        LNSCOPE_COMPARE_TENSORS(y, naiveResize(x, c), Tolerance{});
    }

    // ---- Slice ------------------------------------------------------------------------------

    void slice_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("starts");
        QTest::addColumn<QString>("ends");
        QTest::addColumn<QString>("axes");
        QTest::addColumn<QString>("steps");
        QTest::addColumn<int>("opset");
        QTest::addRow("basic two axes") << "4x5x6" << "1,0" << "3,4" << "0,2" << "" << 13;
        QTest::addRow("default axes and steps") << "4x5x6" << "1,2" << "3,5" << "" << "" << 13;
        QTest::addRow("negative starts and ends") << "4x5x6" << "-3,-4" << "-1,-1" << "1,2" << "" << 13;
        QTest::addRow("negative axes") << "4x5x6" << "0,1" << "2,3" << "-1,-3" << "" << 13;
        QTest::addRow("end INT64_MAX") << "4x5x6" << "2" << "max" << "1" << "" << 13;
        QTest::addRow("start and end beyond the dim clamp") << "4x5x6" << "-100,3" << "100,1000" << "0,2" << "" << 13;
        QTest::addRow("step 2") << "4x5x7" << "0,1" << "max,max" << "1,2" << "2,2" << 13;
        QTest::addRow("step 3 uneven") << "10" << "1" << "9" << "0" << "3" << 13;
        QTest::addRow("negative step reverses") << "4x5x6" << "-1" << "min" << "2" << "-1" << 13;
        QTest::addRow("negative step 2 from the end") << "4x5x7" << "max,4" << "min,0" << "2,1" << "-2,-3" << 13;
        QTest::addRow("negative step clamped start") << "6" << "100" << "-100" << "0" << "-2" << 13;
        QTest::addRow("negative step stops at end") << "8" << "6" << "1" << "0" << "-2" << 13;
        QTest::addRow("step larger than the dim") << "5x3" << "1" << "max" << "0" << "7" << 13;
        QTest::addRow("step INT64_MAX") << "5x3" << "0" << "max" << "0" << "max" << 13;
        QTest::addRow("empty: start after end") << "4x5" << "3" << "1" << "0" << "" << 13;
        QTest::addRow("empty: negative step, start before end") << "4x5" << "1" << "3" << "1" << "-1" << 13;
        QTest::addRow("opset 9 attributes") << "4x5x6" << "1,-2" << "max,-1" << "0,2" << "" << 9;
        QTest::addRow("opset 9 attributes, no axes") << "4x5x6" << "0,1" << "2,4" << "" << "" << 9;
        QTest::addRow("opset 10 inputs") << "4x5x6" << "3" << "0" << "0" << "-1" << 10;
    }

    void slice()
    {
        QFETCH(QString, shape);
        QFETCH(QString, starts);
        QFETCH(QString, ends);
        QFETCH(QString, axes);
        QFETCH(QString, steps);
        QFETCH(int, opset);
        const Shape in = parseShape(shape);
        const auto st = parseInts(starts), en = parseInts(ends), ax = parseInts(axes), sp = parseInts(steps);
        for (bool intData : {false, true}) {
            const Tensor x = intData ? randomInts(in, 5) : randomTensor(in, 5);
            const Tensor s = intTensor(st), e = intTensor(en), a = intTensor(ax), p = intTensor(sp);
            Node n = makeNode("Slice", opset >= 10 ? 3 : 1);
            std::vector<const Tensor*> inputs = {&x};
            if (opset < 10) {
                setInts(n, "starts", st);
                setInts(n, "ends", en);
                if (!ax.empty())
                    setInts(n, "axes", ax);
            } else {
                inputs = {&x, &s, &e};
                if (!ax.empty() || !sp.empty()) {
                    n.inputs.push_back(ax.empty() ? "" : "in3");
                    inputs.push_back(ax.empty() ? nullptr : &a);
                }
                if (!sp.empty()) {
                    n.inputs.push_back("in4");
                    inputs.push_back(&p);
                }
            }
            const Tensor actual = runOp(n, inputs, opset).at(0);
            const Tensor expected = naiveSlice(x, st, en, ax, sp);
            QCOMPARE(shapeToString(actual.shape()), shapeToString(expected.shape()));
            LNSCOPE_COMPARE_TENSORS(actual, expected, exact());
        }
    }

    // ---- Reshape, Flatten, Squeeze, Unsqueeze, Shape -----------------------------------------

    void reshape_data()
    {
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("spec");
        QTest::addColumn<int>("allowZero");
        QTest::addColumn<QString>("expected"); // a shape, or "error: <message part>"
        QTest::addRow("plain") << "2x3x4" << "4,6" << 0 << "4x6";
        QTest::addRow("one -1") << "2x3x4" << "-1,4" << 0 << "6x4";
        QTest::addRow("0 copies the dim") << "2x3x4" << "0,-1" << 0 << "2x12";
        QTest::addRow("0 and -1 extended") << "2x3x4" << "0,0,2,-1" << 0 << "2x3x2x2";
        QTest::addRow("allowzero keeps 0") << "0x3" << "3,0" << 1 << "3x0";
        QTest::addRow("allowzero without 0") << "2x3x4" << "4,-1" << 1 << "4x6";
        QTest::addRow("scalar to 1") << "" << "1" << 0 << "1";
        QTest::addRow("to scalar") << "1x1" << "" << 0 << "";
        QTest::addRow("error: two -1") << "2x3x4" << "-1,-1" << 0 << "error: more than one -1";
        QTest::addRow("error: count mismatch") << "2x3x4" << "5,5" << 0 << "error: cannot reshape";
        QTest::addRow("error: -1 not divisible") << "2x3x4" << "5,-1" << 0 << "error: cannot infer";
        QTest::addRow("error: 0 beyond input rank") << "6" << "1,0" << 0 << "error: copies dimension 1";
        QTest::addRow("error: allowzero with 0 and -1") << "2x3" << "0,-1" << 1 << "error: both 0 and -1";
        QTest::addRow("error: dim below -1") << "2x3" << "-2,-3" << 0 << "error: invalid dimension";
    }

    void reshape()
    {
        QFETCH(QString, in);
        QFETCH(QString, spec);
        QFETCH(int, allowZero);
        QFETCH(QString, expected);
        const Tensor x = randomTensor(parseShape(in), 3);
        const Tensor shape = intTensor(parseInts(spec));
        Node n = makeNode("Reshape", 2);
        setInt(n, "allowzero", allowZero);
        if (expected.startsWith("error: ")) {
            try {
                runOp(n, {&x, &shape}, 14);
                QFAIL("no ShapeError");
            } catch (const ShapeError& e) {
                QVERIFY2(QString(e.what()).contains(expected.mid(7)), e.what());
            }
            return;
        }
        const Tensor y = runOp(n, {&x, &shape}, 14).at(0);
        QCOMPARE(shapeToString(y.shape()), shapeToString(parseShape(expected)));
        QVERIFY(std::equal(y.floats().begin(), y.floats().end(), x.floats().begin(), x.floats().end()));
    }

    void shapeOnly_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("in");
        QTest::addColumn<QString>("attr");  // "name=v1,v2" or "input=v1,v2" (opset 13 axes input) or ""
        QTest::addColumn<int>("opset");
        QTest::addColumn<QString>("expected"); // shape, or "error: <message part>"
        QTest::addRow("Flatten default axis") << "Flatten" << "2x3x4" << "" << 13 << "2x12";
        QTest::addRow("Flatten axis 0") << "Flatten" << "2x3x4" << "axis=0" << 13 << "1x24";
        QTest::addRow("Flatten axis = rank") << "Flatten" << "2x3x4" << "axis=3" << 13 << "24x1";
        QTest::addRow("Flatten negative axis") << "Flatten" << "2x3x4" << "axis=-1" << 13 << "6x4";
        QTest::addRow("Flatten axis out of range") << "Flatten" << "2x3x4" << "axis=4" << 13 << "error: out of range";
        QTest::addRow("Squeeze all ones") << "Squeeze" << "1x3x1x4" << "" << 13 << "3x4";
        QTest::addRow("Squeeze attribute axes") << "Squeeze" << "1x3x1x4" << "axes=2" << 11 << "1x3x4";
        QTest::addRow("Squeeze input negative axes") << "Squeeze" << "1x3x1x4" << "input=-2,0" << 13 << "3x4";
        QTest::addRow("Squeeze of a non-1 dim") << "Squeeze" << "1x3x1x4" << "input=1" << 13
                                                << "error: cannot squeeze axis 1";
        QTest::addRow("Squeeze of a non-1 dim, opset 11") << "Squeeze" << "2x3" << "axes=0" << 11
                                                          << "error: cannot squeeze";
        QTest::addRow("Unsqueeze attribute") << "Unsqueeze" << "3x4" << "axes=0,3" << 11 << "1x3x4x1";
        QTest::addRow("Unsqueeze input negative unsorted") << "Unsqueeze" << "3x4" << "input=-1,1" << 13 << "3x1x4x1";
        QTest::addRow("Unsqueeze scalar") << "Unsqueeze" << "" << "input=0" << 13 << "1";
        QTest::addRow("Unsqueeze duplicate axis") << "Unsqueeze" << "3x4" << "input=1,-3" << 13
                                                  << "error: listed twice";
        QTest::addRow("Unsqueeze axis out of range") << "Unsqueeze" << "3x4" << "input=3" << 13
                                                     << "error: out of range";
    }

    void shapeOnly()
    {
        QFETCH(QString, op);
        QFETCH(QString, in);
        QFETCH(QString, attr);
        QFETCH(int, opset);
        QFETCH(QString, expected);
        const Tensor x = randomTensor(parseShape(in), 9);
        Node n = makeNode(op.toStdString(), 1);
        const Tensor axes = intTensor(parseInts(attr.section('=', 1)));
        std::vector<const Tensor*> inputs = {&x};
        if (attr.startsWith("input=")) {
            n.inputs.push_back("axes");
            inputs.push_back(&axes);
        } else if (attr.startsWith("axis=")) {
            setInt(n, "axis", parseInts(attr.section('=', 1)).at(0));
        } else if (!attr.isEmpty()) {
            setInts(n, attr.section('=', 0, 0).toStdString(), parseInts(attr.section('=', 1)));
        }
        if (expected.startsWith("error: ")) {
            try {
                runOp(n, inputs, opset);
                QFAIL("no ShapeError");
            } catch (const ShapeError& e) {
                QVERIFY2(QString(e.what()).contains(expected.mid(7)), e.what());
            }
            return;
        }
        const Tensor y = runOp(n, inputs, opset).at(0);
        QCOMPARE(shapeToString(y.shape()), shapeToString(parseShape(expected)));
        QVERIFY(std::equal(y.floats().begin(), y.floats().end(), x.floats().begin(), x.floats().end()));
    }

    void shapeOp_data()
    {
        QTest::addColumn<QString>("start");
        QTest::addColumn<QString>("end");
        QTest::addColumn<QString>("expected");
        QTest::addRow("whole shape") << "" << "" << "2,3,4,5";
        QTest::addRow("start 1") << "1" << "" << "3,4,5";
        QTest::addRow("end -1") << "" << "-1" << "2,3,4";
        QTest::addRow("start -2 end 100 clamps") << "-2" << "100" << "4,5";
        QTest::addRow("start -100 clamps") << "-100" << "2" << "2,3";
        QTest::addRow("start after end is empty") << "3" << "1" << "";
    }

    void shapeOp()
    {
        QFETCH(QString, start);
        QFETCH(QString, end);
        QFETCH(QString, expected);
        const Tensor x = randomTensor({2, 3, 4, 5}, 1);
        Node n = makeNode("Shape", 1);
        if (!start.isEmpty())
            setInt(n, "start", start.toLongLong());
        if (!end.isEmpty())
            setInt(n, "end", end.toLongLong());
        const Tensor y = runOp(n, {&x}, 15).at(0);
        QCOMPARE(y.dtype(), DType::Int64);
        LNSCOPE_COMPARE_TENSORS(y, intTensor(parseInts(expected)), exact());
    }

    // ---- Transpose, Concat, Split, Gather -----------------------------------------------------

    void transpose_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("perm");
        QTest::addRow("2-D default reverses") << "3x5" << "";
        QTest::addRow("4-D default reverses") << "2x3x4x5" << "";
        QTest::addRow("NCHW to NHWC") << "2x3x4x5" << "0,2,3,1";
        QTest::addRow("NHWC to NCHW") << "2x4x5x3" << "0,3,1,2";
        QTest::addRow("pixel-shuffle 6-D") << "1x2x2x2x3x3" << "0,1,4,2,5,3";
        QTest::addRow("identity perm") << "2x3x4" << "0,1,2";
        QTest::addRow("large (threads)") << "4x64x32x40" << "0,2,3,1";
    }

    void transpose()
    {
        QFETCH(QString, shape);
        QFETCH(QString, perm);
        const Shape in = parseShape(shape);
        std::vector<int64_t> p = parseInts(perm);
        Node n = makeNode("Transpose", 1);
        if (!p.empty())
            setInts(n, "perm", p);
        else
            for (int64_t i = int64_t(in.size()) - 1; i >= 0; --i)
                p.push_back(i);
        Shape out;
        for (int64_t a : p)
            out.push_back(in[size_t(a)]);
        for (bool intData : {false, true}) {
            const Tensor x = intData ? randomInts(in, 4) : randomTensor(in, 4);
            const Tensor expected = gatherReference(x, out, [&](const std::vector<int64_t>& o) {
                std::vector<int64_t> i(in.size());
                for (size_t k = 0; k < p.size(); ++k)
                    i[size_t(p[k])] = o[k];
                return ravel(i, in);
            });
            LNSCOPE_COMPARE_TENSORS(runOp(n, {&x}).at(0), expected, exact());
        }
    }

    void transposeBadPerm()
    {
        Node n = makeNode("Transpose", 1);
        setInts(n, "perm", {0, 2, 2});
        const Tensor x = randomTensor({2, 3, 4}, 1);
        QVERIFY_THROWS_EXCEPTION(FormatError, runOp(n, {&x}));
    }

    void concat_data()
    {
        QTest::addColumn<QString>("shapes");
        QTest::addColumn<int>("axis");
        QTest::addRow("axis 0") << "2x3;4x3;1x3" << 0;
        QTest::addRow("channels") << "1x3x4x5;1x1x4x5;1x6x4x5" << 1;
        QTest::addRow("negative axis") << "2x3x4;2x3x1;2x3x7" << -1;
        QTest::addRow("with an empty input") << "2x0x4;2x3x4" << 1;
        QTest::addRow("single input") << "2x3" << 1;
        QTest::addRow("1-D int shapes") << "2;1;3" << 0;
    }

    void concat()
    {
        QFETCH(QString, shapes);
        QFETCH(int, axis);
        for (bool intData : {false, true}) {
            std::vector<Tensor> parts;
            for (const QString& s : shapes.split(';'))
                parts.push_back(intData ? randomInts(parseShape(s), uint32_t(parts.size()))
                                        : randomTensor(parseShape(s), uint32_t(parts.size())));
            const int r = parts[0].rank();
            const int ax = axis < 0 ? axis + r : axis;
            Shape out = parts[0].shape();
            out[ax] = 0;
            std::vector<int64_t> firstIndex; // along the axis, where each part begins
            for (const Tensor& t : parts) {
                firstIndex.push_back(out[ax]);
                out[ax] += t.dim(ax);
            }
            Tensor expected(parts[0].dtype(), out);
            for (int64_t i = 0; i < expected.numel(); ++i) {
                auto idx = unravel(i, out);
                size_t k = parts.size() - 1;
                while (firstIndex[k] > idx[ax] || parts[k].dim(ax) == 0)
                    --k;
                idx[ax] -= firstIndex[k];
                const int64_t src = ravel(idx, parts[k].shape());
                if (intData)
                    expected.ints()[i] = parts[k].ints()[src];
                else
                    expected.floats()[i] = parts[k].floats()[src];
            }
            Node n = makeNode("Concat", parts.size());
            setInt(n, "axis", axis);
            std::vector<const Tensor*> inputs;
            for (const Tensor& t : parts)
                inputs.push_back(&t);
            LNSCOPE_COMPARE_TENSORS(runOp(n, inputs).at(0), expected, exact());
        }
    }

    void concatMismatch()
    {
        const Tensor a = randomTensor({2, 3}, 1), b = randomTensor({3, 3}, 2);
        Node n = makeNode("Concat", 2);
        setInt(n, "axis", 1);
        QVERIFY_THROWS_EXCEPTION(ShapeError, runOp(n, {&a, &b}));
    }

    void split_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<int>("axis");
        QTest::addColumn<QString>("split");
        QTest::addColumn<QString>("form"); // attr (opset 11), input (opset 13), equal
        QTest::addColumn<int>("outputs");
        QTest::addRow("equal parts axis 1") << "2x6x3" << 1 << "" << "equal" << 3;
        QTest::addRow("equal parts negative axis") << "2x3x8" << -1 << "" << "equal" << 2;
        QTest::addRow("attribute sizes") << "7x4" << 0 << "2,4,1" << "attr" << 3;
        QTest::addRow("input sizes") << "2x7" << 1 << "3,0,4" << "input" << 3;
        QTest::addRow("input sizes with zeros") << "5" << 0 << "0,5,0" << "input" << 3;
    }

    void split()
    {
        QFETCH(QString, shape);
        QFETCH(int, axis);
        QFETCH(QString, split);
        QFETCH(QString, form);
        QFETCH(int, outputs);
        const Shape in = parseShape(shape);
        const int ax = axis < 0 ? axis + int(in.size()) : axis;
        std::vector<int64_t> sizes = parseInts(split);
        if (sizes.empty())
            sizes.assign(size_t(outputs), in[ax] / outputs);
        const Tensor x = randomTensor(in, 8);
        const Tensor splitT = intTensor(sizes);
        Node n = makeNode("Split", form == "input" ? 2 : 1, size_t(outputs));
        setInt(n, "axis", axis);
        if (form == "attr")
            setInts(n, "split", sizes);
        const auto outs = form == "input" ? runOp(n, {&x, &splitT}, 13) : runOp(n, {&x}, form == "attr" ? 11 : 13);
        QCOMPARE(outs.size(), size_t(outputs));
        int64_t begin = 0;
        for (size_t k = 0; k < outs.size(); ++k) {
            Shape s = in;
            s[ax] = sizes[k];
            const Tensor expected = gatherReference(x, s, [&](std::vector<int64_t> i) {
                i[ax] += begin;
                return ravel(i, in);
            });
            LNSCOPE_COMPARE_TENSORS(outs[k], expected, exact());
            begin += sizes[k];
        }
    }

    void splitUneven()
    {
        const Tensor x = randomTensor({2, 5}, 1);
        Node n = makeNode("Split", 1, 2);
        setInt(n, "axis", 1);
        QVERIFY_THROWS_EXCEPTION(ShapeError, runOp(n, {&x}));
    }

    void gather_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<int>("axis");
        QTest::addColumn<QString>("indicesShape");
        QTest::addColumn<QString>("indices");
        QTest::addRow("axis 0, 1-D indices") << "5x3" << 0 << "3" << "4,0,2";
        QTest::addRow("negative indices") << "5x3" << 0 << "4" << "-1,-5,2,-2";
        QTest::addRow("axis 1, 2-D indices") << "2x4x3" << 1 << "2x2" << "3,-4,1,1";
        QTest::addRow("negative axis, scalar index") << "2x4x3" << -1 << "" << "-1";
        QTest::addRow("embedding lookup") << "10x4" << 0 << "2x3" << "9,0,3,3,-10,7";
        QTest::addRow("1-D data, scalar index") << "6" << 0 << "" << "2";
    }

    void gather()
    {
        QFETCH(QString, shape);
        QFETCH(int, axis);
        QFETCH(QString, indicesShape);
        QFETCH(QString, indices);
        const Shape in = parseShape(shape);
        const Shape is = parseShape(indicesShape);
        const Tensor idx = Tensor::fromInts(is, parseInts(indices));
        const int ax = axis < 0 ? axis + int(in.size()) : axis;
        Shape out(in.begin(), in.begin() + ax);
        out.insert(out.end(), is.begin(), is.end());
        out.insert(out.end(), in.begin() + ax + 1, in.end());
        Node n = makeNode("Gather", 2);
        setInt(n, "axis", axis);
        for (bool intData : {false, true}) {
            const Tensor x = intData ? randomInts(in, 6) : randomTensor(in, 6);
            const Tensor expected = gatherReference(x, out, [&](const std::vector<int64_t>& o) {
                std::vector<int64_t> i(o.begin(), o.begin() + ax);
                const std::vector<int64_t> k(o.begin() + ax, o.begin() + ax + int64_t(is.size()));
                int64_t v = idx.ints()[ravel(k, is)];
                i.push_back(v < 0 ? v + in[ax] : v);
                i.insert(i.end(), o.begin() + ax + int64_t(is.size()), o.end());
                return ravel(i, in);
            });
            LNSCOPE_COMPARE_TENSORS(runOp(n, {&x, &idx}).at(0), expected, exact());
        }
    }

    void gatherOutOfRange()
    {
        const Tensor x = randomTensor({3, 2}, 1);
        const Tensor idx = intTensor({0, -4});
        Node n = makeNode("Gather", 2);
        try {
            runOp(n, {&x, &idx});
            QFAIL("no ShapeError");
        } catch (const ShapeError& e) {
            QVERIFY2(QString(e.what()).contains("index -4 is out of range"), e.what());
        }
    }

    // ---- Pad ------------------------------------------------------------------------------------

    void pad_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("pads");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<int>("opset");
        QTest::addRow("constant 2-D") << "3x4" << "1,2,2,0" << "constant" << 13;
        QTest::addRow("constant NCHW spatial") << "1x2x3x4" << "0,0,1,2,0,0,2,1" << "constant" << 13;
        QTest::addRow("reflect") << "1x2x4x5" << "0,0,2,3,0,0,3,4" << "reflect" << 13;
        QTest::addRow("reflect wider than the input") << "5" << "9,11" << "reflect" << 13;
        QTest::addRow("reflect length 1") << "1x3" << "2,1,1,0" << "reflect" << 13;
        QTest::addRow("edge") << "2x3x4" << "1,2,3,2,1,0" << "edge" << 13;
        QTest::addRow("negative pads crop") << "4x6" << "-1,2,-2,-3" << "constant" << 13;
        QTest::addRow("negative and positive, reflect") << "4x6" << "-1,3,2,-2" << "reflect" << 13;
        QTest::addRow("negative and positive, edge") << "5x6" << "2,-2,-1,3" << "edge" << 13;
        QTest::addRow("opset 2 attributes constant") << "2x3x4" << "0,1,1,0,2,1" << "constant" << 2;
        QTest::addRow("opset 2 attributes reflect") << "2x3x4" << "0,1,2,0,2,1" << "reflect" << 7;
        QTest::addRow("large (threads)") << "1x8x64x64" << "0,0,3,3,0,0,3,3" << "reflect" << 13;
    }

    void pad()
    {
        QFETCH(QString, shape);
        QFETCH(QString, pads);
        QFETCH(QString, mode);
        QFETCH(int, opset);
        const Shape in = parseShape(shape);
        const auto p = parseInts(pads);
        const float value = 1.25f;
        Node n = makeNode("Pad", opset >= 11 ? 3 : 1);
        setString(n, "mode", mode.toStdString());
        if (opset < 11) {
            setInts(n, "pads", p);
            setFloat(n, "value", value);
        }
        for (bool intData : {false, true}) {
            const Tensor x = intData ? randomInts(in, 2) : randomTensor(in, 2);
            const Tensor padsT = intTensor(p);
            const Tensor constant = intData ? Tensor::scalarInt(-7) : Tensor::scalar(value);
            // Before opset 11 the constant is the float attribute, truncated for int64 data.
            const double fill = opset < 11 && intData ? 1.0 : constant.valueAsDouble(0);
            const Tensor expected = naivePad(x, p, mode.toStdString(), fill);
            const Tensor actual = opset >= 11 ? runOp(n, {&x, &padsT, &constant}, opset).at(0)
                                              : runOp(n, {&x}, opset).at(0);
            QCOMPARE(shapeToString(actual.shape()), shapeToString(expected.shape()));
            LNSCOPE_COMPARE_TENSORS(actual, expected, exact());
        }
    }

    void padErrors()
    {
        const Tensor x = randomTensor({2, 3}, 1);
        const Tensor wrongCount = intTensor({1, 1});
        const Tensor overCrop = intTensor({0, -2, 0, -2});
        Node n = makeNode("Pad", 2);
        QVERIFY_THROWS_EXCEPTION(ShapeError, runOp(n, {&x, &wrongCount}));
        QVERIFY_THROWS_EXCEPTION(ShapeError, runOp(n, {&x, &overCrop}));
        setString(n, "mode", "wrap"); // opset 19
        QVERIFY_THROWS_EXCEPTION(FormatError, runOp(n, {&x, &overCrop}));
    }

    // ---- Cast, Identity -----------------------------------------------------------------------

    void cast_data()
    {
        QTest::addColumn<QString>("values");
        QTest::addColumn<bool>("intInput");
        QTest::addColumn<int>("to");
        QTest::addColumn<QString>("expected");
        QTest::addRow("float to int64 truncates") << "-1.7,-0.5,0.5,2.9,1e10" << false << 7 << "-1,0,0,2,10000000000";
        QTest::addRow("float to int32 wraps") << "3e9,-2.5" << false << 6 << "-1294967296,-2";
        QTest::addRow("float to uint8 wraps") << "300.7,-1,255" << false << 2 << "44,255,255";
        QTest::addRow("float to bool") << "0,-0,0.1,-3,nan" << false << 9 << "0,0,1,1,1";
        QTest::addRow("float NaN to int is 0") << "nan" << false << 7 << "0";
        QTest::addRow("int to bool") << "0,5,-2" << true << 9 << "0,1,1";
        QTest::addRow("int to int8 wraps") << "127,128,-129" << true << 3 << "127,-128,127";
        QTest::addRow("int to float") << "-3,0,16777217" << true << 1 << "-3,0,16777216";
        QTest::addRow("int to double") << "7" << true << 11 << "7";
        QTest::addRow("float to float16 rounds")
            << "1.0009765625,1.00048828125,65519,65520,1e-8,3.0000001" << false << 10
            << "1.0009765625,1,65504,inf,0,3";
        QTest::addRow("float to float16 ties to even") << "1.00146484375,2049" << false << 10 << "1.001953125,2048";
        QTest::addRow("float to bfloat16") << "1.00390625,1.01171875,-3.14159" << false << 16 << "1,1.015625,-3.140625";
        QTest::addRow("float to float") << "1.5,-2" << false << 1 << "1.5,-2";
    }

    void cast()
    {
        QFETCH(QString, values);
        QFETCH(bool, intInput);
        QFETCH(int, to);
        QFETCH(QString, expected);
        auto parseDoubles = [](const QString& s) {
            std::vector<double> v;
            for (const QString& p : s.split(','))
                v.push_back(p == "nan" ? std::nan("") : p == "inf" ? INFINITY : p.toDouble());
            return v;
        };
        const auto in = parseDoubles(values);
        Tensor x(intInput ? DType::Int64 : DType::Float32, {int64_t(in.size())});
        for (size_t i = 0; i < in.size(); ++i) {
            if (intInput)
                x.ints()[i] = static_cast<int64_t>(in[i]);
            else
                x.floats()[i] = static_cast<float>(in[i]);
        }
        Node n = makeNode("Cast", 1);
        setInt(n, "to", to);
        const Tensor y = runOp(n, {&x}).at(0);
        const bool floatOut = to == 1 || to == 10 || to == 11 || to == 16;
        QCOMPARE(y.dtype(), floatOut ? DType::Float32 : DType::Int64);
        const auto want = parseDoubles(expected);
        QCOMPARE(y.numel(), int64_t(want.size()));
        for (size_t i = 0; i < want.size(); ++i) {
            if (floatOut)
                QCOMPARE(y.floats()[i], static_cast<float>(want[i]));
            else
                QCOMPARE(y.ints()[i], static_cast<int64_t>(want[i]));
        }
    }

    void castImportErrors()
    {
        for (int64_t to : {8, 14}) { // STRING, COMPLEX64
            ModelBuilder b(13);
            b.input("X", {2}).output("Y");
            ModelBuilder::attr(b.node("Cast", {"X"}, {"Y"}), "to", to);
            QVERIFY_THROWS_EXCEPTION(UnsupportedError, b.import());
        }
        ModelBuilder b(13);
        b.input("X", {2}).output("Y");
        b.node("Cast", {"X"}, {"Y"});
        QVERIFY_THROWS_EXCEPTION(FormatError, b.import()); // 'to' missing
    }

    void identity()
    {
        const Tensor x = randomInts({3, 4}, 1);
        LNSCOPE_COMPARE_TENSORS(runOp(makeNode("Identity", 1), {&x}).at(0), x, exact());
    }

    /// Errors found while running name the node (the executor's prefix) and keep their type.
    void executorErrors()
    {
        ModelBuilder b(13);
        b.input("X", {2, 3}).output("Y").output("Z");
        b.initializer("shape", intTensor({4, -1}));
        b.initializer("axes", intTensor({1}));
        b.node("Reshape", {"X", "shape"}, {"Y"}, "bad_reshape");
        b.node("Squeeze", {"X", "axes"}, {"Z"}, "bad_squeeze");
        const Executor exec(b.import());
        try {
            exec.run({{"X", randomTensor({2, 3}, 1)}});
            QFAIL("no ShapeError");
        } catch (const ShapeError& e) {
            QVERIFY2(QString(e.what()).contains("bad_reshape"), e.what());
        }
    }

private:
    static void addSpecialResizeRows()
    {
        ResizeCase c;
        c.mode = "linear";
        c.in = {2, 3, 4};
        c.sizes = {3, 5, 7};
        QTest::addRow("linear N-d over every axis") << c;
        c.in = {1, 2, 3, 4, 5};
        c.sizes.clear();
        c.scales = {1, 1, 1.5f, 0.5f, 2};
        QTest::addRow("trilinear 5-D") << c;
        c.mode = "cubic";
        c.in = {9};
        c.scales.clear();
        c.sizes = {13};
        QTest::addRow("cubic rank 1") << c;
        c = ResizeCase{};
        c.in = {1, 4, 3, 3};
        c.scales = {1, 0.5f, 2, 1};
        QTest::addRow("nearest over channels") << c;
        c.intData = true;
        c.in = {1, 1, 4, 5};
        c.coord = "asymmetric";
        c.nearest = "floor";
        c.scales = {1, 1, 2, 0.5f};
        QTest::addRow("nearest int64 data") << c;
        c = ResizeCase{};
        c.mode = "linear";
        c.coord = "tf_crop_and_resize";
        c.in = {2, 3, 4, 5};
        c.roi = {0, 0.2f, 0, 0, 1, 1.3f, 1, 1};
        c.sizes = {2, 4, 3, 5};
        c.extrapolation = -2;
        QTest::addRow("crop and resize over channels with extrapolation") << c;
        c = ResizeCase{};
        c.mode = "linear";
        c.coord = "pytorch_half_pixel";
        c.in = {1, 3, 48, 64};
        c.scales = {1, 1, 1.5f, 1.5f};
        QTest::addRow("bilinear large (threads)") << c;
        c.mode = "nearest";
        c.scales.clear();
        c.sizes = {1, 3, 48, 64};
        QTest::addRow("same size is a copy") << c;
        c = ResizeCase{};
        c.in = {1, 1, 3, 3};
        c.scales = {1, 1, 0.7f, 0.7f}; // floor(3·0.7f) = 2
        QTest::addRow("scale 0.7 output size") << c;
        addLegacyResizeRows();
    }

    static void addLegacyResizeRows()
    {
        ResizeCase c;
        c.opset = 10;
        c.in = {1, 2, 5, 6};
        c.scales = {1, 1, 0.6f, 1.7f};
        QTest::addRow("Resize-10 nearest (ceil down, floor up)") << c;
        c.mode = "linear";
        QTest::addRow("Resize-10 linear asymmetric") << c;
        c.op = "Upsample";
        c.opset = 9;
        c.scales = {1, 1, 2, 3};
        QTest::addRow("Upsample-9 linear") << c;
        c.mode = "nearest";
        c.opset = 7;
        c.scales = {1, 1, 2.5f, 3};
        QTest::addRow("Upsample-7 nearest attribute scales") << c;
    }

    /// Slice written from the ONNX text: clamp per axis, then enumerate start, start+step, ...
    static Tensor naiveSlice(const Tensor& x, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                             std::vector<int64_t> axes, std::vector<int64_t> steps)
    {
        const Shape& in = x.shape();
        std::vector<std::vector<int64_t>> picks(in.size());
        for (size_t d = 0; d < in.size(); ++d)
            for (int64_t i = 0; i < in[d]; ++i)
                picks[d].push_back(i);
        if (axes.empty())
            for (size_t i = 0; i < starts.size(); ++i)
                axes.push_back(int64_t(i));
        if (steps.empty())
            steps.assign(starts.size(), 1);
        for (size_t k = 0; k < starts.size(); ++k) {
            const size_t d = size_t(axes[k] < 0 ? axes[k] + int64_t(in.size()) : axes[k]);
            const int64_t dim = in[d], step = steps[k];
            int64_t s = starts[k] < 0 ? starts[k] + dim : starts[k];
            int64_t e = ends[k] < 0 ? ends[k] + dim : ends[k];
            picks[d].clear();
            if (step > 0) {
                s = std::clamp<int64_t>(s, 0, dim);
                e = std::clamp<int64_t>(e, 0, dim);
                for (int64_t i = s; i < e; i = e - i <= step ? e : i + step)
                    picks[d].push_back(i);
            } else {
                s = std::clamp<int64_t>(s, 0, dim - 1);
                e = std::clamp<int64_t>(e, -1, dim - 1);
                for (int64_t i = s; i > e; i = i - e <= -step ? e : i + step)
                    picks[d].push_back(i);
            }
        }
        Shape out;
        for (const auto& p : picks)
            out.push_back(int64_t(p.size()));
        return gatherReference(x, out, [&](const std::vector<int64_t>& o) {
            std::vector<int64_t> i(o.size());
            for (size_t d = 0; d < o.size(); ++d)
                i[d] = picks[d][size_t(o[d])];
            return ravel(i, in);
        });
    }

    /// Pad written per output element: negative pads crop the axis first (onnxruntime), then
    /// each coordinate outside the cropped range is the constant, the edge, or its mirror image.
    static Tensor naivePad(const Tensor& x, const std::vector<int64_t>& pads, const std::string& mode, double value)
    {
        const Shape& in = x.shape();
        const size_t r = in.size();
        Shape out;
        for (size_t d = 0; d < r; ++d)
            out.push_back(in[d] + pads[d] + pads[d + r]);
        return gatherReference(
            x, out,
            [&](const std::vector<int64_t>& o) {
                std::vector<int64_t> i(r);
                for (size_t d = 0; d < r; ++d) {
                    const int64_t lo = std::max<int64_t>(0, -pads[d]);
                    const int64_t len = in[d] - lo - std::max<int64_t>(0, -pads[d + r]);
                    int64_t j = o[d] - std::max<int64_t>(0, pads[d]);
                    if (j < 0 || j >= len) {
                        if (mode == "constant")
                            return int64_t(-1);
                        if (mode == "edge")
                            j = j < 0 ? 0 : len - 1;
                        while (len > 1 && (j < 0 || j >= len)) // reflect, possibly several times
                            j = j < 0 ? -j : 2 * (len - 1) - j;
                        if (len == 1)
                            j = 0;
                    }
                    i[d] = lo + j;
                }
                return ravel(i, in);
            },
            value);
    }
};

QTEST_GUILESS_MAIN(TestOpsShape)
#include "test_ops_shape.moc"
