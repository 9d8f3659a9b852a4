// Box geometry, KITTI difficulty levels and float-vs-converted box matching (det_metrics.h).
// The AP accumulator lives in det_metrics_ap.cpp.

#include "lnscope/core/det_metrics.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <tuple>

namespace lnscope::core {

namespace {

using Point = std::array<double, 2>;

/// (b − o) × (c − o): > 0 when c lies left of the directed line o → b.
double cross(const Point& o, const Point& b, const Point& c)
{
    return (b[0] - o[0]) * (c[1] - o[1]) - (b[1] - o[1]) * (c[0] - o[0]);
}

double signedArea(const std::vector<Point>& polygon)
{
    double twice = 0.0;
    for (size_t i = 0, n = polygon.size(); i < n; ++i) {
        const Point& p = polygon[i];
        const Point& q = polygon[(i + 1) % n];
        twice += p[0] * q[1] - q[0] * p[1];
    }
    return 0.5 * twice;
}

/// Sutherland–Hodgman: `subject` clipped by every edge of the convex, counter-clockwise `clip`.
/// A vertex is inside an edge when it is on it or to its left; a crossing is added only between
/// one inside and one outside vertex, so the interpolation never divides by zero.
std::vector<Point> clipConvex(std::vector<Point> subject, const std::vector<Point>& clip)
{
    std::vector<Point> input;
    for (size_t e = 0, m = clip.size(); e < m && !subject.empty(); ++e) {
        const Point& p = clip[e];
        const Point& q = clip[(e + 1) % m];
        input.swap(subject);
        subject.clear();
        for (size_t i = 0, n = input.size(); i < n; ++i) {
            const Point& prev = input[(i + n - 1) % n];
            const Point& cur = input[i];
            const double dPrev = cross(p, q, prev), dCur = cross(p, q, cur);
            const bool prevIn = dPrev >= 0, curIn = dCur >= 0;
            if (prevIn != curIn) {
                const double t = dPrev / (dPrev - dCur);
                subject.push_back({prev[0] + t * (cur[0] - prev[0]), prev[1] + t * (cur[1] - prev[1])});
            }
            if (curIn)
                subject.push_back(cur);
        }
    }
    return subject;
}

bool hasFootprint(const KittiObject& o)
{
    return o.l > 0 && o.w > 0 && std::isfinite(o.l) && std::isfinite(o.w) && std::isfinite(o.x) && std::isfinite(o.z)
           && std::isfinite(o.rotationY);
}

std::vector<Point> counterClockwiseFootprint(const KittiObject& o)
{
    const auto corners = bevFootprint(o);
    std::vector<Point> polygon(corners.begin(), corners.end());
    if (signedArea(polygon) < 0)
        std::reverse(polygon.begin(), polygon.end());
    return polygon;
}

bool sameType(const std::string& a, const std::string& b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

} // namespace

// ---- geometry ------------------------------------------------------------------------------------

std::array<std::array<double, 2>, 4> bevFootprint(const KittiObject& o)
{
    // The ground face of boxCorners(): object-frame (±l/2, ±w/2) rotated by R = [c s; −s c].
    const double l = o.l, w = o.w;
    const double xs[4] = {l / 2, l / 2, -l / 2, -l / 2};
    const double zs[4] = {w / 2, -w / 2, -w / 2, w / 2};
    const double c = std::cos(double(o.rotationY)), s = std::sin(double(o.rotationY));
    std::array<std::array<double, 2>, 4> out{};
    for (int i = 0; i < 4; ++i)
        out[i] = {c * xs[i] + s * zs[i] + o.x, -s * xs[i] + c * zs[i] + o.z};
    return out;
}

double bevOverlapArea(const KittiObject& a, const KittiObject& b)
{
    if (!hasFootprint(a) || !hasFootprint(b))
        return 0.0;
    const std::vector<Point> clipped = clipConvex(counterClockwiseFootprint(a), counterClockwiseFootprint(b));
    if (clipped.size() < 3)
        return 0.0;
    // Bounded by the smaller footprint: rounding in the clipping cannot push IoU above 1.
    const double bound = std::min(double(a.l) * a.w, double(b.l) * b.w);
    return std::clamp(std::fabs(signedArea(clipped)), 0.0, bound);
}

double bevIoU(const KittiObject& a, const KittiObject& b)
{
    const double overlap = bevOverlapArea(a, b);
    if (overlap <= 0.0)
        return 0.0;
    const double unionArea = double(a.l) * a.w + double(b.l) * b.w - overlap;
    return unionArea > 0.0 ? overlap / unionArea : 0.0;
}

double iou3d(const KittiObject& a, const KittiObject& b)
{
    if (!(a.h > 0 && b.h > 0 && std::isfinite(a.h) && std::isfinite(b.h) && std::isfinite(a.y) && std::isfinite(b.y)))
        return 0.0;
    // y points down: the box spans [y − h, y].
    const double top = std::max(double(a.y) - a.h, double(b.y) - b.h);
    const double bottom = std::min(double(a.y), double(b.y));
    const double heightOverlap = std::max(0.0, bottom - top);
    const double overlap = bevOverlapArea(a, b) * heightOverlap;
    if (overlap <= 0.0)
        return 0.0;
    const double volumeA = double(a.l) * a.w * a.h, volumeB = double(b.l) * b.w * b.h;
    const double unionVolume = volumeA + volumeB - overlap;
    return unionVolume > 0.0 ? overlap / unionVolume : 0.0;
}

double bboxIoU(const KittiObject& a, const KittiObject& b)
{
    const double iw = std::min(double(a.bbox[2]), double(b.bbox[2])) - std::max(double(a.bbox[0]), double(b.bbox[0]));
    const double ih = std::min(double(a.bbox[3]), double(b.bbox[3])) - std::max(double(a.bbox[1]), double(b.bbox[1]));
    if (!(iw > 0 && ih > 0))
        return 0.0;
    const double inter = iw * ih;
    const double areaA = (double(a.bbox[2]) - a.bbox[0]) * (double(a.bbox[3]) - a.bbox[1]);
    const double areaB = (double(b.bbox[2]) - b.bbox[0]) * (double(b.bbox[3]) - b.bbox[1]);
    const double unionArea = areaA + areaB - inter;
    return unionArea > 0.0 ? inter / unionArea : 0.0;
}

double wrapAngle(double radians)
{
    return std::remainder(radians, 2.0 * std::numbers::pi);
}

// ---- difficulty --------------------------------------------------------------------------------

DifficultyLimits difficultyLimits(KittiDifficulty difficulty)
{
    switch (difficulty) {
    case KittiDifficulty::Easy: return {40.0, 0, 0.15};
    case KittiDifficulty::Moderate: return {25.0, 1, 0.30};
    case KittiDifficulty::Hard: return {25.0, 2, 0.50};
    }
    return {};
}

const char* difficultyName(KittiDifficulty difficulty)
{
    switch (difficulty) {
    case KittiDifficulty::Easy: return "easy";
    case KittiDifficulty::Moderate: return "moderate";
    case KittiDifficulty::Hard: return "hard";
    }
    return "?";
}

bool meetsDifficulty(const KittiObject& gt, KittiDifficulty difficulty)
{
    const DifficultyLimits limits = difficultyLimits(difficulty);
    const double height = double(gt.bbox[3]) - gt.bbox[1];
    // Truncation is stored as float: compare in float, so a label's "0.30" (0.3f > 0.3) is Moderate.
    return height >= limits.minHeight && gt.occluded <= limits.maxOcclusion
           && gt.truncated <= static_cast<float>(limits.maxTruncation);
}

const char* detMetricName(DetMetric metric)
{
    switch (metric) {
    case DetMetric::Bbox2d: return "2d";
    case DetMetric::Bev: return "bev";
    case DetMetric::Box3d: return "3d";
    }
    return "?";
}

// ---- float vs converted ----------------------------------------------------------------------------

BoxMatching matchBoxes(const std::vector<KittiObject>& a, const std::vector<KittiObject>& b, double minBevIoU)
{
    struct Candidate
    {
        double iou;
        int ia, ib;
    };
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < a.size(); ++i) {
        if (sameType(a[i].type, "DontCare"))
            continue;
        for (size_t j = 0; j < b.size(); ++j) {
            if (!sameType(a[i].type, b[j].type))
                continue;
            const double iou = bevIoU(a[i], b[j]);
            if (iou > minBevIoU)
                candidates.push_back({iou, int(i), int(j)});
        }
    }
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) {
        return std::tie(y.iou, x.ia, x.ib) < std::tie(x.iou, y.ia, y.ib); // IoU descending, then indices
    });

    BoxMatching out;
    std::vector<bool> usedA(a.size(), false), usedB(b.size(), false);
    for (const Candidate& c : candidates) {
        if (usedA[size_t(c.ia)] || usedB[size_t(c.ib)])
            continue;
        usedA[size_t(c.ia)] = usedB[size_t(c.ib)] = true;
        const KittiObject& p = a[size_t(c.ia)];
        const KittiObject& q = b[size_t(c.ib)];
        BoxPair pair;
        pair.indexA = c.ia;
        pair.indexB = c.ib;
        pair.bevIoU = c.iou;
        pair.dx = double(q.x) - p.x;
        pair.dy = double(q.y) - p.y;
        pair.dz = double(q.z) - p.z;
        pair.centreDistance = std::sqrt(pair.dx * pair.dx + pair.dy * pair.dy + pair.dz * pair.dz);
        pair.dh = double(q.h) - p.h;
        pair.dw = double(q.w) - p.w;
        pair.dl = double(q.l) - p.l;
        pair.dHeading = wrapAngle(double(q.rotationY) - p.rotationY);
        pair.dScore = p.score && q.score ? double(*q.score) - double(*p.score) : std::nan("");
        out.pairs.push_back(pair);
    }
    for (size_t i = 0; i < a.size(); ++i)
        if (!usedA[i] && !sameType(a[i].type, "DontCare"))
            out.onlyA.push_back(int(i));
    for (size_t j = 0; j < b.size(); ++j)
        if (!usedB[j] && !sameType(b[j].type, "DontCare"))
            out.onlyB.push_back(int(j));
    return out;
}

} // namespace lnscope::core
