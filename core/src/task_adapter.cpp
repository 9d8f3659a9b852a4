#include "lnscope/core/task_adapter.h"

#include "lnscope/core/file_io.h"
#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <system_error>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace detail {
/// The stereo3d adapter (stereo3d_decode.cpp, next to its decoder).
std::shared_ptr<const TaskAdapter> makeStereo3dAdapter();
} // namespace detail

namespace {

using JKind = JsonValue::Kind;
using namespace adapter_json;

constexpr uint64_t kMaxAdapterBytes = 4u << 20; // adapters are a few KiB even with inline classes

std::string joinedTaskNames()
{
    return joined(TaskAdapterRegistry::builtin().names());
}

std::vector<ClassInfo> parseInlineClasses(const JsonValue& v, const fs::path& file)
{
    std::vector<ClassInfo> classes;
    for (size_t i = 0; i < v.items.size(); ++i) {
        const std::string key = "classes[" + std::to_string(i) + "]";
        ObjectReader r(v.items[i], file, key);
        ClassInfo info;
        info.id = readInt(r.required("id"), file, key + ".id", 0, 254);
        info.name = readName(r.required("name"), file, key + ".name");
        const JsonValue& color = r.required("color");
        const auto rgb = readNumbers(color, file, key + ".color", 3, 0, 255, false);
        for (int c = 0; c < 3; ++c) {
            if (!color.items[size_t(c)].integral)
                fail(file, color.line, key + ".color", "components must be integers 0..255");
            info.color[size_t(c)] = uint8_t(rgb[size_t(c)]);
        }
        r.finish();
        classes.push_back(std::move(info));
    }
    return classes;
}

std::vector<ClassInfo> parseSegClasses(const JsonValue& v, const fs::path& file)
{
    std::vector<ClassInfo> classes;
    if (v.kind == JKind::String && !v.text.empty()) {
        fs::path listPath = v.text;
        if (listPath.is_relative())
            listPath = file.parent_path() / listPath;
        std::error_code ec;
        if (!fs::is_regular_file(listPath, ec))
            throw IoError(file.string() + ":" + std::to_string(v.line) + ": classes: class list file "
                          + listPath.string() + " not found");
        try {
            classes = readClassList(listPath);
        } catch (const FormatError& e) {
            throw FormatError(file.string() + ": classes: " + e.what());
        } catch (const IoError& e) {
            throw IoError(file.string() + ": classes: " + e.what());
        }
    } else if (v.kind == JKind::Array) {
        classes = parseInlineClasses(v, file);
    } else {
        fail(file, v.line, "classes", "expected an array of classes or a class list file name, found " + found(v));
    }
    if (classes.empty() || classes.size() > 255)
        fail(file, v.line, "classes", "expected 1..255 classes, found " + std::to_string(classes.size()));
    std::sort(classes.begin(), classes.end(), [](const ClassInfo& a, const ClassInfo& b) { return a.id < b.id; });
    for (size_t i = 0; i < classes.size(); ++i)
        if (classes[i].id != int(i))
            fail(file, v.line, "classes",
                 "class ids must be 0.." + std::to_string(classes.size() - 1)
                     + " (channel c of the logits is class c); "
                     + (i > 0 && classes[i].id == classes[i - 1].id
                            ? "id " + std::to_string(classes[i].id) + " is repeated"
                            : "id " + std::to_string(i) + " is missing"));
    return classes;
}

// ---- binding to a graph --------------------------------------------------------------------------

std::string namesOf(const std::vector<ValueInfo>& values)
{
    std::vector<std::string> names;
    for (const ValueInfo& v : values)
        names.push_back(v.name);
    return joined(names);
}

const ValueInfo& findValue(const std::vector<ValueInfo>& values, const std::string& name, const char* what,
                           const std::string& adapter)
{
    for (const ValueInfo& v : values)
        if (v.name == name)
            return v;
    throw FormatError(adapter + ": " + what + " \"" + name + "\" is not an " + what + " of the model (" + what
                      + "s: " + namesOf(values) + ")");
}

// ---- the builtin adapters ------------------------------------------------------------------------

class SegmentationAdapter final : public TaskAdapter
{
public:
    std::string name() const override { return "segmentation"; }
    std::string description() const override { return "class logits -> per-pixel classes (mIoU, pixel agreement)"; }

