// KITTI average precision: per-frame matching, the additive DetAccumulator and its JSON form
// (det_metrics.h). Geometry is in det_metrics.cpp.

#include "lnscope/core/det_metrics.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <string>

namespace lnscope::core {

namespace {

constexpr double kMaxExactCount = 9007199254740992.0; // 2^53
constexpr int kTables = 2;

bool sameType(const std::string& a, const std::string& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

enum class GtRole { None, Valid, Ignored };

double overlap(DetMetric metric, const KittiObject& det, const KittiObject& gt)
{
    switch (metric) {
    case DetMetric::Bbox2d: return bboxIoU(det, gt);
    case DetMetric::Bev: return bevIoU(det, gt);
    case DetMetric::Box3d: return iou3d(det, gt);
    }
    return 0.0;
}

/// Share of the detection's image box inside `region` (the devkit's criterion 0 for DontCare).
double shareInside(const KittiObject& det, const KittiObject& region)
{
    const double iw =
        std::min(double(det.bbox[2]), double(region.bbox[2])) - std::max(double(det.bbox[0]), double(region.bbox[0]));
    const double ih =
        std::min(double(det.bbox[3]), double(region.bbox[3])) - std::max(double(det.bbox[1]), double(region.bbox[1]));
    const double area = (double(det.bbox[2]) - det.bbox[0]) * (double(det.bbox[3]) - det.bbox[1]);
    return iw > 0 && ih > 0 && area > 0 ? iw * ih / area : 0.0;
}

double boxHeight(const KittiObject& o)
{
    return double(o.bbox[3]) - o.bbox[1];
}

/// One frame, one cell: the greedy matching documented at DetAccumulator.
/// `iou` is detections × ground truth (row-major); `order` lists the detections to use, by score.
void matchFrame(const std::vector<double>& iou, const std::vector<GtRole>& roles, const std::vector<size_t>& order,
                const std::vector<double>& dontCareShare, const std::vector<KittiObject>& dets, double threshold,
                std::vector<ScoredDetection>& out)
{
    const size_t ng = roles.size();
    std::vector<bool> taken(ng, false);
    for (size_t d : order) {
        const double* row = iou.data() + d * ng;
        size_t bestValid = ng, bestIgnored = ng;
        for (size_t g = 0; g < ng; ++g) {
            if (taken[g] || !(row[g] > threshold))
                continue;
            if (roles[g] == GtRole::Valid && (bestValid == ng || row[g] > row[bestValid]))
                bestValid = g;
            else if (roles[g] == GtRole::Ignored && (bestIgnored == ng || row[g] > row[bestIgnored]))
                bestIgnored = g;
        }
        const float score = *dets[d].score;
        if (bestValid < ng) {
            taken[bestValid] = true;
            out.push_back({score, true});
        } else if (bestIgnored < ng) {
            taken[bestIgnored] = true;
        } else if (!(dontCareShare[d] > threshold)) {
            out.push_back({score, false});
        }
    }
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
        for (const auto& member : object.members)
            if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return member.first == k; }))
                fail(member.first, "unknown member");
        for (const char* key : keys)
            if (!object.find(key))
                fail(key, "missing");
    }
    const JsonValue& get(const char* key) const { return *object.find(key); }
    const JsonValue& array(const char* key) const
    {
        const JsonValue& v = get(key);
        if (v.kind != JsonValue::Kind::Array)
            fail(key, std::string("expected an array, found ") + jsonKindName(v.kind));
        return v;
    }
    std::string string(const char* key) const
    {
        const JsonValue& v = get(key);
        if (v.kind != JsonValue::Kind::String)
            fail(key, std::string("expected a string, found ") + jsonKindName(v.kind));
        return v.text;
    }
    int64_t integer(const char* key, double lo, double hi) const
    {
        const JsonValue& v = get(key);
        if (v.kind != JsonValue::Kind::Number || v.number != std::floor(v.number) || v.number < lo || v.number > hi)
            fail(key, "expected an integer in " + std::to_string(int64_t(lo)) + ".." + std::to_string(int64_t(hi))
                          + ", found " + (v.kind == JsonValue::Kind::Number ? v.text : jsonKindName(v.kind)));
        return static_cast<int64_t>(v.number);
    }
};

