// Decoding of the stereo 3-D detection heads (task_adapter.h, decodeStereo3d): peaks of the centre
// heatmap, then per peak depth, centre, size and heading. Everything after the checks is plain
// arithmetic that does not throw, so float and converted outputs go through the same code.

#include "lnscope/core/det_metrics.h"
#include "lnscope/core/error.h"
#include "lnscope/core/task_adapter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace lnscope::core {

namespace {

struct Peak
{
    double score = 0.0; ///< p = sigmoid(logit), in double as the training scripts compute it
    int cls = 0, row = 0, col = 0;
};

/// Score order: higher p first; ties lower class, then lower row, then lower column.
bool peakBefore(const Peak& a, const Peak& b)
{
    if (a.score != b.score)
        return a.score > b.score;
    if (a.cls != b.cls)
        return a.cls < b.cls;
    if (a.row != b.row)
        return a.row < b.row;
    return a.col < b.col;
}

std::string nameOf(const Stereo3dConfig& config)
{
    return config.source.empty() ? std::string("stereo3d adapter") : config.source;
}

void checkConfig(const Stereo3dConfig& c, int imageWidth, int imageHeight)
{
    const std::string adapter = nameOf(c);
    if (c.classes.empty())
        throw FormatError(adapter + ": no classes");
    if (c.binCentres.empty() || c.binCentres.size() != c.binWidths.size())
        throw FormatError(adapter + ": depth bins: " + std::to_string(c.binCentres.size()) + " centres and "
                          + std::to_string(c.binWidths.size()) + " widths (need the same number, at least 1)");
    if (c.stride < 1 || c.input.width < 1 || c.input.height < 1)
        throw FormatError(adapter + ": stride " + std::to_string(c.stride) + " and input size "
                          + std::to_string(c.input.width) + "x" + std::to_string(c.input.height) + " must be positive");
    if (c.nmsKernel < 1 || c.nmsKernel % 2 == 0 || c.maxDetections < 0)
        throw FormatError(adapter + ": nmsKernel " + std::to_string(c.nmsKernel)
                          + " must be odd and positive, maxDetections " + std::to_string(c.maxDetections)
                          + " non-negative");
    if (imageWidth < 1 || imageHeight < 1)
        throw FormatError(adapter + ": image size " + std::to_string(imageWidth) + "x" + std::to_string(imageHeight)
                          + " must be positive");
}

/// The head `name` (role `role`): float, rank 4, `channels` channels; h and w are set by the first
/// head and checked against on the others.
const float* head(const TensorMap& outputs, const Stereo3dConfig& config, const std::string& name, const char* role,
                  int64_t channels, int64_t& h, int64_t& w)
{
    const std::string adapter = nameOf(config);
    const auto it = outputs.find(name);
    if (it == outputs.end()) {
        std::string names;
        for (const auto& [n, t] : outputs)
            names += (names.empty() ? "" : ", ") + n;
        throw FormatError(adapter + ": " + role + " output \"" + name
                          + "\" is missing from the model outputs (have: " + (names.empty() ? "none" : names) + ")");
    }
    const Tensor& t = it->second;
    const std::string what = adapter + ": " + role + " output \"" + name + "\" ";
    if (!t.isFloat())
        throw UnsupportedError(what + "is " + dtypeName(t.dtype()) + ", expected float");
    if (t.rank() != 4 || t.dim(0) < 1)
        throw ShapeError(what + "has shape " + shapeToString(t.shape()) + ", expected 1x" + std::to_string(channels)
                         + "xhxw");
    if (t.dim(1) != channels)
        throw ShapeError(what + "has " + std::to_string(t.dim(1)) + " channels, expected " + std::to_string(channels)
                         + " (shape " + shapeToString(t.shape()) + ")");
    if (h < 0) {
        h = t.dim(2);
        w = t.dim(3);
    } else if (t.dim(2) != h || t.dim(3) != w) {
        throw ShapeError(what + "is " + std::to_string(t.dim(3)) + "x" + std::to_string(t.dim(2))
                         + " (wxh), the heatmap " + std::to_string(w) + "x" + std::to_string(h));
    }
    return t.f(); // batch item 0 comes first
}

/// h must be ⌊H/S⌋ or ⌈H/S⌉ (same for w): anything else is a wrong stride or input size.
void checkGrid(const Stereo3dConfig& c, int64_t h, int64_t w)
{
    const auto fits = [&](int64_t cells, int pixels) {
        return cells == pixels / c.stride || cells == (pixels + c.stride - 1) / c.stride;
    };
    if (h < 1 || w < 1 || !fits(h, c.input.height) || !fits(w, c.input.width))
        throw ShapeError(nameOf(c) + ": heads are " + std::to_string(w) + "x" + std::to_string(h)
                         + " (wxh) cells, but an input of " + std::to_string(c.input.width) + "x"
                         + std::to_string(c.input.height) + " at stride " + std::to_string(c.stride) + " gives "
                         + std::to_string(c.input.width / c.stride) + "x" + std::to_string(c.input.height / c.stride));
}

double sigmoid(float logit)
{
    return 1.0 / (1.0 + std::exp(-double(logit)));
}

/// Cells whose p ≥ threshold and equals the maximum of their k×k window (no neighbour strictly
/// greater; NaN never a peak, never suppresses), sorted by peakBefore.
std::vector<Peak> findPeaks(const std::vector<double>& p, int64_t classes, int64_t h, int64_t w, int kernel,
                            double threshold)
{
    std::vector<Peak> peaks;
    const int64_t r = kernel / 2;
    for (int64_t c = 0; c < classes; ++c) {
        const double* plane = p.data() + c * h * w;
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x) {
                const double v = plane[y * w + x];
                if (!(v >= threshold))
                    continue;
                bool isPeak = true;
                for (int64_t yy = std::max<int64_t>(0, y - r); isPeak && yy <= std::min(h - 1, y + r); ++yy)
                    for (int64_t xx = std::max<int64_t>(0, x - r); xx <= std::min(w - 1, x + r); ++xx)
                        if (plane[yy * w + xx] > v) {
                            isPeak = false;
                            break;
                        }
                if (isPeak)
                    peaks.push_back({v, int(c), int(y), int(x)});
            }
    }
    std::sort(peaks.begin(), peaks.end(), peakBefore);
    return peaks;
}

