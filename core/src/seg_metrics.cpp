#include "lnscope/core/seg_metrics.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <stdexcept>
#include <string>

namespace lnscope::core {

namespace {

constexpr double kMaxExactCount = 9007199254740992.0; // 2^53: larger integers lose bits in a double

std::string pixelName(size_t index, int width)
{
    const size_t w = static_cast<size_t>(std::max(width, 1));
    return "(" + std::to_string(index % w) + ", " + std::to_string(index / w) + ")";
}

std::string sizeName(int width, int height)
{
    return std::to_string(width) + "x" + std::to_string(height);
}

size_t pixelCount(int width, int height)
{
    return static_cast<size_t>(width) * static_cast<size_t>(height);
}

void checkLabelMap(const LabelMap& map, const char* what)
{
    if (map.width < 0 || map.height < 0 || map.ids.size() != pixelCount(map.width, map.height))
        throw ShapeError(std::string(what) + ": " + std::to_string(map.ids.size()) + " ids for a "
                         + sizeName(map.width, map.height) + " map");
}

void checkSameSize(int w1, int h1, const char* what1, int w2, int h2, const char* what2)
{
    if (w1 != w2 || h1 != h2)
        throw ShapeError(std::string(what1) + " is " + sizeName(w1, h1) + " but " + what2 + " is " + sizeName(w2, h2));
}

void checkPair(const SegPrediction& a, const SegPrediction& b, bool requireProbabilities)
{
    checkPrediction(a, requireProbabilities);
    checkPrediction(b, requireProbabilities);
    checkSameSize(a.width, a.height, "the first prediction", b.width, b.height, "the second");
    if (a.classes != b.classes)
        throw ShapeError("the predictions have " + std::to_string(a.classes) + " and " + std::to_string(b.classes)
                         + " classes");
}

/// Typed, strict access to one JSON object; every failure is "<context>: <field>: <reason>".
struct JsonFields
{
    std::string context;
    const JsonValue& object;

    [[noreturn]] void fail(const std::string& field, const std::string& why) const
    {
        throw FormatError(context + ": " + field + ": " + why);
    }
    void requireExactly(std::initializer_list<const char*> keys) const
    {
        if (object.kind != JsonValue::Kind::Object)
            throw FormatError(context + ": expected an object, found " + jsonKindName(object.kind));
        for (const auto& [key, value] : object.members)
            if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; }))
                fail(key, "unknown member");
        for (const char* key : keys)
            if (!object.find(key))
                fail(key, "missing");
    }
    const JsonValue& get(const char* key) const { return *object.find(key); }
    std::string string(const char* key) const
    {
        const JsonValue& v = get(key);
        if (v.kind != JsonValue::Kind::String)
            fail(key, std::string("expected a string, found ") + jsonKindName(v.kind));
        return v.text;
    }
    static bool isInteger(const JsonValue& v, double lo, double hi)
    {
        return v.kind == JsonValue::Kind::Number && v.number == std::floor(v.number) && v.number >= lo
               && v.number <= hi;
    }
    int64_t integer(const char* key, double lo, double hi) const
    {
        const JsonValue& v = get(key);
        if (!isInteger(v, lo, hi))
            fail(key, "expected an integer in " + std::to_string(int64_t(lo)) + ".." + std::to_string(int64_t(hi))
                          + ", found " + (v.kind == JsonValue::Kind::Number ? v.text : jsonKindName(v.kind)));
        return static_cast<int64_t>(v.number);
    }
};

JsonValue countJson(int64_t n)
{
    return JsonValue::makeNumber(static_cast<double>(n));
}

} // namespace

// ---- logits → prediction -----------------------------------------------------------------------