void checkClasses(const std::vector<DetClassSpec>& classes, const std::string& context)
{
    for (size_t i = 0; i < classes.size(); ++i) {
        const DetClassSpec& c = classes[i];
        const std::string where = context + ": class " + std::to_string(i) + " (\"" + c.name + "\"): ";
        if (c.name.empty())
            throw FormatError(where + "empty name");
        for (size_t j = 0; j < i; ++j)
            if (sameType(classes[j].name, c.name))
                throw FormatError(where + "repeats class " + std::to_string(j));
        for (double t : c.thresholds)
            if (!(t >= 0.0 && t <= 1.0))
                throw FormatError(where + "IoU threshold " + std::to_string(t) + " outside [0, 1]");
    }
}

} // namespace

// ---- AP ----------------------------------------------------------------------------------------------

ApValues averagePrecision(std::vector<ScoredDetection> dets, int64_t groundTruth)
{
    if (groundTruth <= 0)
        return {std::nan(""), std::nan("")};
    auto key = [](float s) { return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s; };
    std::stable_sort(dets.begin(), dets.end(),
                     [&](const ScoredDetection& a, const ScoredDetection& b) { return key(a.score) > key(b.score); });
    // One PR point after each group of equal scores.
    std::vector<int64_t> tps;
    std::vector<double> precision;
    int64_t tp = 0;
    for (size_t i = 0; i < dets.size(); ++i) {
        tp += dets[i].truePositive ? 1 : 0;
        if (i + 1 == dets.size() || key(dets[i + 1].score) != key(dets[i].score)) {
            tps.push_back(tp);
            precision.push_back(double(tp) / double(i + 1));
        }
    }
    for (size_t k = precision.size(); k-- > 1;)
        precision[k - 1] = std::max(precision[k - 1], precision[k]); // suffix maximum
    // Interpolated precision at recall num/den: the first point with TP/GT ≥ num/den (TP is
    // non-decreasing along the curve), compared as TP·den ≥ num·GT to stay exact.
    auto interpolated = [&](int64_t num, int64_t den) {
        const auto it = std::lower_bound(tps.begin(), tps.end(), num,
                                         [&](int64_t t, int64_t n) { return t * den < n * groundTruth; });
        return it == tps.end() ? 0.0 : precision[size_t(it - tps.begin())];
    };
    ApValues out;
    for (int64_t i = 1; i <= 40; ++i)
        out.r40 += interpolated(i, 40);
    out.r40 /= 40.0;
    for (int64_t i = 0; i <= 10; ++i)
        out.r11 += interpolated(i, 10);
    out.r11 /= 11.0;
    return out;
}

std::vector<DetClassSpec> kittiDetClasses()
{
    return {{"Car", "Van", {0.7, 0.5}}, {"Pedestrian", "Person_sitting", {0.5, 0.25}}, {"Cyclist", "", {0.5, 0.25}}};
}

// ---- accumulator ----------------------------------------------------------------------------------

DetAccumulator::DetAccumulator(std::vector<DetClassSpec> classes) : m_classes(std::move(classes))
{
    checkClasses(m_classes, "det classes");
    m_cells.resize(m_classes.size() * kKittiDifficultyCount * kDetMetricCount * kTables);
}

size_t DetAccumulator::cellIndex(size_t cls, int difficulty, int metric, int table) const
{
    return ((cls * kKittiDifficultyCount + size_t(difficulty)) * kDetMetricCount + size_t(metric)) * kTables
           + size_t(table);
}

