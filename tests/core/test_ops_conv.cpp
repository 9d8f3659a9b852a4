// Conv, ConvTranspose, Gemm, MatMul and the pools against the naive references in naive_conv.h
// (STYLE.md 8) on seeded random inputs, plus determinism, thread-count agreement, bad shapes,
// attribute validation and a small model run end to end through import + Executor.

#include "lnscope/core/error.h"
#include "lnscope/core/executor.h"
#include "lnscope/core/op_registry.h"
#include "lnscope/core/parallel.h"
#include "model_builder.h"
#include "naive_conv.h"
#include "test_utils.h"

#include <QTest>
#include <optional>

using namespace lnscope;
using core::Node;
using core::Tensor;
using Ints = std::vector<int64_t>;
namespace naive = lnscope::test::naive;

namespace {

// ---------------------------------------------------------------------------------------------
// Helpers: hand-made nodes run straight through the registry.

void setInts(Node& node, const std::string& name, const Ints& v)
{
    if (v.empty())
        return;
    core::Attribute a;
    a.kind = core::Attribute::Kind::Ints;
    a.ints = v;
    node.attrs[name] = a;
}

void setInt(Node& node, const std::string& name, int64_t v)
{
    core::Attribute a;
    a.kind = core::Attribute::Kind::Int;
    a.i = v;
    node.attrs[name] = a;
}

void setFloat(Node& node, const std::string& name, float v)
{
    core::Attribute a;
    a.kind = core::Attribute::Kind::Float;
    a.f = v;
    node.attrs[name] = a;
}

void setString(Node& node, const std::string& name, const std::string& v)
{
    core::Attribute a;
    a.kind = core::Attribute::Kind::String;
    a.s = v;
    node.attrs[name] = a;
}

/// Every kernel here runs as node "under_test" (error messages are checked to name it).
Node makeNode(const std::string& opType, size_t inputs, size_t outputs = 1)
{
    return lnscope::test::makeNode(opType, inputs, outputs, "under_test");
}

/// Validates the node as the importer would, then runs it with `threads` threads.
std::vector<Tensor> runOp(const Node& node, const std::vector<const Tensor*>& inputs, int threads = 2)
{
    const core::OpDef* def = core::OpRegistry::builtin().find(node.opType);
    if (!def)
        throw core::UnsupportedError(node.opType + " is not registered");
    if (def->validate)
        def->validate(node, 13);
    core::OpContext ctx;
    ctx.threads = threads;
    core::setGemmThreads(threads);
    return def->run(node, core::OpInputs(inputs.data(), inputs.size()), ctx);
}

/// float32 defaults (STYLE.md 7) plus a relative term for sums of many products.
core::Tolerance convTolerance()
{
    core::Tolerance tol;
    tol.relTol = 1e-5;
    return tol;
}

Ints spatial(const Ints& shape)
{
    return Ints(shape.begin() + 2, shape.end());
}

// ---------------------------------------------------------------------------------------------
// Conv

struct ConvCase
{
    const char* name;
    Ints x = {}, w = {};
    int64_t group = 1;
    Ints strides = {}, dilations = {}, pads = {};
    const char* autoPad = "NOTSET";
    bool bias = false;
    bool kernelAttr = false;
};

const std::vector<ConvCase>& convCases()
{
    static const std::vector<ConvCase> cases = {
        {"2d 3x3 pad 1 bias", {1, 3, 8, 9}, {4, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"2d 3x3 no pad batch 2", {2, 4, 7, 6}, {5, 4, 3, 3}},
        {"2d stride 2 asymmetric pads", {1, 3, 9, 10}, {6, 3, 3, 3}, 1, {2, 2}, {}, {0, 1, 2, 1}},
        {"2d dilation 2", {1, 2, 10, 10}, {3, 2, 3, 3}, 1, {}, {2, 2}, {2, 2, 2, 2}, "NOTSET", true},
        {"2d mixed stride and dilation", {1, 2, 11, 12}, {4, 2, 2, 3}, 1, {2, 1}, {1, 3}, {1, 0, 0, 2}},
        {"2d stride larger than kernel", {1, 2, 10, 10}, {2, 2, 2, 2}, 1, {3, 3}},
        {"2d kernel larger than input with pads", {1, 1, 2, 2}, {1, 1, 3, 3}, 1, {}, {}, {1, 1, 1, 1}},
        {"2d groups 2", {1, 4, 6, 6}, {6, 2, 3, 3}, 2, {}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"2d groups 3 stride 2 batch 2", {2, 6, 7, 7}, {9, 2, 3, 3}, 3, {2, 2}},
        {"depthwise 3x3 pad 1 bias", {1, 8, 10, 10}, {8, 1, 3, 3}, 8, {}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"depthwise stride 2 asymmetric pads", {2, 5, 9, 8}, {5, 1, 3, 3}, 5, {2, 2}, {}, {1, 0, 0, 1}},
        {"depthwise multiplier 2", {1, 3, 7, 7}, {6, 1, 3, 3}, 3, {}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"depthwise 5x5 dilation 2", {1, 4, 12, 12}, {4, 1, 5, 5}, 4, {}, {2, 2}, {4, 4, 4, 4}},
        {"depthwise 5x5 pad 2 bias", {1, 4, 9, 11}, {4, 1, 5, 5}, 4, {}, {}, {2, 2, 2, 2}, "NOTSET", true},
        {"depthwise 5x5 stride 2 batch 2", {2, 3, 12, 9}, {3, 1, 5, 5}, 3, {2, 2}, {}, {2, 1, 1, 2}},
        {"depthwise 3x3 no pad wide", {1, 2, 5, 40}, {2, 1, 3, 3}, 2},
        {"depthwise stride 3 no pad", {1, 4, 11, 13}, {4, 1, 3, 2}, 4, {3, 3}},
        {"1x1 stride 1 bias batch 2", {2, 16, 5, 7}, {8, 16, 1, 1}, 1, {}, {}, {}, "NOTSET", true},
        {"1x1 stride 2", {1, 8, 7, 7}, {4, 8, 1, 1}, 1, {2, 2}},
        {"1x1 with pad", {1, 3, 4, 4}, {2, 3, 1, 1}, 1, {}, {}, {1, 1, 1, 1}},
        {"1x1 grouped batch 3", {3, 6, 5, 5}, {4, 3, 1, 1}, 2},
        {"auto_pad SAME_UPPER stride 2", {1, 3, 7, 8}, {4, 3, 3, 3}, 1, {2, 2}, {}, {}, "SAME_UPPER"},
        {"auto_pad SAME_LOWER 4x4 stride 2", {1, 3, 7, 8}, {4, 3, 4, 4}, 1, {2, 2}, {}, {}, "SAME_LOWER"},
        {"auto_pad SAME_UPPER even kernel dilated", {1, 2, 9, 9}, {2, 2, 2, 2}, 1, {}, {2, 2}, {}, "SAME_UPPER"},
        {"auto_pad SAME_LOWER depthwise", {1, 3, 6, 7}, {3, 1, 2, 2}, 3, {}, {}, {}, "SAME_LOWER"},
        {"auto_pad VALID", {1, 2, 7, 7}, {3, 2, 3, 3}, 1, {}, {}, {}, "VALID", true},
        {"1d stride 2 pads", {2, 3, 20}, {4, 3, 5}, 1, {2}, {}, {2, 1}, "NOTSET", true},
        {"1d dilated groups", {1, 4, 17}, {4, 2, 3}, 2, {}, {3}},
        {"1d depthwise SAME_UPPER", {1, 3, 9}, {3, 1, 4}, 3, {2}, {}, {}, "SAME_UPPER"},
        {"3d pad 1 bias", {1, 2, 5, 6, 7}, {3, 2, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1, 1, 1}, "NOTSET", true},
        {"3d stride dilation groups", {1, 4, 7, 6, 8}, {4, 2, 2, 3, 3}, 2, {2, 1, 2}, {1, 2, 1}, {0, 1, 1, 1, 0, 1}},
        {"3d depthwise", {1, 3, 5, 5, 5}, {3, 1, 3, 3, 3}, 3, {}, {}, {1, 1, 1, 1, 1, 1}},
        {"3d 1x1x1", {2, 4, 3, 4, 5}, {6, 4, 1, 1, 1}},
        {"kernel_shape attribute", {1, 3, 6, 6}, {2, 3, 3, 3}, 1, {}, {}, {}, "NOTSET", false, true},
        {"32 to 48 channels 3x3", {1, 32, 14, 14}, {48, 32, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"64 channels stride 2", {1, 64, 15, 15}, {32, 64, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}},
        // Enough output positions for the column-tiled path, with tiles that end mid-row.
        {"tiled 3x3 64 channels 30x30", {1, 64, 30, 30}, {16, 64, 3, 3}, 1, {}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"tiled stride 2 96 channels", {1, 96, 40, 40}, {8, 96, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}},
        {"tiled 1x1 direct 40x40", {1, 24, 40, 40}, {12, 24, 1, 1}, 1, {}, {}, {}, "NOTSET", true},
        {"tiled 3d", {1, 8, 8, 12, 12}, {4, 8, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1, 1, 1}},
    };
    return cases;
}

Node convNode(const ConvCase& c, bool transposeFamily = false)
{
    Node node = makeNode(transposeFamily ? "ConvTranspose" : "Conv", c.bias ? 3 : 2);
    setInt(node, "group", c.group);
    setInts(node, "strides", c.strides);
    setInts(node, "dilations", c.dilations);
    setInts(node, "pads", c.pads);
    setString(node, "auto_pad", c.autoPad);
    if (c.kernelAttr)
        setInts(node, "kernel_shape", spatial(c.w));
    return node;
}

// ---------------------------------------------------------------------------------------------
// ConvTranspose

struct ConvTransposeCase
{
    const char* name;
    Ints x, w;
    int64_t group = 1;
    Ints strides = {}, dilations = {}, pads = {}, outputPadding = {}, outputShape = {};
    const char* autoPad = "NOTSET";
    bool bias = false;
};

const std::vector<ConvTransposeCase>& convTransposeCases()
{
    static const std::vector<ConvTransposeCase> cases = {
        {"2d basic", {1, 2, 3, 3}, {2, 3, 3, 3}},
        {"2d stride 2 pads 1 bias", {1, 3, 4, 5}, {3, 2, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}, {}, {}, "NOTSET", true},
        {"2d output_padding", {1, 2, 4, 4}, {2, 2, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}, {1, 1}},
        {"2d output_shape larger than full", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {3, 2}, {}, {}, {}, {10, 8}},
        {"2d output_shape smaller than full", {1, 2, 4, 4}, {2, 3, 3, 3}, 1, {2, 2}, {}, {}, {}, {8, 7}},
        {"2d output_shape with N and C", {1, 2, 4, 4}, {2, 3, 3, 3}, 1, {2, 2}, {}, {}, {}, {1, 3, 7, 8}},
        {"2d auto_pad SAME_UPPER", {1, 1, 3, 3}, {1, 2, 3, 3}, 1, {2, 2}, {}, {}, {}, {}, "SAME_UPPER"},
        {"2d auto_pad SAME_LOWER", {1, 2, 3, 4}, {2, 2, 4, 4}, 1, {2, 2}, {}, {}, {}, {}, "SAME_LOWER"},
        {"2d dilations", {1, 2, 4, 4}, {2, 2, 3, 3}, 1, {}, {2, 2}},
        {"2d groups 2 batch 2", {2, 4, 3, 3}, {4, 3, 3, 3}, 2, {2, 2}, {}, {}, {}, {}, "NOTSET", true},
        {"depthwise stride 2", {1, 3, 5, 5}, {3, 1, 4, 4}, 3, {2, 2}, {}, {1, 1, 1, 1}},
        {"2d asymmetric pads", {1, 2, 4, 5}, {2, 3, 3, 2}, 1, {2, 3}, {}, {0, 1, 2, 0}},
        {"1d output_padding", {2, 3, 6}, {3, 2, 3}, 1, {2}, {}, {1, 0}, {1}},
        {"3d stride 2 pads bias", {1, 2, 3, 3, 3}, {2, 2, 3, 3, 3}, 1, {2, 2, 2}, {}, {1, 1, 1, 1, 1, 1}, {}, {}, "NOTSET", true},
        {"32 channels stride 2", {1, 32, 6, 6}, {32, 16, 4, 4}, 1, {2, 2}, {}, {1, 1, 1, 1}},
    };
    return cases;
}

/// Reference geometry for ConvTranspose (ONNX: total padding = s·(in−1) + output_padding +
/// (k−1)·d + 1 − output size; with output_shape the extra goes to the end unless SAME_LOWER).
naive::Ints convTransposeGeometry(const ConvTransposeCase& c, naive::WindowParams& p)
{
    const Ints in = spatial(c.x), k = spatial(c.w);
    const size_t n = in.size();
    p.kernel = k;
    p.strides = c.strides.empty() ? Ints(n, 1) : c.strides;
    p.dilations = c.dilations.empty() ? Ints(n, 1) : c.dilations;
    p.padBegin.assign(n, 0);
    Ints out(n);
    const std::string autoPad = c.autoPad;
    for (size_t i = 0; i < n; ++i) {
        const int64_t op = c.outputPadding.empty() ? 0 : c.outputPadding[i];
        const int64_t full = p.strides[i] * (in[i] - 1) + op + (k[i] - 1) * p.dilations[i] + 1;
        if (!c.outputShape.empty()) {
            out[i] = c.outputShape[c.outputShape.size() - n + i];
            const int64_t total = std::max<int64_t>(0, full - out[i]);
            p.padBegin[i] = autoPad == "SAME_LOWER" ? total - total / 2 : total / 2;
        } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
            out[i] = in[i] * p.strides[i];
            const int64_t total = std::max<int64_t>(0, full - out[i]);
            p.padBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
        } else {
            const int64_t pb = c.pads.empty() ? 0 : c.pads[i], pe = c.pads.empty() ? 0 : c.pads[i + n];
            p.padBegin[i] = pb;
            out[i] = full - pb - pe;
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Pools

struct PoolCase
{
    const char* name;
    const char* op;
    Ints x = {}, kernel = {}, strides = {}, dilations = {}, pads = {};
    const char* autoPad = "NOTSET";
    bool ceil = false;
    bool countIncludePad = false;
};

const std::vector<PoolCase>& poolCases()
{
    static const std::vector<PoolCase> cases = {
        {"max 2x2 stride 2", "MaxPool", {1, 3, 8, 8}, {2, 2}, {2, 2}},
        {"max 3x3 stride 2 pad 1", "MaxPool", {2, 4, 9, 10}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}},
        {"max 3x3 stride 2 ceil", "MaxPool", {1, 2, 8, 8}, {3, 3}, {2, 2}, {}, {}, "NOTSET", true},
        {"max ceil asymmetric pads", "MaxPool", {1, 2, 9, 7}, {3, 2}, {2, 2}, {}, {1, 0, 0, 1}, "NOTSET", true},
        {"max ceil last window dropped", "MaxPool", {1, 1, 5, 5}, {2, 2}, {2, 2}, {}, {1, 1, 1, 1}, "NOTSET", true},
        {"max dilation 2", "MaxPool", {1, 2, 10, 10}, {3, 3}, {}, {2, 2}, {2, 2, 2, 2}},
        {"max dilation stride ceil", "MaxPool", {1, 2, 11, 10}, {2, 3}, {3, 2}, {2, 2}, {}, "NOTSET", true},
        {"max SAME_UPPER", "MaxPool", {1, 2, 7, 8}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER"},
        {"max SAME_LOWER", "MaxPool", {1, 2, 7, 8}, {2, 3}, {2, 2}, {}, {}, "SAME_LOWER"},
        {"max VALID", "MaxPool", {1, 2, 7, 7}, {3, 3}, {2, 2}, {}, {}, "VALID"},
        {"max 1d", "MaxPool", {2, 3, 15}, {4}, {3}, {}, {1, 2}},
        {"max 3d", "MaxPool", {1, 2, 6, 7, 5}, {2, 3, 2}, {2, 2, 1}, {}, {0, 1, 0, 1, 1, 1}},
        {"max 2x2 stride 2 odd size", "MaxPool", {2, 3, 9, 7}, {2, 2}, {2, 2}},
        {"max 3d ceil", "MaxPool", {1, 1, 5, 5, 5}, {2, 2, 2}, {2, 2, 2}, {}, {}, "NOTSET", true},
        {"avg 2x2 stride 2", "AveragePool", {1, 3, 8, 8}, {2, 2}, {2, 2}},
        {"avg 3x3 pad 1 exclude pad", "AveragePool", {1, 2, 7, 7}, {3, 3}, {}, {}, {1, 1, 1, 1}},
        {"avg 3x3 pad 1 include pad", "AveragePool", {1, 2, 7, 7}, {3, 3}, {}, {}, {1, 1, 1, 1}, "NOTSET", false, true},
        {"avg ceil exclude pad", "AveragePool", {1, 2, 8, 8}, {3, 3}, {2, 2}, {}, {}, "NOTSET", true},
        {"avg ceil include pad", "AveragePool", {1, 2, 8, 9}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}, "NOTSET", true, true},
        {"avg SAME_UPPER include pad", "AveragePool", {1, 2, 7, 8}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER", false, true},
        {"avg SAME_LOWER exclude pad", "AveragePool", {1, 2, 7, 8}, {3, 2}, {2, 2}, {}, {}, "SAME_LOWER"},
        {"avg asymmetric pads", "AveragePool", {1, 2, 6, 7}, {2, 3}, {1, 2}, {}, {1, 0, 0, 2}},
        {"avg 1d", "AveragePool", {2, 3, 11}, {3}, {2}, {}, {1, 1}},
        {"avg 3d include pad", "AveragePool", {1, 2, 5, 6, 4}, {3, 3, 3}, {2, 2, 2}, {}, {1, 1, 1, 1, 1, 1}, "NOTSET", false, true},
        {"avg 7x7 whole plane", "AveragePool", {2, 4, 7, 7}, {7, 7}},
    };
    return cases;
}

Node poolNode(const PoolCase& c, size_t outputs = 1)
{
    Node node = makeNode(c.op, 1, outputs);
    setInts(node, "kernel_shape", c.kernel);
    setInts(node, "strides", c.strides);
    setInts(node, "dilations", c.dilations);
    setInts(node, "pads", c.pads);
    setString(node, "auto_pad", c.autoPad);
    if (c.ceil)
        setInt(node, "ceil_mode", 1);
    if (c.countIncludePad)
        setInt(node, "count_include_pad", 1);
    return node;
}

// ---------------------------------------------------------------------------------------------
// Gemm / MatMul

struct GemmCase
{
    const char* name;
    int64_t m, k, n;
    bool transA = false, transB = false;
    float alpha = 1.f, beta = 1.f;
    std::optional<Ints> c = {};
};

const std::vector<GemmCase>& gemmCases()
{
    static const std::vector<GemmCase> cases = {
        {"plain no C", 5, 7, 3},
        {"transA", 6, 4, 5, true},
        {"transB", 3, 8, 6, false, true},
        {"transA transB alpha beta", 7, 5, 4, true, true, 0.5f, 2.f, Ints{7, 4}},
        {"C full matrix", 4, 9, 6, false, false, 1.f, 1.f, Ints{4, 6}},
        {"C row vector [N]", 4, 9, 6, false, false, 1.f, 1.f, Ints{6}},
        {"C [1, N]", 4, 9, 6, false, true, 1.f, 0.25f, Ints{1, 6}},
        {"C column [M, 1]", 4, 9, 6, false, false, 1.f, 1.f, Ints{4, 1}},
        {"C scalar", 3, 3, 3, false, false, 2.f, -1.f, Ints{}},
        {"C single element [1]", 2, 5, 3, false, false, 1.f, 1.f, Ints{1}},
        {"beta 0 ignores C", 3, 4, 5, false, false, 1.f, 0.f, Ints{3, 5}},
        {"fully connected 1x512 to 100", 1, 512, 100, false, true, 1.f, 1.f, Ints{100}},
        {"large 64x200x96", 64, 200, 96, true, false, 1.5f, 0.5f, Ints{64, 96}},
    };
    return cases;
}

struct MatMulCase
{
    const char* name;
    Ints a, b;
};

const std::vector<MatMulCase>& matmulCases()
{
    static const std::vector<MatMulCase> cases = {
        {"vector dot vector", {7}, {7}},
        {"vector times matrix", {5}, {5, 4}},
        {"matrix times vector", {3, 6}, {6}},
        {"2d", {4, 5}, {5, 6}},
        {"batched A, 2d B", {3, 4, 5}, {5, 6}},
        {"2d A, batched B", {4, 5}, {3, 5, 6}},
        {"both batched", {3, 4, 5}, {3, 5, 2}},
        {"broadcast 2x1 with 3", {2, 1, 4, 5}, {3, 5, 6}},
        {"broadcast 1 with 3", {1, 4, 5}, {3, 5, 6}},
        {"4d both batched", {2, 3, 4, 5}, {2, 3, 5, 3}},
        {"batched vector", {2, 3, 4}, {4}},
        {"vector batched", {4}, {2, 4, 3}},
        {"many small products", {16, 3, 8}, {16, 8, 3}},
        {"large batched", {2, 64, 128}, {2, 128, 80}},
    };
    return cases;
}

/// The case called `name` (cases are looked up by name so reordering the tables is safe).
template <typename Case>
const Case& byName(const std::vector<Case>& cases, const std::string& name)
{
    for (const Case& c : cases)
        if (name == c.name)
            return c;
    throw std::logic_error("no test case " + name);
}

} // namespace

class TestOpsConv : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        for (const char* op : {"Conv", "ConvTranspose", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool",
                               "GlobalMaxPool"})
            QVERIFY2(core::OpRegistry::builtin().find(op), op);
    }

    // -- Conv ------------------------------------------------------------------------------

    void conv_data()
    {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < convCases().size(); ++i)
            QTest::addRow("%s", convCases()[i].name) << int(i);
    }

    void conv()
    {
        QFETCH(int, index);
        const ConvCase& c = convCases()[size_t(index)];
        const Tensor x = test::randomTensor(c.x, 100 + index);
        const Tensor w = test::randomTensor(c.w, 200 + index);
        const Tensor b = test::randomTensor({c.w[0]}, 300 + index);

        naive::WindowParams p;
        p.kernel = spatial(c.w);
        p.strides = c.strides;
        p.dilations = c.dilations;
        naive::resolveWindow(spatial(c.x), p, c.autoPad, c.pads);
        const Tensor expected = naive::conv(x, w, c.bias ? &b : nullptr, p, c.group);

        std::vector<const Tensor*> inputs{&x, &w};
        if (c.bias)
            inputs.push_back(&b);
        for (int threads : {1, 2}) { // the work split differs with the thread count
            const auto out = runOp(convNode(c), inputs, threads);
            QCOMPARE(out.size(), size_t(1));
            QCOMPARE(out[0].shape(), expected.shape());
            LNSCOPE_COMPARE_TENSORS(out[0], expected, convTolerance());
        }
    }

    // -- ConvTranspose -----------------------------------------------------------------------

    void convTranspose_data()
    {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < convTransposeCases().size(); ++i)
            QTest::addRow("%s", convTransposeCases()[i].name) << int(i);
    }