SegPrediction segmentationFromLogits(const Tensor& logits, int batchIndex)
{
    if (logits.rank() != 4)
        throw ShapeError("segmentation logits must be N x C x H x W, got " + shapeToString(logits.shape()));
    if (!logits.isFloat())
        throw UnsupportedError(std::string("segmentation logits must be float, got ") + dtypeName(logits.dtype()));
    const int64_t n = logits.dim(0), c = logits.dim(1), h = logits.dim(2), w = logits.dim(3);
    if (batchIndex < 0 || batchIndex >= n)
        throw ShapeError("batch index " + std::to_string(batchIndex) + " is outside 0.." + std::to_string(n - 1)
                         + " of logits " + shapeToString(logits.shape()));
    if (c < 1 || c > 255)
        throw ShapeError("segmentation logits need 1..255 classes (255 is the ignore value), got " + std::to_string(c)
                         + " in " + shapeToString(logits.shape()));
    if (h * w == 0)
        throw ShapeError("segmentation logits have no pixels: " + shapeToString(logits.shape()));

    SegPrediction out;
    out.width = static_cast<int>(w);
    out.height = static_cast<int>(h);
    out.classes = static_cast<int>(c);
    const size_t hw = static_cast<size_t>(h * w), classes = static_cast<size_t>(c);
    const float* base = logits.f() + static_cast<size_t>(batchIndex) * classes * hw;

    // Channel-major passes (contiguous per class). Pass 1: max and argmax; strict > keeps the
    // lowest class on ties and never lets NaN win.
    std::vector<float> maxLogit(hw, -std::numeric_limits<float>::infinity());
    out.classMap.assign(hw, 0);
    for (size_t k = 0; k < classes; ++k) {
        const float* plane = base + k * hw;
        for (size_t i = 0; i < hw; ++i)
            if (plane[i] > maxLogit[i]) {
                maxLogit[i] = plane[i];
                out.classMap[i] = static_cast<uint8_t>(k);
            }
    }
    // Pass 2: unnormalised exp(l − max) in [0, 1], with the non-finite cases of the header.
    out.probabilities.resize(classes * hw);
    std::vector<double> sum(hw, 0.0);
    for (size_t k = 0; k < classes; ++k) {
        const float* plane = base + k * hw;
        float* prob = out.probabilities.data() + k * hw;
        for (size_t i = 0; i < hw; ++i) {
            const float m = maxLogit[i], v = plane[i];
            double e;
            if (std::isfinite(m))
                e = std::isnan(v) ? 0.0 : std::exp(double(v) - double(m));
            else if (m > 0)
                e = v == m ? 1.0 : 0.0; // +∞ logits share the mass
            else
                e = 1.0; // nothing usable: uniform
            prob[i] = static_cast<float>(e);
            sum[i] += e;
        }
    }
    for (size_t k = 0; k < classes; ++k) {
        float* prob = out.probabilities.data() + k * hw;
        for (size_t i = 0; i < hw; ++i)
            prob[i] = static_cast<float>(double(prob[i]) / sum[i]);
    }
    return out;
}

void checkPrediction(const SegPrediction& p, bool requireProbabilities)
{
    if (p.width < 0 || p.height < 0)
        throw ShapeError("prediction has a negative size " + sizeName(p.width, p.height));
    if (p.classes < 1 || p.classes > 255)
        throw ShapeError("prediction has " + std::to_string(p.classes) + " classes, expected 1..255");
    const size_t n = pixelCount(p.width, p.height);
    if (p.classMap.size() != n)
        throw ShapeError("prediction class map has " + std::to_string(p.classMap.size()) + " entries for "
                         + sizeName(p.width, p.height) + " pixels");
    const size_t expected = n * static_cast<size_t>(p.classes);
    if (p.probabilities.size() != expected && (requireProbabilities || !p.probabilities.empty()))
        throw ShapeError("prediction has " + std::to_string(p.probabilities.size()) + " probabilities, expected "
                         + std::to_string(p.classes) + " x " + sizeName(p.width, p.height) + " = "
                         + std::to_string(expected));
    for (size_t i = 0; i < n; ++i)
        if (p.classMap[i] >= p.classes)
            throw ShapeError("prediction pixel " + pixelName(i, p.width) + " has class " + std::to_string(p.classMap[i])
                             + ", but there are only " + std::to_string(p.classes) + " classes");
}

std::vector<float> maxProbability(const SegPrediction& p)
{
    checkPrediction(p);
    const size_t n = p.classMap.size();
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i)
        out[i] = p.probabilities[size_t(p.classMap[i]) * n + i];
    return out;
}

LabelMap toLabelMap(const SegPrediction& prediction)
{
    return LabelMap{prediction.width, prediction.height, prediction.classMap};
}

// ---- confusion -----------------------------------------------------------------------------------

SegConfusion::SegConfusion(int classes, uint8_t ignoreValue) : m_classes(classes), m_ignore(ignoreValue)
{
    if (classes < 1 || classes > 256)
        throw ShapeError("confusion matrix needs 1..256 classes, got " + std::to_string(classes));
    if (ignoreValue < classes)
        throw ShapeError("ignore value " + std::to_string(ignoreValue) + " is a class id (" + std::to_string(classes)
                         + " classes)");
    m_counts.assign(static_cast<size_t>(classes) * static_cast<size_t>(classes), 0);
}