void DetAccumulator::add(const std::vector<KittiObject>& groundTruth, const std::vector<KittiObject>& detections)
{
    for (size_t i = 0; i < detections.size(); ++i) {
        const KittiObject& d = detections[i];
        if (!d.score)
            throw FormatError("detection " + std::to_string(i) + " (" + d.type + "): no score");
        if (!std::isfinite(*d.score))
            throw FormatError("detection " + std::to_string(i) + " (" + d.type + "): score is not finite");
    }
    for (size_t cls = 0; cls < m_classes.size(); ++cls)
        addClass(cls, groundTruth, detections);
    ++m_frames;
}

void DetAccumulator::addClass(size_t cls, const std::vector<KittiObject>& groundTruth,
                              const std::vector<KittiObject>& detections)
{
    const DetClassSpec& spec = m_classes[cls];
    // Ground truth taking part: the class and its neighbour. Indices into groundTruth.
    std::vector<size_t> gtIndex;
    std::vector<bool> isNeighbour;
    std::vector<const KittiObject*> dontCare;
    for (size_t g = 0; g < groundTruth.size(); ++g) {
        const std::string& type = groundTruth[g].type;
        const bool own = sameType(type, spec.name);
        const bool neighbour = !own && !spec.neighbour.empty() && sameType(type, spec.neighbour);
        if (own || neighbour) {
            gtIndex.push_back(g);
            isNeighbour.push_back(neighbour);
        } else if (sameType(type, "DontCare")) {
            dontCare.push_back(&groundTruth[g]);
        }
    }
    std::vector<size_t> dets; // detections of the class by descending score, ties in input order
    for (size_t d = 0; d < detections.size(); ++d)
        if (sameType(detections[d].type, spec.name))
            dets.push_back(d);
    std::stable_sort(dets.begin(), dets.end(),
                     [&](size_t a, size_t b) { return *detections[a].score > *detections[b].score; });

    const size_t ng = gtIndex.size();
    std::vector<double> dontCareShare(detections.size(), 0.0);
    for (size_t d : dets)
        for (const KittiObject* region : dontCare)
            dontCareShare[d] = std::max(dontCareShare[d], shareInside(detections[d], *region));
    const std::vector<double> noDontCare(detections.size(), 0.0);

    for (int metric = 0; metric < kDetMetricCount; ++metric) {
        std::vector<double> iou(detections.size() * ng, 0.0);
        for (size_t d : dets)
            for (size_t g = 0; g < ng; ++g)
                iou[d * ng + g] = overlap(DetMetric(metric), detections[d], groundTruth[gtIndex[g]]);
        // As in the devkit, DontCare regions only count for the image-box metric (see the header).
        const std::vector<double>& share = DetMetric(metric) == DetMetric::Bbox2d ? dontCareShare : noDontCare;
        for (int difficulty = 0; difficulty < kKittiDifficultyCount; ++difficulty) {
            const KittiDifficulty level = KittiDifficulty(difficulty);
            std::vector<GtRole> roles(ng);
            int64_t valid = 0;
            for (size_t g = 0; g < ng; ++g) {
                const bool counted = !isNeighbour[g] && meetsDifficulty(groundTruth[gtIndex[g]], level);
                roles[g] = counted ? GtRole::Valid : GtRole::Ignored;
                valid += counted ? 1 : 0;
            }
            std::vector<size_t> order;
            const double minHeight = difficultyLimits(level).minHeight;
            for (size_t d : dets)
                if (boxHeight(detections[d]) >= minHeight)
                    order.push_back(d);
            for (int table = 0; table < kTables; ++table) {
                Cell& cell = m_cells[cellIndex(cls, difficulty, metric, table)];
                cell.groundTruth += valid;
                matchFrame(iou, roles, order, share, detections, spec.thresholds[size_t(table)], cell.detections);
            }
        }
    }
}

void DetAccumulator::merge(const DetAccumulator& other)
{
    if (other.m_classes != m_classes)
        throw ShapeError("cannot merge detection accumulators with different class specs (names, neighbours or "
                         "thresholds)");
    for (size_t i = 0; i < m_cells.size(); ++i) {
        m_cells[i].groundTruth += other.m_cells[i].groundTruth;
        m_cells[i].detections.insert(m_cells[i].detections.end(), other.m_cells[i].detections.begin(),
                                     other.m_cells[i].detections.end());
    }
    m_frames += other.m_frames;
}