    void parse(const JsonValue& root, const fs::path& file, AdapterConfig& config) const override
    {
        ObjectReader r(root, file, "");
        r.optional("task");
        r.optional("version");
        SegmentationConfig& seg = config.segmentation;
        seg.input = readInput(r.required("input"), file, InputRules::Segmentation);
        seg.output = readName(r.required("output"), file, "output");
        const JsonValue* ignore = r.optional("ignore");
        if (ignore)
            seg.ignore = uint8_t(readInt(*ignore, file, "ignore", 0, 255));
        seg.classes = parseSegClasses(r.required("classes"), file);
        r.finish();
        if (seg.ignore < seg.classes.size())
            fail(file, ignore ? ignore->line : root.line, "ignore",
                 std::to_string(seg.ignore) + " is a class id (classes are 0.." + std::to_string(seg.classes.size() - 1)
                     + ")");
    }

    void bind(AdapterConfig& config, const Graph& graph) const override
    {
        const std::string adapter = adapterName(config.source, "segmentation");
        SegmentationConfig& seg = config.segmentation;
        bindImageInput(seg.input, seg.input.name, graph, adapter);
        bindOutput(graph, seg.output, int64_t(seg.classes.size()), "logits", adapter);
    }

    TensorMap makeInputs(const AdapterConfig& config, const Frame& frame) const override
    {
        TensorMap inputs;
        inputs[config.segmentation.input.name] =
            readImageTensor(frame.leftImage, config.segmentation.input.imageOptions());
        return inputs;
    }

    TaskResult interpret(const AdapterConfig& config, const TensorMap& outputs, const Frame& frame) const override
    {
        const auto [width, height] = frame.imageSize();
        return decodeSegmentation(outputs, config.segmentation, config.source, width, height);
    }
};

class DenseAdapter final : public TaskAdapter
{
public:
    std::string name() const override { return "dense"; }
    std::string description() const override
    {
        return "any outputs, compared element-wise (SQNR, heatmap per channel)";
    }

    void parse(const JsonValue& root, const fs::path& file, AdapterConfig& config) const override
    {
        ObjectReader r(root, file, "");
        r.optional("task");
        r.optional("version");
        if (const JsonValue* input = r.optional("input"))
            config.dense.input = readInput(*input, file, InputRules::Dense);
        r.finish();
    }

    void bind(AdapterConfig& config, const Graph& graph) const override
    {
        AdapterInput& input = config.dense.input;
        const std::string adapter = adapterName(config.source, "dense");
        if (input.name.empty()) {
            if (graph.inputs.empty())
                throw FormatError(adapter + ": the model has no inputs to feed an image to");
            input.name = graph.inputs.front().name;
        }
        const ValueInfo& value = findValue(graph.inputs, input.name, "input", adapter);
        if (value.hasShape && value.shape.size() == 4)
            bindImageInput(input, input.name, graph, adapter);
    }

    TensorMap makeInputs(const AdapterConfig& config, const Frame& frame) const override
    {
        const AdapterInput& input = config.dense.input;
        if (input.name.empty())
            throw FormatError(adapterName(config.source, "dense")
                              + ": no input name; give input.name or bind the adapter to the model (bindAdapter)");
        TensorMap inputs;
        inputs[input.name] = readImageTensor(frame.leftImage, input.imageOptions());
        return inputs;
    }