void SegConfusion::add(const LabelMap& labels, const LabelMap& prediction)
{
    checkLabelMap(labels, "labels");
    checkLabelMap(prediction, "prediction");
    checkSameSize(labels.width, labels.height, "the label map", prediction.width, prediction.height, "the prediction");
    const size_t n = labels.ids.size();
    for (size_t i = 0; i < n; ++i) {
        const uint8_t label = labels.ids[i];
        if (label == m_ignore)
            continue;
        if (label >= m_classes)
            throw ShapeError("label pixel " + pixelName(i, labels.width) + " has class " + std::to_string(label)
                             + ", which is neither a class id (" + std::to_string(m_classes)
                             + " classes) nor the ignore value " + std::to_string(m_ignore));
        if (prediction.ids[i] >= m_classes)
            throw ShapeError("prediction pixel " + pixelName(i, labels.width) + " has class "
                             + std::to_string(prediction.ids[i]) + ", but there are only " + std::to_string(m_classes)
                             + " classes");
    }
    addUnchecked(labels.ids.data(), prediction.ids.data(), n);
}

void SegConfusion::add(const LabelMap& labels, const SegPrediction& prediction)
{
    checkPrediction(prediction, false);
    if (prediction.classes != m_classes)
        throw ShapeError("prediction has " + std::to_string(prediction.classes) + " classes, the confusion matrix "
                         + std::to_string(m_classes));
    add(labels, toLabelMap(prediction));
}

void SegConfusion::addUnchecked(const uint8_t* labels, const uint8_t* prediction, size_t count)
{
    const size_t c = static_cast<size_t>(m_classes);
    for (size_t i = 0; i < count; ++i) {
        if (labels[i] == m_ignore)
            ++m_ignored;
        else
            ++m_counts[labels[i] * c + prediction[i]];
    }
}