    void convTranspose()
    {
        QFETCH(int, index);
        const ConvTransposeCase& c = convTransposeCases()[size_t(index)];
        const Tensor x = test::randomTensor(c.x, 400 + index);
        const Tensor w = test::randomTensor(c.w, 500 + index);
        const Tensor b = test::randomTensor({c.w[1] * c.group}, 600 + index);

        naive::WindowParams p;
        const Ints outSize = convTransposeGeometry(c, p);
        const Tensor expected = naive::convTranspose(x, w, c.bias ? &b : nullptr, p, c.group, outSize);

        Node node = makeNode("ConvTranspose", c.bias ? 3 : 2);
        setInt(node, "group", c.group);
        setInts(node, "strides", c.strides);
        setInts(node, "dilations", c.dilations);
        setInts(node, "pads", c.pads);
        setInts(node, "output_padding", c.outputPadding);
        setInts(node, "output_shape", c.outputShape);
        setString(node, "auto_pad", c.autoPad);
        std::vector<const Tensor*> inputs{&x, &w};
        if (c.bias)
            inputs.push_back(&b);
        for (int threads : {1, 2}) {
            const auto out = runOp(node, inputs, threads);
            QCOMPARE(out[0].shape(), expected.shape());
            LNSCOPE_COMPARE_TENSORS(out[0], expected, convTolerance());
        }
    }