    TaskResult interpret(const AdapterConfig&, const TensorMap& outputs, const Frame&) const override
    {
        return outputs;
    }
};

// ---- dense comparison ----------------------------------------------------------------------------

struct PlaneLayout
{
    int64_t batch = 1, channels = 1, height = 1, width = 1;
};

PlaneLayout planeLayout(const Shape& shape)
{
    PlaneLayout p;
    const size_t r = shape.size();
    p.width = r >= 1 ? shape[r - 1] : 1;
    p.height = r >= 2 ? shape[r - 2] : 1;
    p.channels = r == 3 ? shape[0] : r >= 4 ? shape[1] : 1;
    if (r >= 4) {
        p.batch = shape[0];
        for (size_t i = 2; i + 2 < r; ++i) // dims between C and the last two fold into H
            p.height *= shape[i];
    }
    return p;
}

Tensor planeOf(const Tensor& t, int64_t offset, int64_t count)
{
    if (t.isFloat()) {
        const auto v = t.floats().subspan(size_t(offset), size_t(count));
        return Tensor::fromFloats({count}, std::vector<float>(v.begin(), v.end()));
    }
    const auto v = t.ints().subspan(size_t(offset), size_t(count));
    return Tensor::fromInts({count}, std::vector<int64_t>(v.begin(), v.end()));
}

DenseTensorDiff compareTensorPair(const std::string& name, const Tensor& a, const Tensor& b)
{
    if (a.shape() != b.shape())
        throw ShapeError("dense output \"" + name + "\": shapes " + shapeToString(a.shape()) + " and "
                         + shapeToString(b.shape()) + " differ");
    DenseTensorDiff diff;
    diff.name = name;
    diff.shape = a.shape();
    diff.agreement = computeAgreement(a, b);
    const PlaneLayout p = planeLayout(a.shape());
    const int64_t plane = p.height * p.width;
    for (int64_t c = 0; c < p.channels; ++c) {
        DenseChannelDiff channel;
        channel.channel = int(c);
        channel.width = int(p.width);
        channel.height = int(p.height);
        AgreementAccumulator acc;
        for (int64_t n = 0; n < p.batch; ++n) {
            const int64_t offset = (n * p.channels + c) * plane;
            acc.add(planeOf(a, offset, plane), planeOf(b, offset, plane));
            if (n != 0)
                continue;
            channel.absDiff.resize(size_t(plane));
            for (int64_t i = 0; i < plane; ++i) {
                const float d = float(std::fabs(a.valueAsDouble(offset + i) - b.valueAsDouble(offset + i)));
                channel.absDiff[size_t(i)] = d;
                if (d > channel.maxAbsDiff)
                    channel.maxAbsDiff = d;
            }
        }
        channel.agreement = acc.result();
        diff.channels.push_back(std::move(channel));
    }
    return diff;
}

} // namespace

// ---- TaskAdapter helpers -------------------------------------------------------------------------

std::string TaskAdapter::adapterName(const fs::path& source, std::string_view task)
{
    return source.empty() ? std::string(task) + " adapter" : source.string();
}

void TaskAdapter::bindImageInput(AdapterInput& input, const std::string& name, const Graph& graph,
                                 const std::string& adapter)
{
    const ValueInfo& value = findValue(graph.inputs, name, "input", adapter);
    if (!value.hasShape)
        return;
    if (value.shape.size() != 4)
        throw ShapeError(adapter + ": model input \"" + value.name + "\" has rank " + std::to_string(value.shape.size())
                         + ", the adapter feeds a 1x3xHxW image");
    if (value.shape[1].value >= 0 && value.shape[1].value != 3)
        throw ShapeError(adapter + ": model input \"" + value.name + "\" has " + std::to_string(value.shape[1].value)
                         + " channels, the adapter feeds 3");
    const int64_t h = value.shape[2].value, w = value.shape[3].value;
    if (input.width == 0 && h > 0 && w > 0 && h <= kMaxAdapterImageSide && w <= kMaxAdapterImageSide) {
        input.width = int(w);
        input.height = int(h);
    }
    if ((h > 0 && input.height > 0 && h != input.height) || (w > 0 && input.width > 0 && w != input.width))
        throw ShapeError(adapter + ": model input \"" + value.name + "\" is " + std::to_string(w) + "x"
                         + std::to_string(h) + " (WxH), the adapter says " + std::to_string(input.width) + "x"
                         + std::to_string(input.height));
}

