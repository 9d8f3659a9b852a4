// The scene of BoxView3D: box, grid and ego geometry, and the VTK actors drawn from it.
// See box_view_3d.h for what is drawn and box_view_3d_scene.h for the frame.

#include "box_view_3d_scene.h"

#include "bev_style.h"

#include "lnscope/core/kitti_io.h"

#include <vtkActor.h>
#include <vtkCellArray.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

namespace lnscope::widgets::box3d {

namespace {

constexpr double kKittiCameraHeight = 1.65;
constexpr double kGridStep = 5.0;       // metres between grid lines
constexpr double kGridHalfWidth = 20.0; // metres left and right of the ego car
constexpr double kGridBehind = 10.0;    // metres behind the ego car
constexpr double kGridDrop = 0.02;      // metres
constexpr double kDash = 0.35, kDashGap = 0.25;
constexpr double kDiamondRadius = 0.3, kDiamondLift = 0.7;
// Line widths in pixels: ground truth thin, detections thicker, boxes found by one network only
// thicker still (as BevView's setWidth(), scaled for a busier 3-D scene).
constexpr float kGtWidth = 1.5f, kBoxWidth = 2.5f, kOnlyOneWidth = 4.5f, kLinkWidth = 2.0f;
constexpr float kPointSize = 3.f;

bool isDontCare(const std::string& type)
{
    return QString::fromStdString(type).compare(QStringLiteral("DontCare"), Qt::CaseInsensitive) == 0;
}

double dot(const Point3& a, const Point3& b)
{
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

Point3 lerp(const Point3& a, const Point3& b, double t)
{
    return {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

void setColour(vtkProperty* property, const QColor& colour)
{
    property->SetColor(colour.redF(), colour.greenF(), colour.blueF());
    // Flat colour: lines and markers are annotations; shading would make them harder to read.
    property->LightingOff();
}

vtkSmartPointer<vtkActor> actorFor(vtkPolyData* poly)
{
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(poly);
    mapper->ScalarVisibilityOff();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    return actor;
}

void addLines(vtkRenderer* renderer, const std::vector<Segment>& segments, const QColor& colour, float width)
{
    if (segments.empty())
        return;
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> lines;
    for (const Segment& s : segments) {
        const vtkIdType ids[2] = {points->InsertNextPoint(s.a.data()), points->InsertNextPoint(s.b.data())};
        lines->InsertNextCell(2, ids);
    }
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(points);
    poly->SetLines(lines);
    auto actor = actorFor(poly);
    setColour(actor->GetProperty(), colour);
    actor->GetProperty()->SetLineWidth(width);
    renderer->AddActor(actor);
}

/// Filled octahedra (a diamond from every side) above the given boxes.
void addDiamonds(vtkRenderer* renderer, const std::vector<const core::KittiObject*>& boxes, const QColor& colour)
{
    if (boxes.empty())
        return;
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> faces;
    for (const core::KittiObject* o : boxes) {
        const double cx = o->x, cy = o->y - o->h - kDiamondLift - kDiamondRadius * 1.4, cz = o->z;
        const double r = kDiamondRadius, tall = kDiamondRadius * 1.4;
        const double corners[6][3] = {{cx + r, cy, cz}, {cx, cy, cz + r},    {cx - r, cy, cz},
                                      {cx, cy, cz - r}, {cx, cy - tall, cz}, {cx, cy + tall, cz}};
        vtkIdType ids[6];
        for (int i = 0; i < 6; ++i)
            ids[i] = points->InsertNextPoint(corners[i]);
        for (int i = 0; i < 4; ++i) {
            const vtkIdType top[3] = {ids[i], ids[(i + 1) % 4], ids[4]};
            const vtkIdType bottom[3] = {ids[(i + 1) % 4], ids[i], ids[5]};
            faces->InsertNextCell(3, top);
            faces->InsertNextCell(3, bottom);
        }
    }
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(points);
    poly->SetPolys(faces);
    auto actor = actorFor(poly);
    setColour(actor->GetProperty(), colour);
    renderer->AddActor(actor);
}

void addPoints(vtkRenderer* renderer, const std::vector<ScenePoint>& scenePoints)
{
    if (scenePoints.empty())
        return;
    const auto n = vtkIdType(scenePoints.size());
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(n);
    vtkNew<vtkUnsignedCharArray> colours;
    colours->SetNumberOfComponents(3);
    colours->SetNumberOfTuples(n);
    vtkNew<vtkCellArray> vertices;
    vertices->AllocateExact(n, n);
    for (vtkIdType i = 0; i < n; ++i) {
        const ScenePoint& p = scenePoints[size_t(i)];
        points->SetPoint(i, p.x, p.y, p.z);
        unsigned char* rgb = colours->GetPointer(i * 3);
        rgb[0] = p.r;
        rgb[1] = p.g;
        rgb[2] = p.b;
        vertices->InsertNextCell(1, &i);
    }
    vtkNew<vtkPolyData> poly;
    poly->SetPoints(points);
    poly->SetVerts(vertices);
    poly->GetPointData()->SetScalars(colours);
    vtkNew<vtkPolyDataMapper> mapper;
    mapper->SetInputData(poly);
    mapper->ScalarVisibilityOn();
    mapper->SetColorModeToDirectScalars();
    auto actor = vtkSmartPointer<vtkActor>::New();
    actor->SetMapper(mapper);
    actor->GetProperty()->SetPointSize(kPointSize);
    actor->GetProperty()->LightingOff();
    renderer->AddActor(actor);
}

/// The farthest forward extent the grid must cover: 50 m, or past the farthest drawn box.
double gridFar(const BevData& boxes)
{
    double far = 50.0;
    for (const auto* set : {&boxes.groundTruth, &boxes.floatBoxes, &boxes.convertedBoxes})
        for (const core::KittiObject& o : *set)
            if (drawable(o))
                far = std::max(far, std::ceil((double(o.z) + o.l + 5.0) / 10.0) * 10.0);
    return std::min(far, 150.0);
}

SceneInfo addGrid(vtkRenderer* renderer, const BevData& boxes)
{
    SceneInfo info;
    info.groundY = groundHeight(boxes);
    // A hair below the ground, so that box bottoms and road points on it are not hidden by the grid.
    const double y = info.groundY + kGridDrop, far = gridFar(boxes);
    std::vector<Segment> minor, major;
    for (double x = -kGridHalfWidth; x <= kGridHalfWidth + 1e-9; x += kGridStep) {
        const bool isMajor = std::fmod(std::abs(x) + 1e-9, 2 * kGridStep) < 1e-6;
        (isMajor ? major : minor).push_back({{x, y, -kGridBehind}, {x, y, far}});
    }
    for (double z = -kGridBehind; z <= far + 1e-9; z += kGridStep) {
        const bool isMajor = std::fmod(std::abs(z) + 1e-9, 2 * kGridStep) < 1e-6;
        (isMajor ? major : minor).push_back({{-kGridHalfWidth, y, z}, {kGridHalfWidth, y, z}});
        if (isMajor && z > 0)
            info.gridLabels.push_back({{-kGridHalfWidth, y, z}, QStringLiteral("%1 m").arg(z, 0, 'f', 0)});
    }
    addLines(renderer, minor, Style::gridMinor(), 1.f);
    addLines(renderer, major, Style::gridMajor(), 1.f);
    return info;
}

void addEgo(vtkRenderer* renderer, const BoxFrameData& data, double groundY)
{
    // The camera's frustum, 1.5 m deep, from the calibration's field of view (KITTI's without one).
    double halfX = 0.86, halfY = 0.26;
    if (data.calib && data.calib->P2[0] > 0 && data.calib->P2[5] > 0) {
        const auto& p2 = data.calib->P2;
        const double width = data.image.isNull() ? 2 * p2[2] + 1 : data.image.width();
        const double height = data.image.isNull() ? 2 * p2[6] + 1 : data.image.height();
        halfX = 0.5 * width / p2[0];
        halfY = 0.5 * height / p2[5];
    }
    constexpr double kDepth = 1.5;
    const Point3 o{0, 0, 0};
    const Point3 c[4] = {{-halfX * kDepth, -halfY * kDepth, kDepth},
                         {halfX * kDepth, -halfY * kDepth, kDepth},
                         {halfX * kDepth, halfY * kDepth, kDepth},
                         {-halfX * kDepth, halfY * kDepth, kDepth}};
    std::vector<Segment> lines;
    for (int i = 0; i < 4; ++i) {
        lines.push_back({o, c[i]});
        lines.push_back({c[i], c[(i + 1) % 4]});
    }
    // The ego car's footprint on the ground under the camera (3.9 × 1.6 m, facing +z) with its
    // heading line: a full wireframe would stand in front of everything from the default camera.
    core::KittiObject car;
    car.type = "Car";
    car.l = 3.9f;
    car.w = 1.6f;
    car.h = 1.0f;
    car.x = 0.f;
    car.y = float(groundY);
    car.z = -0.9f;
    car.rotationY = -float(std::numbers::pi / 2);
    const auto carLines = boxSegments(car);
    lines.insert(lines.end(), carLines.begin(), carLines.begin() + 4); // the ground face
    lines.push_back(carLines.back());                                  // the heading line
    addLines(renderer, lines, Style::ego(), 1.5f);
}

void addBoxSet(vtkRenderer* renderer, const std::vector<core::KittiObject>& boxes, const std::vector<int>& onlyOne,
               const QColor& colour, float width, bool dashes)
{
    const std::set<int> only(onlyOne.begin(), onlyOne.end());
    std::vector<Segment> normal, thick;
    std::vector<const core::KittiObject*> marked;
    for (int i = 0; i < int(boxes.size()); ++i) {
        const core::KittiObject& o = boxes[size_t(i)];
        if (!drawable(o))
            continue;
        auto segments = boxSegments(o);
        if (dashes)
            segments = dashed(segments, kDash, kDashGap);
        auto& target = only.count(i) ? thick : normal;
        target.insert(target.end(), segments.begin(), segments.end());
        if (only.count(i))
            marked.push_back(&o);
    }
    addLines(renderer, normal, colour, width);
    addLines(renderer, thick, colour, kOnlyOneWidth);
    addDiamonds(renderer, marked, colour);
}

void addLinks(vtkRenderer* renderer, const BevData& boxes)
{
    std::vector<Segment> links;
    for (const core::BoxPair& p : boxes.matching.pairs) {
        if (p.indexA < 0 || p.indexB < 0 || p.indexA >= int(boxes.floatBoxes.size())
            || p.indexB >= int(boxes.convertedBoxes.size()))
            continue;
        const core::KittiObject& a = boxes.floatBoxes[size_t(p.indexA)];
        const core::KittiObject& b = boxes.convertedBoxes[size_t(p.indexB)];
        if (drawable(a) && drawable(b))
            links.push_back({boxCentre(a), boxCentre(b)});
    }
    addLines(renderer, links, Style::link(), kLinkWidth);
}

} // namespace

QColor Style::groundTruth()
{
    // bev_style's grey, lightened: on the dark background the BEV's mid grey would vanish.
    return bev_style::kGroundTruth.lighter(145);
}

QColor Style::floatBoxes()
{
    return bev_style::kFloat;
}

QColor Style::converted()
{
    return bev_style::kConverted;
}

QColor Style::link()
{
    return bev_style::kLink;
}

QColor Style::gridMinor()
{
    return QColor(52, 56, 64);
}

QColor Style::gridMajor()
{
    return QColor(78, 84, 95);
}

QColor Style::ego()
{
    return QColor(150, 156, 168);
}

bool drawable(const core::KittiObject& o)
{
    const auto finite = [](float v) { return std::isfinite(v); };
    return !isDontCare(o.type) && finite(o.x) && finite(o.y) && finite(o.z) && finite(o.rotationY) && finite(o.l)
           && finite(o.w) && finite(o.h) && o.l > 0.f && o.w > 0.f && o.h > 0.f;
}

std::vector<Segment> boxSegments(const core::KittiObject& object)
{
    const auto c = core::boxCorners(object);
    // Corners 0–3 on the ground face, 4–7 above them; 0 and 1 at the front (+l/2).
    static constexpr int kEdges[12][2] = {{0, 1}, {1, 2}, {2, 3}, {3, 0}, {4, 5}, {5, 6},
                                          {6, 7}, {7, 4}, {0, 4}, {1, 5}, {2, 6}, {3, 7}};
    std::vector<Segment> segments;
    segments.reserve(13);
    for (const auto& e : kEdges)
        segments.push_back({c[size_t(e[0])], c[size_t(e[1])]});
    const Point3 bottom{object.x, object.y, object.z};
    segments.push_back({bottom, lerp(c[0], c[1], 0.5)});
    return segments;
}

std::vector<Segment> dashed(const std::vector<Segment>& segments, double dash, double gap)
{
    std::vector<Segment> out;
    for (const Segment& s : segments) {
        const Point3 d{s.b[0] - s.a[0], s.b[1] - s.a[1], s.b[2] - s.a[2]};
        const double length = std::sqrt(dot(d, d));
        // n dashes and n − 1 gaps; the gaps stretch so that the last dash ends at the end.
        const int n = int(std::floor((length + gap) / (dash + gap)));
        if (n < 2) {
            out.push_back(s);
            continue;
        }
        const double period = (length - dash) / (n - 1);
        for (int i = 0; i < n; ++i) {
            const double t0 = i * period / length;
            out.push_back({lerp(s.a, s.b, t0), lerp(s.a, s.b, t0 + dash / length)});
        }
    }
    return out;
}

double groundHeight(const BevData& boxes)
{
    std::vector<double> bottoms;
    for (const core::KittiObject& o : boxes.groundTruth)
        if (drawable(o))
            bottoms.push_back(o.y);
    if (bottoms.empty())
        for (const auto* set : {&boxes.floatBoxes, &boxes.convertedBoxes})
            for (const core::KittiObject& o : *set)
                if (drawable(o))
                    bottoms.push_back(o.y);
    return bottoms.empty() ? kKittiCameraHeight : median(std::move(bottoms));
}

Point3 boxCentre(const core::KittiObject& object)
{
    return {object.x, object.y - 0.5 * object.h, object.z};
}

SceneInfo buildScene(vtkRenderer* renderer, const BoxFrameData& data)
{
    renderer->RemoveAllViewProps();
    const BevData& boxes = data.bev;
    SceneInfo info = addGrid(renderer, boxes);
    addEgo(renderer, data, info.groundY);
    addPoints(renderer, data.points);
    addBoxSet(renderer, boxes.groundTruth, {}, Style::groundTruth(), kGtWidth, false);
    addBoxSet(renderer, boxes.floatBoxes, boxes.matching.onlyA, Style::floatBoxes(), kBoxWidth, false);
    addBoxSet(renderer, boxes.convertedBoxes, boxes.matching.onlyB, Style::converted(), kBoxWidth, true);
    addLinks(renderer, boxes);
    return info;
}

} // namespace lnscope::widgets::box3d