std::vector<DetApResult> DetAccumulator::results() const
{
    std::vector<DetApResult> out;
    for (size_t cls = 0; cls < m_classes.size(); ++cls)
        for (int difficulty = 0; difficulty < kKittiDifficultyCount; ++difficulty)
            for (int metric = 0; metric < kDetMetricCount; ++metric)
                for (int table = 0; table < kTables; ++table) {
                    const Cell& cell = m_cells[cellIndex(cls, difficulty, metric, table)];
                    DetApResult r;
                    r.className = m_classes[cls].name;
                    r.difficulty = KittiDifficulty(difficulty);
                    r.metric = DetMetric(metric);
                    r.table = table;
                    r.iouThreshold = m_classes[cls].thresholds[size_t(table)];
                    r.groundTruth = cell.groundTruth;
                    r.detections = int64_t(cell.detections.size());
                    r.truePositives = std::count_if(cell.detections.begin(), cell.detections.end(),
                                                    [](const ScoredDetection& s) { return s.truePositive; });
                    const ApValues ap = averagePrecision(cell.detections, cell.groundTruth);
                    r.apR40 = ap.r40;
                    r.apR11 = ap.r11;
                    out.push_back(std::move(r));
                }
    return out;
}

// ---- JSON ------------------------------------------------------------------------------------------

JsonValue DetAccumulator::toJson() const
{
    JsonValue root = JsonValue::makeObject();
    root.add("kind", JsonValue::makeString("kitti_det_ap"));
    root.add("version", JsonValue::makeNumber(1));
    root.add("frames", JsonValue::makeNumber(double(m_frames)));
    JsonValue classes = JsonValue::makeArray();
    for (const DetClassSpec& spec : m_classes) {
        JsonValue c = JsonValue::makeObject();
        c.add("name", JsonValue::makeString(spec.name));
        c.add("neighbour", JsonValue::makeString(spec.neighbour));
        c.add("thresholds", JsonValue::makeArray({JsonValue::makeNumber(spec.thresholds[0]),
                                                  JsonValue::makeNumber(spec.thresholds[1])}));
        classes.items.push_back(std::move(c));
    }
    root.add("classes", std::move(classes));
    JsonValue cells = JsonValue::makeArray();
    for (size_t cls = 0; cls < m_classes.size(); ++cls)
        for (int difficulty = 0; difficulty < kKittiDifficultyCount; ++difficulty)
            for (int metric = 0; metric < kDetMetricCount; ++metric)
                for (int table = 0; table < kTables; ++table) {
                    const Cell& cell = m_cells[cellIndex(cls, difficulty, metric, table)];
                    JsonValue c = JsonValue::makeObject();
                    c.add("class", JsonValue::makeString(m_classes[cls].name));
                    c.add("difficulty", JsonValue::makeString(difficultyName(KittiDifficulty(difficulty))));
                    c.add("metric", JsonValue::makeString(detMetricName(DetMetric(metric))));
                    c.add("table", JsonValue::makeNumber(table));
                    c.add("groundTruth", JsonValue::makeNumber(double(cell.groundTruth)));
                    JsonValue scores = JsonValue::makeArray(), tp = JsonValue::makeArray();
                    for (const ScoredDetection& s : cell.detections) {
                        scores.items.push_back(JsonValue::makeNumber(double(s.score)));
                        tp.items.push_back(JsonValue::makeBool(s.truePositive));
                    }
                    c.add("scores", std::move(scores));
                    c.add("truePositive", std::move(tp));
                    cells.items.push_back(std::move(c));
                }
    root.add("cells", std::move(cells));
    return root;
}

