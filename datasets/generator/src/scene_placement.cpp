// Cars, pedestrians and cyclists: where they go (lanes, parking strips, sidewalks, crossings),
// which way they face, and their labels. Positions and rotation_y are rounded to the 0.01 of the
// label files before the mesh is moved there, so labels and pixels agree exactly.

#include "scene_build.h"

#include <algorithm>
#include <numbers>

namespace lnscope::synth::detail {

namespace {

constexpr double kPi = std::numbers::pi;
/// Every box corner must be at least this far in front of the camera (the near clip is 1 m).
constexpr double kMinDepth = 1.5;
constexpr int kAttempts = 12;

struct Pose
{
    Vec3 base;      ///< bottom centre, camera frame
    double heading; ///< direction the object faces, radians from +z towards +x
};

/// Arc length ahead of the camera, denser near it (far objects are a few pixels tall).
double aheadS(BuildContext& ctx, double lo, double hi)
{
    return ctx.cameraS + lo + (hi - lo) * std::pow(ctx.rng.unit(), 1.3);
}

bool place(BuildContext& ctx, Mesh mesh, core::KittiObject box, ClassId cls, const char* type, const Pose& pose,
           double margin)
{
    box.type = type;
    box.x = float(centi(pose.base.x));
    box.y = float(centi(pose.base.y));
    box.z = float(centi(pose.base.z));
    box.rotationY = float(std::clamp(centi(rotationAlong(pose.heading)), -3.14, 3.14));
    for (const auto& c : core::boxCorners(box))
        if (c[2] < kMinDepth)
            return false;
    const Footprint f{box.x, box.z, box.l / 2.0, box.w / 2.0, box.rotationY};
    if (!ctx.isFree(f, margin, false))
        return false;
    ctx.take(f);
    mesh.transform(box.rotationY, {box.x, box.y, box.z});
    ctx.scene.objects.push_back({cls, type, box, std::move(mesh)});
    return true;
}

/// Tries poses from `pick` until one is free.
template <typename Pick>
bool placeSomewhere(BuildContext& ctx, const Mesh& mesh, const core::KittiObject& box, ClassId cls, const char* type,
                    double margin, Pick pick)
{
    for (int i = 0; i < kAttempts; ++i) {
        Pose pose;
        if (pick(pose) && place(ctx, mesh, box, cls, type, pose, margin))
            return true;
    }
    return false;
}

const RoadPart* randomArm(BuildContext& ctx)
{
    return ctx.hasCrossing ? &ctx.roads[size_t(ctx.rng.integer(1, 2))] : nullptr;
}

bool carPose(BuildContext& ctx, Pose& pose)
{
    Rng& rng = ctx.rng;
    const RoadPart& main = ctx.roads[0];
    const Section& sec = main.section;
    const int kind = rng.integer(0, 9);
    const double y = ctx.roadY();
    if (kind <= 3 || (kind <= 5 && sec.lanesLeft == 0)) { // with us
        // In the camera's own lane a car keeps its distance; beside us one may be level with us.
        const int lane = rng.integer(0, sec.lanesRight - 1);
        const double ownLane = std::floor(roadCoordinates(main.road, 0, 0)[1] / sec.laneWidth);
        const double s = aheadS(ctx, lane == ownLane ? 8 : 3, 75);
        const double d = (lane + 0.5) * sec.laneWidth + rng.gauss(0.2);
        pose = {main.road.at(s, d, y), main.road.headingAt(s) + rng.gauss(0.03)};
        return !main.skipped(s, 3);
    }
    if (kind <= 5) { // oncoming
        const double s = aheadS(ctx, 3, 75);
        const double d = -(rng.integer(0, sec.lanesLeft - 1) + 0.5) * sec.laneWidth + rng.gauss(0.2);
        pose = {main.road.at(s, d, y), main.road.headingAt(s) + kPi + rng.gauss(0.03)};
        return !main.skipped(s, 3);
    }
    if (kind <= 8 && (sec.parkLeft > 0 || sec.parkRight > 0)) { // parked
        const int side = sec.parkRight > 0 && (sec.parkLeft <= 0 || rng.chance(0.6)) ? 1 : -1;
        const double park = side > 0 ? sec.parkRight : sec.parkLeft;
        const double s = aheadS(ctx, 0, 60);
        const double d = sec.edge(side) - side * (park / 2 + rng.gauss(0.1));
        const double flip = rng.chance(side > 0 ? 0.15 : 0.7) ? kPi : 0.0;
        pose = {main.road.at(s, d, y), main.road.headingAt(s) + flip + rng.gauss(0.05)};
        return !main.skipped(s, 4);
    }
    if (const RoadPart* arm = randomArm(ctx)) { // crossing traffic
        const double s = rng.uniform(1, 45);
        const int dir = rng.chance(0.5) ? 1 : -1;
        const double d = dir * (rng.integer(0, arm->section.lanesRight - 1) + 0.5) * arm->section.laneWidth;
        pose = {arm->road.at(s, d, y), arm->road.headingAt(s) + (dir > 0 ? 0 : kPi) + rng.gauss(0.04)};
        return true;
    }
    return false;
}

bool pedestrianPose(BuildContext& ctx, Pose& pose)
{
    Rng& rng = ctx.rng;
    const RoadPart& part = ctx.hasCrossing && rng.chance(0.3) ? ctx.roads[size_t(rng.integer(1, 2))] : ctx.roads[0];
    const Section& sec = part.section;
    const bool onMain = &part == &ctx.roads[0];
    const double s = onMain ? aheadS(ctx, 2, 55) : rng.uniform(part.sidewalkStart, 40);
    const double h = part.road.headingAt(s);
    const int side = rng.chance(0.5) ? 1 : -1;
    if (rng.chance(0.2)) { // crossing the road
        const double d = rng.uniform(sec.leftEdge() + 0.5, sec.rightEdge() - 0.5);
        pose = {part.road.at(s, d, ctx.roadY()), h + (rng.chance(0.5) ? kPi / 2 : -kPi / 2) + rng.gauss(0.25)};
        return true;
    }
    const double walk = sec.walk(side);
    const double heading = rng.chance(0.7) ? h + (rng.chance(0.5) ? 0 : kPi) + rng.gauss(0.2) : rng.uniform(-kPi, kPi);
    if (walk > 1.0) {
        const double d = sec.edge(side) + side * rng.uniform(0.5, walk - 0.4);
        pose = {part.road.at(s, d, ctx.walkY(sec)), heading};
        return !part.skipped(s, 1);
    }
    const double d = sec.edge(side) + side * rng.uniform(0.4, 2.5); // on the verge
    pose = {part.road.at(s, d, ctx.groundY()), heading};
    return true;
}

bool cyclistPose(BuildContext& ctx, Pose& pose)
{
    Rng& rng = ctx.rng;
    const RoadPart& main = ctx.roads[0];
    const Section& sec = main.section;
    const double s = aheadS(ctx, 3, 60);
    const double h = main.road.headingAt(s);
    const int kind = rng.integer(0, 9);
    if (kind <= 5 || (kind <= 7 && sec.lanesLeft == 0)) { // with us, near the right edge of the lanes
        const double d = sec.lanesRight * sec.laneWidth - rng.uniform(0.5, 1.1);
        pose = {main.road.at(s, d, ctx.roadY()), h + rng.gauss(0.05)};
        return !main.skipped(s, 2);
    }
    if (kind <= 7) { // oncoming
        const double d = -sec.lanesLeft * sec.laneWidth + rng.uniform(0.5, 1.1);
        pose = {main.road.at(s, d, ctx.roadY()), h + kPi + rng.gauss(0.05)};
        return !main.skipped(s, 2);
    }
    // Crossing the road, or riding on the sidewalk.
    const double d = rng.uniform(sec.leftEdge() + 1, sec.rightEdge() - 1);
    pose = {main.road.at(s, d, ctx.roadY()), h + (rng.chance(0.5) ? kPi / 2 : -kPi / 2) + rng.gauss(0.3)};
    return true;
}

} // namespace

void placeObjects(BuildContext& ctx)
{
    Rng& rng = ctx.rng;
    int cars = 0, pedestrians = 0, cyclists = 0;
    switch (ctx.setting) {
    case Setting::Urban:
        cars = rng.integer(3, 14);
        pedestrians = rng.integer(0, 12);
        cyclists = rng.integer(0, 4);
        break;
    case Setting::Suburban:
        cars = rng.integer(2, 9);
        pedestrians = rng.integer(0, 6);
        cyclists = rng.integer(0, 3);
        break;
    case Setting::Rural:
        cars = rng.integer(1, 6);
        pedestrians = rng.integer(0, 2);
        cyclists = rng.integer(0, 2);
        break;
    }
    for (int i = 0; i < cars; ++i) {
        core::KittiObject box;
        const Mesh mesh = makeCar(rng, box);
        placeSomewhere(ctx, mesh, box, kCar, "Car", 0.5, [&](Pose& p) { return carPose(ctx, p); });
    }
    for (int i = 0; i < cyclists; ++i) {
        core::KittiObject box;
        const Mesh mesh = makeCyclist(rng, box);
        placeSomewhere(ctx, mesh, box, kCyclist, "Cyclist", 0.3, [&](Pose& p) { return cyclistPose(ctx, p); });
    }
    for (int i = 0; i < pedestrians; ++i) {
        core::KittiObject box;
        const Mesh mesh = makePedestrian(rng, box);
        if (!placeSomewhere(ctx, mesh, box, kPedestrian, "Pedestrian", 0.1,
                            [&](Pose& p) { return pedestrianPose(ctx, p); }))
            continue;
        if (rng.chance(0.3) && i + 1 < pedestrians) { // a companion walking alongside
            const SceneObject& first = ctx.scene.objects.back();
            const double heading = first.box.rotationY + kPi / 2;
            const Vec3 beside = Vec3{first.box.x, first.box.y, first.box.z}
                                + Vec3{std::cos(heading), 0, -std::sin(heading)} * rng.uniform(0.75, 1.3);
            core::KittiObject other;
            const Mesh mesh2 = makePedestrian(rng, other);
            if (place(ctx, mesh2, other, kPedestrian, "Pedestrian", {beside, heading + rng.gauss(0.1)}, 0.05))
                ++i;
        }
    }
}

} // namespace lnscope::synth::detail
