#include "cli_common.h"

#include "lnscope/core/onnx_import.h"
#include "lnscope/core/tensor_io.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <random>

namespace lnscope::app {

namespace fs = std::filesystem;
using core::Tensor;
using core::ValueInfo;

core::Graph loadModel(const fs::path& path, bool requireSupportedOps)
{
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw core::IoError(path.string() + ": no such file");
    if (fs::is_directory(path, ec))
        throw core::IoError(path.string() + ": is a folder, not a model file");
    core::ImportOptions options;
    options.requireSupportedOps = requireSupportedOps;
    return core::importOnnx(path, options);
}

std::string dimsToString(const ValueInfo& info)
{
    if (!info.hasShape)
        return "unknown";
    std::string out = "[";
    for (size_t i = 0; i < info.shape.size(); ++i) {
        const core::Dim& d = info.shape[i];
        out += i ? ", " : "";
        out += d.value >= 0 ? std::to_string(d.value) : (d.param.empty() ? "?" : d.param);
    }
    return out + "]";
}

Json dimsToJson(const ValueInfo& info)
{
    if (!info.hasShape)
        return Json();
    Json dims = Json::array();
    for (const core::Dim& d : info.shape)
        dims.push(d.value >= 0 ? Json(d.value) : (d.param.empty() ? Json() : Json(d.param)));
    return dims;
}

Json shapeToJson(const core::Shape& shape)
{
    return Json::arrayOf(shape);
}

TensorStats tensorStats(const Tensor& tensor)
{
    TensorStats s;
    s.count = tensor.numel();
    double sum = 0.0;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (int64_t i = 0; i < s.count; ++i) {
        const double v = tensor.valueAsDouble(i);
        if (!std::isfinite(v)) {
            ++s.nonFinite;
            continue;
        }
        sum += v;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    const int64_t finite = s.count - s.nonFinite;
    if (finite > 0) {
        s.min = lo;
        s.max = hi;
        s.mean = sum / static_cast<double>(finite);
    } else {
        s.min = s.max = s.mean = std::numeric_limits<double>::quiet_NaN();
    }
    return s;
}

std::vector<ClassCount> argmaxHistogram(const Tensor& tensor)
{
    if (!tensor.isFloat() || (tensor.rank() != 4 && tensor.rank() != 2) || tensor.dim(1) < 2 || tensor.empty())
        return {};
    const int64_t n = tensor.dim(0), c = tensor.dim(1);
    const int64_t plane = tensor.numel() / (n * c); // H·W, or 1 for N×C
    std::vector<int64_t> counts(static_cast<size_t>(c), 0);
    const float* data = tensor.f();
    for (int64_t b = 0; b < n; ++b) {
        const float* base = data + b * c * plane;
        for (int64_t p = 0; p < plane; ++p) {
            int64_t best = 0;
            for (int64_t k = 1; k < c; ++k)
                if (base[k * plane + p] > base[best * plane + p]) // NaN never wins
                    best = k;
            ++counts[static_cast<size_t>(best)];
        }
    }
    std::vector<ClassCount> hist;
    for (int64_t k = 0; k < c; ++k)
        if (counts[static_cast<size_t>(k)] > 0)
            hist.push_back({k, counts[static_cast<size_t>(k)]});
    std::stable_sort(hist.begin(), hist.end(),
                     [](const ClassCount& a, const ClassCount& b) { return a.count > b.count; });
    return hist;
}

std::vector<OptionSpec> imageOptionSpecs()
{
    return {{"--size", "", true, false},
            {"--mean", "", true, false},
            {"--std", "", true, false},
            {"--bgr", "", false, false}};
}

ImageArgs imageArgsFrom(const ParsedArgs& args)
{
    ImageArgs image;
    if (auto v = args.value("--size"))
        image.size = parseSizeArg("--size", *v);
    if (auto v = args.value("--mean"))
        image.mean = parseFloat3Arg("--mean", *v);
    if (auto v = args.value("--std")) {
        image.std = parseFloat3Arg("--std", *v);
        for (float s : image.std)
            if (s == 0.f)
                throw UsageError("option '--std' needs three non-zero numbers, got '" + *v + "'");
    }
    image.bgr = args.has("--bgr");
    return image;
}

void checkInputFits(const ValueInfo& info, const Tensor& tensor, const std::string& source)
{
    const std::string head = source + ": " + core::dtypeName(tensor.dtype()) + " tensor of shape "
                             + core::shapeToString(tensor.shape()) + " does not fit model input '" + info.name + "' ("
                             + core::dtypeName(info.dtype) + " " + dimsToString(info) + "): ";
    if (tensor.dtype() != info.dtype)
        throw core::ShapeError(head + "the element type differs");
    if (!info.hasShape)
        return;
    if (static_cast<size_t>(tensor.rank()) != info.shape.size())
        throw core::ShapeError(head + "rank " + std::to_string(tensor.rank()) + " instead of "
                               + std::to_string(info.shape.size()));
    for (size_t i = 0; i < info.shape.size(); ++i)
        if (info.shape[i].value >= 0 && info.shape[i].value != tensor.shape()[i])
            throw core::ShapeError(head + "dimension " + std::to_string(i) + " is " + std::to_string(tensor.shape()[i])
                                   + " instead of " + std::to_string(info.shape[i].value));
}

namespace {

bool isTensorFile(const fs::path& file)
{
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".pb";
}

std::string inputNames(const core::Graph& graph)
{
    std::string names;
    for (const ValueInfo& in : graph.inputs) {
        names += names.empty() ? "'" : ", '";
        names += in.name + "'";
    }
    return names.empty() ? "none" : names;
}

/// fitModelSize: without --size, resize images to the model's fixed input size (run); otherwise an
/// image of another size is refused by checkInputFits (calibration data must match the model).
Tensor readImageFor(const ValueInfo& info, const fs::path& file, const ImageArgs& image, bool fitModelSize)
{
    // An image always becomes 1×3×H×W float; say so before reading when the model wants another layout.
    const bool fixed = info.hasShape && info.shape.size() == 4;
    if (info.hasShape && (info.shape.size() != 4 || (info.shape[1].value >= 0 && info.shape[1].value != 3)))
        throw core::ShapeError(file.string() + ": an image gives a float tensor [1, 3, H, W], but model input '"
                               + info.name + "' is " + core::dtypeName(info.dtype) + " " + dimsToString(info)
                               + "; give a .pb tensor instead");
    core::ImageToTensorOptions options;
    if (image.size) {
        options.width = (*image.size)[0];
        options.height = (*image.size)[1];
    } else if (fitModelSize && fixed && info.shape[2].value > 0 && info.shape[3].value > 0) {
        options.width = static_cast<int>(info.shape[3].value);
        options.height = static_cast<int>(info.shape[2].value);
    }
    options.rgb = !image.bgr;
    options.mean = image.mean;
    options.std = image.std;
    return core::readImageTensor(file, options);
}

Tensor readInputFile(const core::Graph& graph, const ValueInfo& info, const fs::path& file, const ImageArgs& image,
                     bool fitModelSize = true)
{
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        std::string hint;
        if (const size_t eq = file.string().find('='); eq != std::string::npos)
            hint = " ('" + file.string().substr(0, eq) + "' is not a model input; inputs: " + inputNames(graph) + ")";
        throw core::IoError(file.string() + ": no such file" + hint);
    }
    Tensor t = isTensorFile(file) ? core::readTensorPb(file) : readImageFor(info, file, image, fitModelSize);
    checkInputFits(info, t, file.string());
    return t;
}

const ValueInfo* findInput(const core::Graph& graph, const std::string& name)
{
    for (const ValueInfo& in : graph.inputs)
        if (in.name == name)
            return &in;
    return nullptr;
}

} // namespace

std::vector<ModelInput> loadInputs(const core::Graph& graph, const fs::path& modelPath,
                                   const std::vector<std::string>& inputArgs, const ImageArgs& image)
{
    // NAME=FILE only when NAME is an input of this model: file names may contain '=' too.
    std::map<std::string, std::string> named;
    std::vector<std::string> unnamed;
    for (const std::string& arg : inputArgs) {
        const size_t eq = arg.find('=');
        if (eq != std::string::npos && findInput(graph, arg.substr(0, eq))) {
            if (!named.emplace(arg.substr(0, eq), arg.substr(eq + 1)).second)
                throw UsageError("model input '" + arg.substr(0, eq) + "' is given more than one --input");
            continue;
        }
        unnamed.push_back(arg);
    }
    std::vector<ModelInput> inputs;
    size_t next = 0;
    for (const ValueInfo& info : graph.inputs) {
        std::string file;
        if (auto it = named.find(info.name); it != named.end())
            file = it->second;
        else if (next < unnamed.size())
            file = unnamed[next++];
        else
            throw UsageError("no --input for model input '" + info.name + "' of " + modelPath.string()
                             + " (inputs: " + inputNames(graph) + ")");
        inputs.push_back({info.name, file, readInputFile(graph, info, file, image)});
    }
    if (next < unnamed.size())
        throw UsageError("--input " + unnamed[next] + " has no model input left to feed: " + modelPath.string()
                         + " has " + std::to_string(graph.inputs.size()) + " input(s): " + inputNames(graph));
    return inputs;
}

std::vector<ModelInput> loadInputFolder(const core::Graph& graph, const fs::path& model, const fs::path& source,
                                        const ImageArgs& image, const std::string& what)
{
    if (graph.inputs.size() != 1)
        throw core::UnsupportedError(model.string() + ": " + what + " inputs from a file or folder need a model with one "
                                     "input, this one has " + std::to_string(graph.inputs.size()));
    std::vector<fs::path> files;
    std::error_code ec;
    if (fs::is_directory(source, ec)) {
        for (const fs::directory_entry& e : fs::directory_iterator(source))
            if (e.is_regular_file() && e.path().filename().string().rfind('.', 0) != 0)
                files.push_back(e.path());
        std::sort(files.begin(), files.end()); // directory order is not stable across file systems
        if (files.empty())
            throw core::IoError(source.string() + ": the " + what + " folder has no files");
    } else if (fs::is_regular_file(source, ec)) {
        files.push_back(source);
    } else {
        throw core::IoError(source.string() + ": no such " + what + " file or folder");
    }
    std::vector<ModelInput> out;
    for (const fs::path& f : files)
        out.push_back({graph.inputs[0].name, f.string(), readInputFile(graph, graph.inputs[0], f, image, false)});
    return out;
}

ModelInput randomInput(const ValueInfo& info, uint32_t seed, const ImageArgs& image)
{
    if (!info.hasShape)
        throw core::ShapeError("model input '" + info.name + "' has no shape in the model; give --input FILE");
    constexpr int64_t kDefaultSide = 224;
    core::Shape shape;
    for (size_t i = 0; i < info.shape.size(); ++i) {
        int64_t d = info.shape[i].value;
        if (d < 0) {
            const bool spatial = info.shape.size() == 4 && i >= 2;
            d = !spatial ? 1 : image.size ? (*image.size)[i == 2 ? 1 : 0] : kDefaultSide;
        }
        shape.push_back(d);
    }
    Tensor t(info.dtype, shape);
    if (t.isFloat()) {
        // std::mt19937 without std::uniform_*_distribution: the same values with every standard library.
        std::mt19937 rng(seed);
        for (float& v : t.floats())
            v = static_cast<float>(static_cast<double>(rng()) / 4294967296.0);
    }
    return {info.name, "seeded random in [0, 1), seed " + std::to_string(seed), std::move(t)};
}

core::TensorMap toTensorMap(const std::vector<ModelInput>& inputs)
{
    core::TensorMap map;
    for (const ModelInput& in : inputs)
        map[in.name] = in.tensor;
    return map;
}

std::string safeFileStem(const std::string& tensorName)
{
    std::string out;
    for (const char c : tensorName) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '_' || c == '.';
        out += ok ? c : '_';
    }
    if (out.empty() || out == "." || out == "..")
        out = "output";
    return out;
}

} // namespace lnscope::app