    // -- Gemm / MatMul -----------------------------------------------------------------------

    void gemm_data()
    {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < gemmCases().size(); ++i)
            QTest::addRow("%s", gemmCases()[i].name) << int(i);
    }

    void gemm()
    {
        QFETCH(int, index);
        const GemmCase& g = gemmCases()[size_t(index)];
        const Tensor a = test::randomTensor(g.transA ? Ints{g.k, g.m} : Ints{g.m, g.k}, 700 + index);
        const Tensor b = test::randomTensor(g.transB ? Ints{g.n, g.k} : Ints{g.k, g.n}, 800 + index);
        const Tensor c = g.c ? test::randomTensor(*g.c, 900 + index) : Tensor();
        const Tensor expected = naive::gemm(a, b, g.c ? &c : nullptr, g.alpha, g.beta, g.transA, g.transB);

        Node node = makeNode("Gemm", g.c ? 3 : 2);
        setInt(node, "transA", g.transA);
        setInt(node, "transB", g.transB);
        setFloat(node, "alpha", g.alpha);
        setFloat(node, "beta", g.beta);
        std::vector<const Tensor*> inputs{&a, &b};
        if (g.c)
            inputs.push_back(&c);
        const auto out = runOp(node, inputs);
        QCOMPARE(out[0].shape(), expected.shape());
        LNSCOPE_COMPARE_TENSORS(out[0], expected, convTolerance());
    }

    void matmul_data()
    {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < matmulCases().size(); ++i)
            QTest::addRow("%s", matmulCases()[i].name) << int(i);
    }

    void matmul()
    {
        QFETCH(int, index);
        const MatMulCase& m = matmulCases()[size_t(index)];
        const Tensor a = test::randomTensor(m.a, 1000 + index);
        const Tensor b = test::randomTensor(m.b, 1100 + index);
        const Tensor expected = naive::matmul(a, b);
        const auto out = runOp(makeNode("MatMul", 2), {&a, &b});
        QCOMPARE(out[0].shape(), expected.shape());
        LNSCOPE_COMPARE_TENSORS(out[0], expected, convTolerance());
    }

    // -- Pools -------------------------------------------------------------------------------

    void pool_data()
    {
        QTest::addColumn<int>("index");
        for (size_t i = 0; i < poolCases().size(); ++i)
            QTest::addRow("%s", poolCases()[i].name) << int(i);
    }

    void pool()
    {
        QFETCH(int, index);
        const PoolCase& c = poolCases()[size_t(index)];
        const Tensor x = test::randomTensor(c.x, 1200 + index);
        naive::WindowParams p;
        p.kernel = c.kernel;
        p.strides = c.strides;
        p.dilations = c.dilations;
        const Ints outSize = naive::resolveWindow(spatial(c.x), p, c.autoPad, c.pads, c.ceil);
        const bool isMax = std::string(c.op) == "MaxPool";
        Tensor expectedIndices;
        const Tensor expected = isMax ? naive::maxPool(x, p, outSize, &expectedIndices)
                                      : naive::averagePool(x, p, outSize, c.countIncludePad);
        const auto out = runOp(poolNode(c, isMax ? 2 : 1), {&x});
        QCOMPARE(out[0].shape(), expected.shape());
        LNSCOPE_COMPARE_TENSORS(out[0], expected, core::Tolerance{});
        if (isMax) {
            // Without the Indices output MaxPool takes another (row-wise) path.
            const auto valuesOnly = runOp(poolNode(c, 1), {&x});
            QCOMPARE(valuesOnly.size(), size_t(1));
            LNSCOPE_COMPARE_TENSORS(valuesOnly[0], expected, core::Tolerance{});
            QCOMPARE(out.size(), size_t(2));
            QVERIFY(out[1].ints().size() == expectedIndices.ints().size());
            QCOMPARE(out[1], expectedIndices);
        }
    }

    void maxPoolColumnMajorIndices_data()
    {
        QTest::addColumn<Ints>("shape");
        QTest::addRow("2d") << Ints{2, 3, 6, 5};
        QTest::addRow("3d") << Ints{1, 2, 4, 5, 6};
        QTest::addRow("1d") << Ints{2, 2, 9};
    }

    void maxPoolColumnMajorIndices()
    {
        QFETCH(Ints, shape);
        const Tensor x = test::randomTensor(shape, 1300);
        const size_t n = shape.size() - 2;
        PoolCase c{"", "MaxPool", shape, Ints(n, 2), Ints(n, 1), {}, Ints(2 * n, 1)};
        Node node = poolNode(c, 2);
        setInt(node, "storage_order", 1);
        naive::WindowParams p{c.kernel, c.strides, {}, {}, {}};
        const Ints outSize = naive::resolveWindow(spatial(shape), p, "NOTSET", c.pads);
        Tensor expectedIndices;
        const Tensor expected = naive::maxPool(x, p, outSize, &expectedIndices, true);
        const auto out = runOp(node, {&x});
        LNSCOPE_COMPARE_TENSORS(out[0], expected, core::Tolerance{});
        QCOMPARE(out[1], expectedIndices);
    }

    void globalPool_data()
    {
        QTest::addColumn<Ints>("shape");
        QTest::addColumn<bool>("max");
        for (bool max : {false, true}) {
            const char* op = max ? "max" : "average";
            QTest::addRow("%s 2d", op) << Ints{2, 5, 7, 9} << max;
            QTest::addRow("%s 1d", op) << Ints{1, 3, 11} << max;
            QTest::addRow("%s 3d", op) << Ints{1, 4, 3, 5, 6} << max;
            QTest::addRow("%s large plane", op) << Ints{1, 8, 64, 64} << max;
        }
    }

    void globalPool()
    {
        QFETCH(Ints, shape);
        QFETCH(bool, max);
        const Tensor x = test::randomTensor(shape, 1400, -2.f, 3.f);
        const auto out = runOp(makeNode(max ? "GlobalMaxPool" : "GlobalAveragePool", 1), {&x});
        LNSCOPE_COMPARE_TENSORS(out[0], naive::globalPool(x, max), core::Tolerance{});
    }

    // -- Determinism and thread counts -----------------------------------------------------------

    void threads_data()
    {
        QTest::addColumn<int>("which");
        QTest::addRow("conv 3x3 32 to 48") << 0;
        QTest::addRow("depthwise") << 1;
        QTest::addRow("conv 1x1") << 2;
        QTest::addRow("conv transpose") << 3;
        QTest::addRow("batched matmul") << 4;
        QTest::addRow("average pool") << 5;
    }

    void threads()
    {
        QFETCH(int, which);
        Node node;
        Tensor a, b;
        switch (which) {
        case 0: node = convNode(byName(convCases(), "32 to 48 channels 3x3")); a = test::randomTensor({1, 32, 14, 14}, 1); b = test::randomTensor({48, 32, 3, 3}, 2); node.inputs.resize(2); break;
        case 1: node = convNode(byName(convCases(), "depthwise 3x3 pad 1 bias")); a = test::randomTensor({1, 8, 10, 10}, 1); b = test::randomTensor({8, 1, 3, 3}, 2); node.inputs.resize(2); break;
        case 2: node = convNode(byName(convCases(), "1x1 stride 1 bias batch 2")); a = test::randomTensor({2, 16, 5, 7}, 1); b = test::randomTensor({8, 16, 1, 1}, 2); node.inputs.resize(2); break;
        case 3: node = convNode({"", {}, {}, 1, {2, 2}, {}, {1, 1, 1, 1}}, true); a = test::randomTensor({1, 32, 6, 6}, 1); b = test::randomTensor({32, 16, 4, 4}, 2); break;
        case 4: node = makeNode("MatMul", 2); a = test::randomTensor({16, 3, 8}, 1); b = test::randomTensor({16, 8, 3}, 2); break;
        default: node = poolNode(byName(poolCases(), "avg ceil include pad")); a = test::randomTensor({1, 2, 8, 9}, 1); break;
        }
        std::vector<const Tensor*> inputs{&a};
        if (!b.empty())
            inputs.push_back(&b);
        const Tensor two1 = runOp(node, inputs, 2)[0];
        const Tensor two2 = runOp(node, inputs, 2)[0];
        const Tensor one = runOp(node, inputs, 1)[0];
        QVERIFY2(two1 == two2, "two runs with 2 threads differ");
        LNSCOPE_COMPARE_TENSORS(one, two1, convTolerance());
    }

    // -- Bad shapes and attributes -----------------------------------------------------------

    void badShapes_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<Ints>("x");
        QTest::addColumn<Ints>("w");
        QTest::addColumn<int>("group");
        QTest::addColumn<QString>("message");
        QTest::addRow("group does not divide C_in") << "Conv" << Ints{1, 6, 5, 5} << Ints{4, 3, 3, 3} << 4 << "does not divide the 6 input channels";
        QTest::addRow("group does not divide C_out") << "Conv" << Ints{1, 4, 5, 5} << Ints{5, 2, 3, 3} << 2 << "does not divide the 5 output channels";
        QTest::addRow("W rank differs from X") << "Conv" << Ints{1, 4, 5, 5} << Ints{4, 4, 3} << 1 << "W must have the rank of X";
        QTest::addRow("W input channels mismatch") << "Conv" << Ints{1, 4, 5, 5} << Ints{2, 3, 3, 3} << 1 << "input channels";
        QTest::addRow("X rank too small") << "Conv" << Ints{4, 5} << Ints{2, 4} << 1 << "rank";
        QTest::addRow("kernel larger than input") << "Conv" << Ints{1, 1, 2, 2} << Ints{1, 1, 3, 3} << 1 << "exceeds";
        QTest::addRow("transpose group does not divide C_in") << "ConvTranspose" << Ints{1, 5, 3, 3} << Ints{5, 2, 3, 3} << 2 << "does not divide";
        QTest::addRow("transpose W channels mismatch") << "ConvTranspose" << Ints{1, 4, 3, 3} << Ints{3, 2, 3, 3} << 1 << "input channels";
        QTest::addRow("Gemm inner dims differ") << "Gemm" << Ints{3, 4} << Ints{5, 6} << 1 << "inner dimensions";
        QTest::addRow("Gemm rank 3") << "Gemm" << Ints{2, 3, 4} << Ints{4, 6} << 1 << "matrices";
        QTest::addRow("MatMul inner dims differ") << "MatMul" << Ints{3, 4} << Ints{5, 6} << 1 << "inner dimensions";
        QTest::addRow("MatMul batch does not broadcast") << "MatMul" << Ints{2, 3, 4} << Ints{3, 4, 6} << 1 << "do not broadcast";
    }

    void badShapes()
    {
        QFETCH(QString, op);
        QFETCH(Ints, x);
        QFETCH(Ints, w);
        QFETCH(int, group);
        QFETCH(QString, message);
        Node node = makeNode(op.toStdString(), 2);
        if (op.startsWith("Conv"))
            setInt(node, "group", group);
        const Tensor xt = test::randomTensor(x, 1), wt = test::randomTensor(w, 2);
        try {
            runOp(node, {&xt, &wt});
            QFAIL("no ShapeError thrown");
        } catch (const core::ShapeError& e) {
            QVERIFY2(QString(e.what()).contains(message), e.what());
        }
    }

    void badBias()
    {
        Node node = makeNode("Conv", 3);
        const Tensor x = test::randomTensor({1, 2, 5, 5}, 1), w = test::randomTensor({3, 2, 3, 3}, 2),
                     b = test::randomTensor({4}, 3);
        QVERIFY_THROWS_EXCEPTION(core::ShapeError, runOp(node, {&x, &w, &b}));
        setInts(node, "kernel_shape", {2, 2});
        const Tensor b3 = test::randomTensor({3}, 3);
        QVERIFY_THROWS_EXCEPTION(core::ShapeError, runOp(node, {&x, &w, &b3}));
    }

    void badAttributes_data()
    {
        QTest::addColumn<QString>("op");
        QTest::addColumn<QString>("attr");
        QTest::addColumn<Ints>("value");
        QTest::addRow("Conv group 0") << "Conv" << "group" << Ints{0};
        QTest::addRow("Conv negative pads") << "Conv" << "pads" << Ints{1, -1, 1, 1};
        QTest::addRow("Conv odd pads count") << "Conv" << "pads" << Ints{1, 1, 1};
        QTest::addRow("Conv zero stride") << "Conv" << "strides" << Ints{1, 0};
        QTest::addRow("Conv zero dilation") << "Conv" << "dilations" << Ints{0, 1};
        QTest::addRow("ConvTranspose negative output_padding") << "ConvTranspose" << "output_padding" << Ints{-1, 0};
        QTest::addRow("MaxPool without kernel_shape") << "MaxPool" << "" << Ints{};
        QTest::addRow("MaxPool pads count") << "MaxPool" << "pads" << Ints{1, 1};
        QTest::addRow("AveragePool strides count") << "AveragePool" << "strides" << Ints{1, 1, 1};
        QTest::addRow("AveragePool ceil_mode 2") << "AveragePool" << "ceil_mode" << Ints{2};
        QTest::addRow("MaxPool storage_order 3") << "MaxPool" << "storage_order" << Ints{3};
    }

    void badAttributes()
    {
        QFETCH(QString, op);
        QFETCH(QString, attr);
        QFETCH(Ints, value);
        const bool isConv = op.startsWith("Conv");
        Node node = makeNode(op.toStdString(), isConv ? 2 : 1);
        if (!isConv && attr != "")
            setInts(node, "kernel_shape", {2, 2});
        const bool scalar = attr == "group" || attr == "ceil_mode" || attr == "storage_order";
        if (scalar)
            setInt(node, attr.toStdString(), value[0]);
        else if (!attr.isEmpty())
            setInts(node, attr.toStdString(), value);
        const core::OpDef* def = core::OpRegistry::builtin().find(op.toStdString());
        QVERIFY(def && def->validate);
        QVERIFY_THROWS_EXCEPTION(core::FormatError, def->validate(node, 13));
    }

    void badAutoPad()
    {
        Node node = makeNode("Conv", 2);
        setString(node, "auto_pad", "SAME");
        try {
            core::OpRegistry::builtin().find("Conv")->validate(node, 13);
            QFAIL("no FormatError");
        } catch (const core::FormatError& e) {
            QVERIFY2(QString(e.what()).contains("auto_pad"), e.what());
            QVERIFY2(QString(e.what()).contains("under_test"), e.what());
        }
    }

    // -- Through import and the executor -------------------------------------------------------

    void modelEndToEnd()
    {
        const Tensor w = test::randomTensor({6, 3, 3, 3}, 21), b = test::randomTensor({6}, 22);
        const Tensor fcW = test::randomTensor({1, 4}, 23);
        test::ModelBuilder mb(13);
        mb.input("x", {-1, 3, 12, 12}).initializer("w", w).initializer("b", b).initializer("fcW", fcW);
        auto& conv = mb.node("Conv", {"x", "w", "b"}, {"c"});
        test::ModelBuilder::attr(conv, "pads", Ints{1, 1, 1, 1});
        auto& pool = mb.node("MaxPool", {"c"}, {"p"});
        test::ModelBuilder::attr(pool, "kernel_shape", Ints{2, 2});
        test::ModelBuilder::attr(pool, "strides", Ints{2, 2});
        mb.node("GlobalAveragePool", {"p"}, {"g"});
        mb.node("MatMul", {"g", "fcW"}, {"fc"}); // [N, 6, 1, 1] × [1, 4] → [N, 6, 1, 4]
        mb.output("fc");
        core::Executor exec(mb.import(), core::ExecOptions{2});
        const Tensor x = test::randomTensor({2, 3, 12, 12}, 25);
        const auto result = exec.run({{"x", x}});

        naive::WindowParams cp{{3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
        const Tensor c = naive::conv(x, w, &b, cp, 1);
        naive::WindowParams pp{{2, 2}, {2, 2}, {1, 1}, {0, 0}, {0, 0}};
        const Tensor p = naive::maxPool(c, pp, {6, 6});
        const Tensor expected = naive::matmul(naive::globalPool(p, false), fcW);
        QCOMPARE(result.at("fc").shape(), (core::Shape{2, 6, 1, 4}));
        LNSCOPE_COMPARE_TENSORS(result.at("fc"), expected, convTolerance());
    }

    void gemmModelEndToEnd()
    {
        const Tensor w = test::randomTensor({5, 8}, 31), b = test::randomTensor({5}, 32);
        test::ModelBuilder mb(13);
        mb.input("x", {-1, 8}).initializer("w", w).initializer("b", b);
        auto& gemm = mb.node("Gemm", {"x", "w", "b"}, {"y"});
        test::ModelBuilder::attr(gemm, "transB", int64_t(1));
        test::ModelBuilder::attr(gemm, "alpha", 0.5f);
        mb.output("y");
        core::Executor exec(mb.import(), core::ExecOptions{2});
        const Tensor x = test::randomTensor({3, 8}, 33);
        const auto result = exec.run({{"x", x}});
        LNSCOPE_COMPARE_TENSORS(result.at("y"), naive::gemm(x, w, &b, 0.5f, 1.f, false, true), convTolerance());
    }
};

QTEST_GUILESS_MAIN(TestOpsConv)
#include "test_ops_conv.moc"