void TaskAdapter::bindOutput(const Graph& graph, const std::string& name, int64_t channels, const std::string& role,
                             const std::string& adapter)
{
    const ValueInfo& value = findValue(graph.outputs, name, "output", adapter);
    if (!value.hasShape)
        return;
    if (value.shape.size() != 4)
        throw ShapeError(adapter + ": " + role + " output \"" + name + "\" has rank "
                         + std::to_string(value.shape.size()) + ", expected 4 (NxCxHxW)");
    if (value.shape[1].value >= 0 && value.shape[1].value != channels)
        throw ShapeError(adapter + ": " + role + " output \"" + name + "\" has " + std::to_string(value.shape[1].value)
                         + " channels, expected " + std::to_string(channels));
}

// ---- public functions ------------------------------------------------------------------------------

ImageToTensorOptions AdapterInput::imageOptions() const
{
    return ImageToTensorOptions{width, height, rgb, mean, std};
}

AdapterConfig parseAdapterConfig(std::string_view json, const fs::path& source)
{
    JsonValue root;
    try {
        root = parseJson(json);
    } catch (const JsonError& e) {
        fail(source, e.line(), "", "JSON: " + e.reason());
    }
    if (root.kind != JKind::Object)
        fail(source, root.line, "", std::string("expected a JSON object, found ") + found(root));
    AdapterConfig config;
    config.source = source;
    const JsonValue* task = root.find("task");
    const JsonValue* version = root.find("version");
    if (!task)
        fail(source, root.line, "task", "missing (one of " + joinedTaskNames() + ")");
    if (!version)
        fail(source, root.line, "version", "missing");
    config.task = readName(*task, source, "task");
    config.version = readInt(*version, source, "version", 0, 1 << 30);
    if (config.version != 1)
        throw UnsupportedError(source.string() + ":" + std::to_string(version->line) + ": version: "
                               + std::to_string(config.version) + " is not supported (this build reads version 1)");
    const TaskAdapter* adapter = TaskAdapterRegistry::builtin().find(config.task);
    if (!adapter)
        throw UnsupportedError(source.string() + ":" + std::to_string(task->line) + ": task: unknown task "
                               + jsonQuote(config.task) + " (known: " + joinedTaskNames() + ")");
    adapter->parse(root, source, config);
    return config;
}

AdapterConfig readAdapterConfig(const fs::path& path)
{
    return parseAdapterConfig(readWholeFile(path, kMaxAdapterBytes, "an adapter file"), path);
}

AdapterConfig defaultAdapterFor(const Graph& graph)
{
    AdapterConfig config;
    config.task = "dense";
    return bindAdapter(config, graph);
}

AdapterConfig bindAdapter(const AdapterConfig& config, const Graph& graph)
{
    AdapterConfig bound = config;
    adapterFor(config).bind(bound, graph);
    return bound;
}

SegPrediction resizePrediction(const SegPrediction& prediction, int width, int height)
{
    checkPrediction(prediction, false);
    if (width < 1 || height < 1 || width > kMaxAdapterImageSide || height > kMaxAdapterImageSide)
        throw ShapeError("resizePrediction: target size " + std::to_string(width) + "x" + std::to_string(height)
                         + " is outside 1..16384");
    if (width == prediction.width && height == prediction.height)
        return prediction;
    SegPrediction out;
    out.width = width;
    out.height = height;
    out.classes = prediction.classes;
    const cv::Size size(width, height);
    cv::Mat classes;
    cv::resize(cv::Mat(prediction.height, prediction.width, CV_8UC1, const_cast<uint8_t*>(prediction.classMap.data())),
               classes, size, 0, 0, cv::INTER_NEAREST_EXACT);
    out.classMap.assign(classes.datastart, classes.dataend);
    if (prediction.probabilities.empty())
        return out;
    const size_t plane = size_t(width) * size_t(height),
                 srcPlane = size_t(prediction.width) * size_t(prediction.height);
    out.probabilities.resize(plane * size_t(prediction.classes));
    for (int c = 0; c < prediction.classes; ++c) {
        cv::Mat resized;
        cv::resize(cv::Mat(prediction.height, prediction.width, CV_32FC1,
                           const_cast<float*>(prediction.probabilities.data() + size_t(c) * srcPlane)),
                   resized, size, 0, 0, cv::INTER_LINEAR);
        std::copy(resized.ptr<float>(), resized.ptr<float>() + plane,
                  out.probabilities.begin() + std::ptrdiff_t(size_t(c) * plane));
    }
    return out;
}