/// The 2-D box of an object: its 8 corners projected with P2, the projective depth clamped to at
/// least 1e-3 (as the training scripts' project_box_2d does), clipped to the image.
void setImageBox(KittiObject& o, const KittiCalib& calib, int imageWidth, int imageHeight)
{
    const auto& P = calib.P2;
    double x1 = std::numeric_limits<double>::infinity(), y1 = x1, x2 = -x1, y2 = -x1;
    for (const auto& [x, y, z] : boxCorners(o)) {
        const double depth = std::max(P[8] * x + P[9] * y + P[10] * z + P[11], 1e-3);
        const double u = (P[0] * x + P[1] * y + P[2] * z + P[3]) / depth;
        const double v = (P[4] * x + P[5] * y + P[6] * z + P[7]) / depth;
        x1 = std::min(x1, u);
        x2 = std::max(x2, u);
        y1 = std::min(y1, v);
        y2 = std::max(y2, v);
    }
    const double maxX = imageWidth - 1, maxY = imageHeight - 1;
    o.bbox[0] = float(std::clamp(x1, 0.0, maxX));
    o.bbox[1] = float(std::clamp(y1, 0.0, maxY));
    o.bbox[2] = float(std::clamp(x2, 0.0, maxX));
    o.bbox[3] = float(std::clamp(y2, 0.0, maxY));
}

using namespace adapter_json;
namespace fs = std::filesystem;

class Stereo3dAdapter final : public TaskAdapter
{
public:
    std::string name() const override { return "stereo3d"; }
    std::string description() const override { return "stereo heads -> 3-D boxes in the camera frame (KITTI AP)"; }