void SegConfusion::merge(const SegConfusion& other)
{
    if (other.m_classes != m_classes || other.m_ignore != m_ignore)
        throw ShapeError("cannot merge confusion matrices of " + std::to_string(m_classes) + " classes (ignore "
                         + std::to_string(m_ignore) + ") and " + std::to_string(other.m_classes) + " classes (ignore "
                         + std::to_string(other.m_ignore) + ")");
    for (size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    m_ignored += other.m_ignored;
}

int64_t SegConfusion::count(int label, int predicted) const
{
    if (label < 0 || label >= m_classes || predicted < 0 || predicted >= m_classes)
        throw std::out_of_range("SegConfusion::count: class outside 0.." + std::to_string(m_classes - 1));
    return m_counts[size_t(label) * size_t(m_classes) + size_t(predicted)];
}

int64_t SegConfusion::countedPixels() const
{
    int64_t total = 0;
    for (int64_t v : m_counts)
        total += v;
    return total;
}

SegScores SegConfusion::scores() const
{
    const size_t c = static_cast<size_t>(m_classes);
    SegScores s;
    s.perClass.resize(c);
    s.pixels = countedPixels();
    s.ignoredPixels = m_ignored;
    int64_t correct = 0;
    double iouSum = 0.0;
    for (size_t k = 0; k < c; ++k) {
        SegClassScore& cs = s.perClass[k];
        cs.classId = static_cast<int>(k);
        for (size_t j = 0; j < c; ++j) {
            cs.labelPixels += m_counts[k * c + j];
            cs.predictedPixels += m_counts[j * c + k];
        }
        cs.intersection = m_counts[k * c + k];
        cs.unionCount = cs.labelPixels + cs.predictedPixels - cs.intersection;
        correct += cs.intersection;
        cs.present = cs.unionCount > 0;
        cs.iou = cs.present ? double(cs.intersection) / double(cs.unionCount) : std::nan("");
        if (cs.present) {
            iouSum += cs.iou;
            ++s.classesCounted;
        }
    }
    s.meanIoU = s.classesCounted > 0 ? iouSum / s.classesCounted : std::nan("");
    s.pixelAccuracy = s.pixels > 0 ? double(correct) / double(s.pixels) : std::nan("");
    return s;
}

JsonValue SegConfusion::toJson() const
{
    JsonValue root = JsonValue::makeObject();
    root.add("kind", JsonValue::makeString("seg_confusion"));
    root.add("version", JsonValue::makeNumber(1));
    root.add("classes", JsonValue::makeNumber(m_classes));
    root.add("ignore", JsonValue::makeNumber(m_ignore));
    root.add("ignored", countJson(m_ignored));
    JsonValue rows = JsonValue::makeArray();
    const size_t c = static_cast<size_t>(m_classes);
    for (size_t k = 0; k < c; ++k) {
        JsonValue row = JsonValue::makeArray();
        for (size_t j = 0; j < c; ++j)
            row.items.push_back(countJson(m_counts[k * c + j]));
        rows.items.push_back(std::move(row));
    }
    root.add("counts", std::move(rows));
    return root;
}

SegConfusion SegConfusion::fromJson(const JsonValue& json)
{
    const JsonFields f{"seg confusion JSON", json};
    f.requireExactly({"kind", "version", "classes", "ignore", "ignored", "counts"});
    if (f.string("kind") != "seg_confusion")
        f.fail("kind", "expected \"seg_confusion\", found \"" + f.string("kind") + "\"");
    f.integer("version", 1, 1);
    const int classes = static_cast<int>(f.integer("classes", 1, 256));
    const int ignore = static_cast<int>(f.integer("ignore", 0, 255));
    if (ignore < classes)
        f.fail("ignore",
               "value " + std::to_string(ignore) + " is a class id (" + std::to_string(classes) + " classes)");
    SegConfusion out(classes, static_cast<uint8_t>(ignore));
    out.m_ignored = f.integer("ignored", 0, kMaxExactCount - 1);
    const JsonValue& rows = f.get("counts");
    const size_t c = static_cast<size_t>(classes);
    if (rows.kind != JsonValue::Kind::Array || rows.items.size() != c)
        f.fail("counts", "expected an array of " + std::to_string(c) + " rows");
    for (size_t k = 0; k < c; ++k) {
        const JsonValue& row = rows.items[k];
        if (row.kind != JsonValue::Kind::Array || row.items.size() != c)
            f.fail("counts", "row " + std::to_string(k) + " is not an array of " + std::to_string(c) + " counts");
        for (size_t j = 0; j < c; ++j) {
            if (!JsonFields::isInteger(row.items[j], 0, kMaxExactCount - 1))
                f.fail("counts", "row " + std::to_string(k) + " entry " + std::to_string(j)
                                     + " is not a non-negative integer below 2^53");
            out.m_counts[k * c + j] = static_cast<int64_t>(row.items[j].number);
        }
    }
    return out;
}

// ---- pixel agreement -----------------------------------------------------------------------------

PixelAgreementAccumulator::PixelAgreementAccumulator(int classes, uint8_t ignoreValue)
    : m_confusion(classes, ignoreValue)
{
}

void PixelAgreementAccumulator::add(const SegPrediction& reference, const SegPrediction& converted)
{
    checkPair(reference, converted, false);
    m_confusion.add(toLabelMap(reference), converted);
}

void PixelAgreementAccumulator::add(const SegPrediction& reference, const SegPrediction& converted,
                                    const LabelMap& labels)
{
    checkPair(reference, converted, false);
    checkLabelMap(labels, "labels");
    checkSameSize(labels.width, labels.height, "the label map", reference.width, reference.height, "the predictions");
    LabelMap masked = toLabelMap(reference);
    for (size_t i = 0; i < masked.ids.size(); ++i)
        if (labels.ids[i] == m_confusion.ignoreValue())
            masked.ids[i] = m_confusion.ignoreValue();
    m_confusion.add(masked, converted);
}

void PixelAgreementAccumulator::merge(const PixelAgreementAccumulator& other)
{
    m_confusion.merge(other.m_confusion);
}

PixelAgreement PixelAgreementAccumulator::result() const
{
    PixelAgreement out;
    out.convertedVsReference = m_confusion.scores();
    out.validPixels = out.convertedVsReference.pixels;
    for (const SegClassScore& cs : out.convertedVsReference.perClass)
        out.agreeingPixels += cs.intersection;
    out.agreement = out.convertedVsReference.pixelAccuracy;
    return out;
}

JsonValue PixelAgreementAccumulator::toJson() const
{
    JsonValue root = JsonValue::makeObject();
    root.add("kind", JsonValue::makeString("seg_pixel_agreement"));
    root.add("version", JsonValue::makeNumber(1));
    root.add("confusion", m_confusion.toJson());
    return root;
}

PixelAgreementAccumulator PixelAgreementAccumulator::fromJson(const JsonValue& json)
{
    const JsonFields f{"pixel agreement JSON", json};
    f.requireExactly({"kind", "version", "confusion"});
    if (f.string("kind") != "seg_pixel_agreement")
        f.fail("kind", "expected \"seg_pixel_agreement\", found \"" + f.string("kind") + "\"");
    f.integer("version", 1, 1);
    SegConfusion confusion = [&] {
        try {
            return SegConfusion::fromJson(f.get("confusion"));
        } catch (const FormatError& e) {
            f.fail("confusion", e.what());
        }
    }();
    PixelAgreementAccumulator out(confusion.classes(), confusion.ignoreValue());
    out.m_confusion = std::move(confusion);
    return out;
}

// ---- difference and error maps ---------------------------------------------------------------------

std::array<uint8_t, 3> diffRampColour(float l1)
{
    if (std::isnan(l1))
        return {255, 255, 255};
    const double t = std::clamp(double(l1) / 2.0, 0.0, 1.0);
    auto level = [](double v) { return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0))); };
    if (t <= 1.0 / 3.0)
        return {level(96.0 + (255.0 - 96.0) * 3.0 * t), 0, 0};
    if (t <= 2.0 / 3.0)
        return {255, level(255.0 * (3.0 * t - 1.0)), 0};
    return {255, 255, level(255.0 * (3.0 * t - 2.0))};
}