namespace {

DetClassSpec classFromJson(const JsonValue& json, size_t index)
{
    const JsonFields f{"det AP JSON: classes[" + std::to_string(index) + "]", json};
    f.requireExactly({"name", "neighbour", "thresholds"});
    DetClassSpec spec{f.string("name"), f.string("neighbour"), {}};
    const JsonValue& t = f.array("thresholds");
    if (t.items.size() != 2 || t.items[0].kind != JsonValue::Kind::Number || t.items[1].kind != JsonValue::Kind::Number)
        f.fail("thresholds", "expected 2 numbers");
    spec.thresholds = {t.items[0].number, t.items[1].number};
    return spec;
}

} // namespace

DetAccumulator DetAccumulator::fromJson(const JsonValue& json)
{
    const JsonFields f{"det AP JSON", json};
    f.requireExactly({"kind", "version", "frames", "classes", "cells"});
    if (f.string("kind") != "kitti_det_ap")
        f.fail("kind", "expected \"kitti_det_ap\", found \"" + f.string("kind") + "\"");
    f.integer("version", 1, 1);
    std::vector<DetClassSpec> classes;
    const JsonValue& classArray = f.array("classes");
    for (size_t i = 0; i < classArray.items.size(); ++i)
        classes.push_back(classFromJson(classArray.items[i], i));
    checkClasses(classes, "det AP JSON: classes");
    DetAccumulator out(std::move(classes));
    out.m_frames = f.integer("frames", 0, kMaxExactCount - 1);

    const JsonValue& cells = f.array("cells");
    if (cells.items.size() != out.m_cells.size())
        f.fail("cells", "expected " + std::to_string(out.m_cells.size())
                            + " cells (classes x 3 difficulties x 3 "
                              "metrics x 2 tables), found "
                            + std::to_string(cells.items.size()));
    size_t next = 0;
    for (size_t cls = 0; cls < out.m_classes.size(); ++cls)
        for (int difficulty = 0; difficulty < kKittiDifficultyCount; ++difficulty)
            for (int metric = 0; metric < kDetMetricCount; ++metric)
                for (int table = 0; table < kTables; ++table, ++next) {
                    const JsonFields c{"det AP JSON: cells[" + std::to_string(next) + "]", cells.items[next]};
                    c.requireExactly(
                        {"class", "difficulty", "metric", "table", "groundTruth", "scores", "truePositive"});
                    const std::string expected = out.m_classes[cls].name + " "
                                                 + difficultyName(KittiDifficulty(difficulty)) + " "
                                                 + detMetricName(DetMetric(metric)) + " " + std::to_string(table);
                    const std::string found = c.string("class") + " " + c.string("difficulty") + " "
                                              + c.string("metric") + " " + std::to_string(c.integer("table", 0, 1));
                    if (found != expected)
                        c.fail("class/difficulty/metric/table",
                               "expected \"" + expected + "\", found \"" + found + "\"");
                    Cell& cell = out.m_cells[out.cellIndex(cls, difficulty, metric, table)];
                    cell.groundTruth = c.integer("groundTruth", 0, kMaxExactCount - 1);
                    const JsonValue& scores = c.array("scores");
                    const JsonValue& tp = c.array("truePositive");
                    if (tp.items.size() != scores.items.size())
                        c.fail("truePositive", std::to_string(tp.items.size()) + " entries for "
                                                   + std::to_string(scores.items.size()) + " scores");
                    for (size_t i = 0; i < scores.items.size(); ++i) {
                        const JsonValue& s = scores.items[i];
                        if (s.kind != JsonValue::Kind::Number)
                            c.fail("scores", "entry " + std::to_string(i) + " is not a number");
                        if (tp.items[i].kind != JsonValue::Kind::Bool)
                            c.fail("truePositive", "entry " + std::to_string(i) + " is not a boolean");
                        const float score = static_cast<float>(s.number);
                        if (!std::isfinite(score))
                            c.fail("scores", "entry " + std::to_string(i) + " (" + s.text + ") is outside float32");
                        cell.detections.push_back({score, tp.items[i].boolean});
                    }
                }
    return out;
}

} // namespace lnscope::core