    void parse(const JsonValue& root, const fs::path& file, AdapterConfig& config) const override
    {
        ObjectReader r(root, file, "");
        r.optional("task");
        r.optional("version");
        Stereo3dConfig& s = config.stereo3d;
        s.source = file.string();
        {
            ObjectReader inputs(r.required("inputs"), file, "inputs");
            s.leftInput = readName(inputs.required("left"), file, "inputs.left");
            s.rightInput = readName(inputs.required("right"), file, "inputs.right");
            inputs.finish();
        }
        s.input = readInput(r.required("input"), file, InputRules::Stereo);
        {
            ObjectReader outputs(r.required("outputs"), file, "outputs");
            for (auto [member, target] : {std::pair{"heatmap", &s.heatmap}, std::pair{"depthBins", &s.depthBins},
                                          std::pair{"depthResidual", &s.depthResidual}, std::pair{"size", &s.size},
                                          std::pair{"heading", &s.heading}, std::pair{"offset", &s.offset}})
                *target = readName(outputs.required(member), file, outputs.keyOf(member));
            outputs.finish();
        }
        s.stride = readInt(r.required("stride"), file, "stride", 1, 256);
        {
            const JsonValue& binsValue = r.required("depthBins");
            ObjectReader bins(binsValue, file, "depthBins");
            s.binCentres = readNumbers(bins.required("centres"), file, "depthBins.centres", -1, -1e6, 1e6, false);
            s.binWidths = readNumbers(bins.required("widths"), file, "depthBins.widths", -1, 0.0, 1e6, true);
            bins.finish();
            if (s.binCentres.size() != s.binWidths.size())
                fail(file, binsValue.line, "depthBins",
                     std::to_string(s.binCentres.size()) + " centres but " + std::to_string(s.binWidths.size())
                         + " widths");
        }
        parseClasses(r.required("classes"), file, s);
        if (const JsonValue* v = r.optional("scoreThreshold"))
            s.scoreThreshold = readNumber(*v, file, "scoreThreshold", 0.0, 1.0);
        if (const JsonValue* v = r.optional("maxDetections"))
            s.maxDetections = readInt(*v, file, "maxDetections", 1, 100000);
        if (const JsonValue* v = r.optional("nmsKernel")) {
            s.nmsKernel = readInt(*v, file, "nmsKernel", 1, 31);
            if (s.nmsKernel % 2 == 0)
                fail(file, v->line, "nmsKernel", "must be odd (a window centred on the cell), found " + v->text);
        }
        r.finish();
    }

    void bind(AdapterConfig& config, const Graph& graph) const override
    {
        Stereo3dConfig& s = config.stereo3d;
        const std::string adapter = adapterName(config.source, "stereo3d");
        bindImageInput(s.input, s.leftInput, graph, adapter);
        bindImageInput(s.input, s.rightInput, graph, adapter);
        const int64_t bins = int64_t(s.binCentres.size());
        bindOutput(graph, s.heatmap, int64_t(s.classes.size()), "heatmap", adapter);
        bindOutput(graph, s.depthBins, bins, "depthBins", adapter);
        bindOutput(graph, s.depthResidual, bins, "depthResidual", adapter);
        bindOutput(graph, s.size, 3, "size", adapter);
        bindOutput(graph, s.heading, 2, "heading", adapter);
        bindOutput(graph, s.offset, 2, "offset", adapter);
    }

    TensorMap makeInputs(const AdapterConfig& config, const Frame& frame) const override
    {
        const Stereo3dConfig& s = config.stereo3d;
        if (!frame.hasRight())
            throw FormatError(adapterName(config.source, "stereo3d") + ": frame " + frame.id
                              + " has no right image (image_3/), which a stereo model needs");
        TensorMap inputs;
        inputs[s.leftInput] = readImageTensor(frame.leftImage, s.input.imageOptions());
        inputs[s.rightInput] = readImageTensor(frame.rightImage, s.input.imageOptions());
        return inputs;
    }

    TaskResult interpret(const AdapterConfig& config, const TensorMap& outputs, const Frame& frame) const override
    {
        const auto [width, height] = frame.imageSize();
        return decodeStereo3d(outputs, config.stereo3d, frame.calib(), width, height);
    }

private:
    static void parseClasses(const JsonValue& v, const fs::path& file, Stereo3dConfig& s)
    {
        if (v.kind != JsonValue::Kind::Array || v.items.empty() || v.items.size() > 255)
            fail(file, v.line, "classes",
                 "expected an array of 1..255 classes, found "
                     + (v.kind == JsonValue::Kind::Array ? "an array of " + std::to_string(v.items.size())
                                                         : std::string(jsonKindName(v.kind))));
        s.classes.clear();
        std::set<std::string> names;
        for (size_t i = 0; i < v.items.size(); ++i) {
            const std::string key = "classes[" + std::to_string(i) + "]";
            ObjectReader r(v.items[i], file, key);
            Stereo3dClass cls;
            cls.name = readName(r.required("name"), file, key + ".name");
            if (cls.name.find_first_of(" \t\r\n") != std::string::npos)
                fail(file, v.items[i].line, key + ".name",
                     "must be one word (it is a KITTI type), found " + jsonQuote(cls.name));
            const auto size = readNumbers(r.required("meanSize"), file, key + ".meanSize", 3, 0.0, 1000.0, true);
            std::copy(size.begin(), size.end(), cls.meanSize.begin());
            r.finish();
            if (!names.insert(cls.name).second)
                fail(file, v.items[i].line, key + ".name", "class " + jsonQuote(cls.name) + " is repeated");
            s.classes.push_back(std::move(cls));
        }
    }
};

} // namespace