DiffMap differenceMap(const SegPrediction& a, const SegPrediction& b)
{
    checkPair(a, b, true);
    const size_t n = a.classMap.size(), classes = static_cast<size_t>(a.classes);
    DiffMap out;
    out.width = a.width;
    out.height = a.height;
    std::vector<double> l1(n, 0.0);
    for (size_t k = 0; k < classes; ++k) {
        const float* pa = a.probabilities.data() + k * n;
        const float* pb = b.probabilities.data() + k * n;
        for (size_t i = 0; i < n; ++i)
            l1[i] += std::fabs(double(pa[i]) - double(pb[i]));
    }
    out.l1.resize(n);
    out.rgb.assign(n * 3, 0);
    for (size_t i = 0; i < n; ++i) {
        out.l1[i] = static_cast<float>(l1[i]);
        out.maxL1 = std::max(out.maxL1, out.l1[i]);
        if (a.classMap[i] == b.classMap[i])
            continue;
        ++out.disagreeingPixels;
        const auto colour = diffRampColour(out.l1[i]);
        std::copy(colour.begin(), colour.end(), out.rgb.begin() + std::ptrdiff_t(3 * i));
    }
    return out;
}

const char* segErrorCategoryName(SegErrorCategory category)
{
    switch (category) {
    case SegErrorCategory::Ignore: return "ignore";
    case SegErrorCategory::BothRight: return "both right";
    case SegErrorCategory::OnlyReferenceWrong: return "only float wrong";
    case SegErrorCategory::OnlyConvertedWrong: return "only converted wrong";
    case SegErrorCategory::BothWrong: return "both wrong";
    }
    return "?";
}

std::array<uint8_t, 3> segErrorCategoryColour(SegErrorCategory category)
{
    switch (category) {
    case SegErrorCategory::Ignore: return {48, 48, 48};
    case SegErrorCategory::BothRight: return {0, 0, 0};
    case SegErrorCategory::OnlyReferenceWrong: return {0, 114, 178};
    case SegErrorCategory::OnlyConvertedWrong: return {213, 94, 0};
    case SegErrorCategory::BothWrong: return {170, 170, 170};
    }
    return {0, 0, 0};
}

SegErrorMap errorMap(const SegPrediction& reference, const SegPrediction& converted, const LabelMap& labels,
                     uint8_t ignoreValue)
{
    checkPair(reference, converted, false);
    checkLabelMap(labels, "labels");
    checkSameSize(labels.width, labels.height, "the label map", reference.width, reference.height, "the predictions");
    const size_t n = labels.ids.size();
    for (size_t i = 0; i < n; ++i)
        if (labels.ids[i] != ignoreValue && labels.ids[i] >= reference.classes)
            throw ShapeError("label pixel " + pixelName(i, labels.width) + " has class " + std::to_string(labels.ids[i])
                             + ", which is neither a class id (" + std::to_string(reference.classes)
                             + " classes) nor the ignore value " + std::to_string(ignoreValue));
    SegErrorMap out;
    out.width = labels.width;
    out.height = labels.height;
    out.categories.resize(n);
    out.rgb.resize(n * 3);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t label = labels.ids[i];
        SegErrorCategory cat = SegErrorCategory::Ignore;
        if (label != ignoreValue) {
            const bool refRight = reference.classMap[i] == label, convRight = converted.classMap[i] == label;
            cat = refRight ? (convRight ? SegErrorCategory::BothRight : SegErrorCategory::OnlyConvertedWrong)
                           : (convRight ? SegErrorCategory::OnlyReferenceWrong : SegErrorCategory::BothWrong);
        }
        out.categories[i] = cat;
        ++out.counts[static_cast<size_t>(cat)];
        const auto colour = segErrorCategoryColour(cat);
        std::copy(colour.begin(), colour.end(), out.rgb.begin() + std::ptrdiff_t(3 * i));
    }
    return out;
}

} // namespace lnscope::core