SegPrediction decodeSegmentation(const TensorMap& outputs, const SegmentationConfig& config, const fs::path& source,
                                 int width, int height)
{
    const std::string adapter = source.empty() ? std::string("segmentation adapter") : source.string();
    const auto it = outputs.find(config.output);
    if (it == outputs.end()) {
        std::vector<std::string> names;
        for (const auto& [name, tensor] : outputs)
            names.push_back(name);
        throw FormatError(adapter + ": output \"" + config.output
                          + "\" is missing from the model outputs (have: " + joined(names) + ")");
    }
    const Tensor& logits = it->second;
    if (logits.rank() != 4)
        throw ShapeError(adapter + ": logits output \"" + config.output + "\" has shape "
                         + shapeToString(logits.shape()) + ", expected rank 4 (NxCxHxW)");
    if (!config.classes.empty() && logits.dim(1) != int64_t(config.classes.size()))
        throw ShapeError(adapter + ": logits output \"" + config.output + "\" has " + std::to_string(logits.dim(1))
                         + " channels but the adapter lists " + std::to_string(config.classes.size()) + " classes");
    return resizePrediction(segmentationFromLogits(logits, 0), width, height);
}

DenseComparison compareDense(const TensorMap& a, const TensorMap& b)
{
    DenseComparison out;
    for (const auto& [name, tensor] : a) {
        const auto it = b.find(name);
        if (it == b.end())
            out.onlyInA.push_back(name);
        else
            out.tensors.push_back(compareTensorPair(name, tensor, it->second));
    }
    for (const auto& [name, tensor] : b)
        if (!a.count(name))
            out.onlyInB.push_back(name);
    return out;
}

const TaskAdapterRegistry& TaskAdapterRegistry::builtin()
{
    static const TaskAdapterRegistry registry = [] {
        TaskAdapterRegistry r;
        r.add(std::make_shared<SegmentationAdapter>());
        r.add(detail::makeStereo3dAdapter());
        r.add(std::make_shared<DenseAdapter>());
        return r;
    }();
    return registry;
}

void TaskAdapterRegistry::add(std::shared_ptr<const TaskAdapter> adapter)
{
    for (auto& existing : m_adapters)
        if (existing->name() == adapter->name()) {
            existing = std::move(adapter);
            return;
        }
    m_adapters.push_back(std::move(adapter));
}

const TaskAdapter* TaskAdapterRegistry::find(std::string_view name) const
{
    for (const auto& adapter : m_adapters)
        if (adapter->name() == name)
            return adapter.get();
    return nullptr;
}

const TaskAdapter& TaskAdapterRegistry::get(std::string_view name) const
{
    if (const TaskAdapter* adapter = find(name))
        return *adapter;
    throw UnsupportedError("unknown task adapter " + jsonQuote(name) + " (known: " + joined(names()) + ")");
}

std::vector<std::string> TaskAdapterRegistry::names() const
{
    std::vector<std::string> out;
    for (const auto& adapter : m_adapters)
        out.push_back(adapter->name());
    return out;
}

const TaskAdapter& adapterFor(const AdapterConfig& config)
{
    return TaskAdapterRegistry::builtin().get(config.task);
}

} // namespace lnscope::core