std::vector<KittiObject> decodeStereo3d(const TensorMap& outputs, const Stereo3dConfig& config, const KittiCalib& calib,
                                        int imageWidth, int imageHeight)
{
    checkConfig(config, imageWidth, imageHeight);
    const auto& P = calib.P2;
    if (!(std::isfinite(P[0]) && P[0] > 0) || !(std::isfinite(P[5]) && P[5] > 0))
        throw FormatError(nameOf(config) + ": the calibration has no usable P2 (fx = " + std::to_string(P[0])
                          + ", fy = " + std::to_string(P[5]) + ")");

    const int64_t classes = int64_t(config.classes.size()), bins = int64_t(config.binCentres.size());
    int64_t h = -1, w = -1;
    const float* heat = head(outputs, config, config.heatmap, "heatmap", classes, h, w);
    const float* binLogits = head(outputs, config, config.depthBins, "depthBins", bins, h, w);
    const float* residual = head(outputs, config, config.depthResidual, "depthResidual", bins, h, w);
    const float* size = head(outputs, config, config.size, "size", 3, h, w);
    const float* heading = head(outputs, config, config.heading, "heading", 2, h, w);
    const float* offset = head(outputs, config, config.offset, "offset", 2, h, w);
    checkGrid(config, h, w);

    const int64_t plane = h * w;
    std::vector<double> p(size_t(classes * plane));
    for (size_t i = 0; i < p.size(); ++i)
        p[i] = sigmoid(heat[i]);
    std::vector<Peak> peaks = findPeaks(p, classes, h, w, config.nmsKernel, config.scoreThreshold);
    if (peaks.size() > size_t(config.maxDetections))
        peaks.resize(size_t(config.maxDetections));

    // P2 in the model input's pixels: x terms scale with the width ratio, y terms with the height's.
    const double sx = double(config.input.width) / imageWidth, sy = double(config.input.height) / imageHeight;
    const double fx = P[0] * sx, cx = P[2] * sx, tx = P[3] * sx;
    const double fy = P[5] * sy, cy = P[6] * sy, ty = P[7] * sy;
    const double stride = config.stride;

    std::vector<KittiObject> objects;
    objects.reserve(peaks.size());
    for (const Peak& peak : peaks) {
        const int64_t cell = int64_t(peak.row) * w + peak.col;
        int64_t best = -1; // argmax over bins, ties → lower bin; NaN never wins (all NaN: bin 0)
        for (int64_t k = 0; k < bins; ++k) {
            const float logit = binLogits[k * plane + cell];
            if (!std::isnan(logit) && (best < 0 || logit > binLogits[best * plane + cell]))
                best = k;
        }
        best = std::max<int64_t>(best, 0);
        const double Z =
            config.binCentres[size_t(best)] + double(residual[best * plane + cell]) * config.binWidths[size_t(best)];
        const double u = (peak.col + double(offset[cell]) + 0.5) * stride - 0.5;
        const double v = (peak.row + double(offset[plane + cell]) + 0.5) * stride - 0.5;
        const auto& mean = config.classes[size_t(peak.cls)].meanSize;
        const double dimH = mean[0] * std::exp(double(size[cell]));
        const double dimW = mean[1] * std::exp(double(size[plane + cell]));
        const double dimL = mean[2] * std::exp(double(size[2 * plane + cell]));
        const double X = (u * Z - cx * Z - tx) / fx;
        const double Yc = (v * Z - cy * Z - ty) / fy;
        const double alpha = std::atan2(double(heading[cell]), double(heading[plane + cell]));

        KittiObject o;
        o.type = config.classes[size_t(peak.cls)].name;
        o.alpha = float(alpha);
        o.h = float(dimH);
        o.w = float(dimW);
        o.l = float(dimL);
        o.x = float(X);
        o.y = float(Yc + dimH / 2);
        o.z = float(Z);
        o.rotationY = float(wrapAngle(alpha + std::atan2(X, Z)));
        o.score = float(peak.score);
        setImageBox(o, calib, imageWidth, imageHeight);
        objects.push_back(std::move(o));
    }
    return objects;
}

namespace detail {

std::shared_ptr<const TaskAdapter> makeStereo3dAdapter()
{
    return std::make_shared<Stereo3dAdapter>();
}

} // namespace detail

} // namespace lnscope::core
