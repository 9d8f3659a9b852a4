// One frame's scene: the camera, the light, the road network (straight, curved or with a
// crossing road) and its surfaces — asphalt, lane markings, curbs, sidewalks, open ground. The
// roadside and the objects follow in scene_roadside.cpp and scene_placement.cpp.

#include "scene_build.h"

#include <algorithm>
#include <numbers>

namespace lnscope::synth::detail {

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kGroundTex = 0.5;   // asphalt / ground texture repeats per metre
constexpr double kRoadAhead = 170.0; // metres of road modelled in front of the camera
constexpr double kArmLength = 120.0;

Vec3 rightNormal(double heading)
{
    return {std::cos(heading), 0.0, -std::sin(heading)};
}

} // namespace

// ---- road geometry ----------------------------------------------------------------------------

Vec3 Road::at(double s, double d, double y) const
{
    const double t = std::clamp(s / step, 0.0, double(centre.size() - 1));
    const size_t i = std::min(size_t(t), centre.size() - 2);
    const double f = t - double(i);
    const Vec3 c = centre[i] * (1 - f) + centre[i + 1] * f;
    const Vec3 n = rightNormal(heading[i] * (1 - f) + heading[i + 1] * f);
    return {c.x + d * n.x, y, c.z + d * n.z};
}

double Road::headingAt(double s) const
{
    const double t = std::clamp(s / step, 0.0, double(centre.size() - 1));
    const size_t i = std::min(size_t(t), centre.size() - 2);
    const double f = t - double(i);
    return heading[i] * (1 - f) + heading[i + 1] * f;
}

std::array<double, 2> roadCoordinates(const Road& road, double x, double z)
{
    size_t best = 0;
    double bestD2 = 1e300;
    for (size_t i = 0; i < road.centre.size(); ++i) {
        const double dx = x - road.centre[i].x, dz = z - road.centre[i].z;
        const double d2 = dx * dx + dz * dz;
        if (d2 < bestD2) {
            bestD2 = d2;
            best = i;
        }
    }
    const double h = road.heading[best];
    const double dx = x - road.centre[best].x, dz = z - road.centre[best].z;
    const double along = dx * std::sin(h) + dz * std::cos(h);
    const double across = dx * std::cos(h) - dz * std::sin(h);
    return {double(best) * road.step + along, across};
}

void addStrip(Mesh& m, const Road& road, double s0, double s1, double d0, double d1, double y, Rgb colour, uint8_t cls,
              double tex)
{
    if (s1 <= s0)
        return;
    const auto point = [&](double s, double d) {
        const Vec3 p = road.at(s, d, y);
        return m.addPoint(p, float(p.x * tex), float(p.z * tex), colour);
    };
    for (double s = s0; s < s1 - 1e-9;) {
        const double next = std::min(s1, std::floor(s / road.step + 1.0) * road.step);
        const uint32_t a = point(s, d0), b = point(s, d1), c = point(next, d1), d = point(next, d0);
        m.addTriangle(a, b, c, cls);
        m.addTriangle(a, c, d, cls);
        s = next;
    }
}

void addWall(Mesh& m, const Road& road, double s0, double s1, double d, double y0, double y1, Rgb colour, uint8_t cls,
             double tex)
{
    for (double s = s0; s < s1 - 1e-9;) {
        const double next = std::min(s1, std::floor(s / road.step + 1.0) * road.step);
        m.addQuad(road.at(s, d, y0), road.at(next, d, y0), road.at(next, d, y1), road.at(s, d, y1), colour, cls, tex);
        s = next;
    }
}

Rgb jitterColour(Rng& rng, Rgb c, int amount)
{
    const auto j = [&](uint8_t v) { return uint8_t(std::clamp(int(v) + rng.integer(-amount, amount), 0, 255)); };
    return {j(c.r), j(c.g), j(c.b)};
}

double wrapAngle(double a)
{
    while (a > kPi)
        a -= 2 * kPi;
    while (a < -kPi)
        a += 2 * kPi;
    return a;
}

double rotationAlong(double heading)
{
    // The object's +x (its front) must point along (sin h, 0, cos h); boxCorners() maps +x to
    // (cos ry, 0, -sin ry), so ry = h - pi/2.
    return wrapAngle(heading - kPi / 2);
}

bool BuildContext::isFree(const Footprint& f, double margin, bool checkRoads) const
{
    for (const Footprint& t : taken)
        if (overlaps(f, t, margin))
            return false;
    if (!checkRoads)
        return true;
    const double c = std::cos(f.rotationY), s = std::sin(f.rotationY);
    const double xs[5] = {f.halfLength, f.halfLength, -f.halfLength, -f.halfLength, 0};
    const double zs[5] = {f.halfWidth, -f.halfWidth, -f.halfWidth, f.halfWidth, 0};
    for (const RoadPart& part : roads) {
        for (int i = 0; i < 5; ++i) {
            const double x = c * xs[i] + s * zs[i] + f.x, z = -s * xs[i] + c * zs[i] + f.z;
            const auto [rs, rd] = roadCoordinates(part.road, x, z);
            if (rs < 0 || rs > part.road.length())
                continue;
            if (rd > part.section.outerEdge(-1) - margin && rd < part.section.outerEdge(1) + margin)
                return false;
        }
    }
    return true;
}

namespace {

// ---- light ------------------------------------------------------------------------------------

Lighting makeLighting(Rng& rng, std::string& name)
{
    Lighting l;
    const int kind = rng.integer(0, 9);
    double elevation = 0;
    if (kind <= 3) {
        name = "noon";
        elevation = rng.uniform(40, 72);
        l.sunColor = {1.0, 0.97, 0.9};
        l.sunIntensity = rng.uniform(0.8, 0.95);
        l.fillColor = {0.8, 0.87, 1.0};
        l.fillIntensity = 0.3;
        l.ambient = 0.3;
        l.skyTop = {0.3, 0.5, 0.85};
        l.skyHorizon = {0.72, 0.82, 0.94};
    } else if (kind <= 5) {
        name = rng.chance(0.5) ? "morning" : "evening";
        elevation = rng.uniform(8, 25);
        l.sunColor = {1.0, 0.78, 0.55};
        l.sunIntensity = rng.uniform(0.85, 1.0);
        l.fillColor = {0.7, 0.75, 1.0};
        l.fillIntensity = 0.25;
        l.ambient = 0.24;
        l.skyTop = {0.32, 0.45, 0.75};
        l.skyHorizon = {0.95, 0.72, 0.52};
    } else if (kind <= 7) {
        name = "overcast";
        elevation = rng.uniform(40, 70);
        l.sunColor = {0.92, 0.92, 0.95};
        l.sunIntensity = rng.uniform(0.3, 0.4);
        l.fillColor = {0.95, 0.95, 1.0};
        l.fillIntensity = 0.45;
        l.ambient = 0.42;
        const double grey = rng.uniform(0.55, 0.72);
        l.skyTop = {grey, grey + 0.02, grey + 0.05};
        l.skyHorizon = {grey + 0.12, grey + 0.13, grey + 0.14};
    } else {
        name = "dusk";
        elevation = rng.uniform(2, 8);
        l.sunColor = {0.95, 0.55, 0.4};
        l.sunIntensity = rng.uniform(0.35, 0.5);
        l.fillColor = {0.5, 0.55, 0.85};
        l.fillIntensity = 0.2;
        l.ambient = 0.16;
        l.skyTop = {0.08, 0.1, 0.24};
        l.skyHorizon = {0.6, 0.38, 0.36};
    }
    const double el = elevation * kPi / 180, az = rng.uniform(-kPi, kPi);
    l.sunDirection = {std::cos(el) * std::sin(az), -std::sin(el), std::cos(el) * std::cos(az)};
    return l;
}

// ---- roads ------------------------------------------------------------------------------------

Road integrate(Vec3 start, double heading, int samples, const std::vector<double>& curvature)
{
    Road r;
    r.centre.push_back(start);
    r.heading.push_back(heading);
    for (int i = 1; i < samples; ++i) {
        const double k = curvature.empty() ? 0.0 : curvature[size_t(i - 1)];
        const double mid = heading + 0.5 * k * r.step;
        const Vec3 p = r.centre.back();
        r.centre.push_back({p.x + std::sin(mid) * r.step, p.y, p.z + std::cos(mid) * r.step});
        heading += k * r.step;
        r.heading.push_back(heading);
    }
    return r;
}

Section makeSection(Rng& rng, Setting setting)
{
    Section s;
    s.laneWidth = rng.uniform(3.0, 3.8);
    if (setting == Setting::Rural) {
        s.lanesLeft = s.lanesRight = 1;
        return s;
    }
    s.lanesRight = setting == Setting::Urban ? rng.integer(1, 2) : 1;
    s.lanesLeft = setting == Setting::Urban ? rng.integer(1, 2) : 1;
    if (setting == Setting::Urban && rng.chance(0.15))
        s.lanesLeft = 0; // a one-way street
    const double park = rng.uniform(2.0, 2.4);
    s.parkRight = rng.chance(setting == Setting::Urban ? 0.6 : 0.3) ? park : 0.0;
    s.parkLeft = rng.chance(setting == Setting::Urban ? 0.5 : 0.2) ? park : 0.0;
    s.curb = centi(rng.uniform(0.1, 0.16));
    s.walkRight = rng.uniform(setting == Setting::Urban ? 2.5 : 1.5, setting == Setting::Urban ? 5.0 : 2.5);
    s.walkLeft = rng.uniform(setting == Setting::Urban ? 2.5 : 1.5, setting == Setting::Urban ? 5.0 : 2.5);
    return s;
}

/// The road the camera drives on: the camera is in one of the lanes of its direction, a little
/// off the lane centre and a little off the lane's heading.
RoadPart makeMainRoad(BuildContext& ctx, const std::string& layout)
{
    Rng& rng = ctx.rng;
    RoadPart part;
    part.section = makeSection(rng, ctx.setting);
    const Section& sec = part.section;
    const int lane = rng.integer(0, sec.lanesRight - 1);
    const double d = (lane + 0.5) * sec.laneWidth + rng.gauss(0.25);
    const double yaw = rng.gauss(0.025);
    const int samples = int(ctx.cameraS + kRoadAhead) + 1;
    std::vector<double> curvature(size_t(samples), 0.0);
    if (layout == "curved") {
        double s = ctx.cameraS + rng.uniform(-5, 30);
        double sign = rng.chance(0.5) ? 1.0 : -1.0;
        while (s < samples) {
            const double radius = rng.uniform(45, 220);
            const double len = rng.uniform(30, 90);
            for (int i = int(std::max(0.0, s)); i < int(std::min(double(samples), s + len)); ++i)
                curvature[size_t(i)] = sign / radius;
            s += len + rng.uniform(0, 25);
            sign = rng.chance(0.6) ? -sign : sign;
        }
    }
    // Integrate from the camera's station forwards and backwards, so the camera is where the
    // lane says it is whatever the curvature.
    const Vec3 camCentre = Vec3{0, ctx.roadY(), 0} - rightNormal(yaw) * d;
    const int back = int(ctx.cameraS);
    std::vector<double> ahead(curvature.begin() + back, curvature.end());
    Road fwd = integrate(camCentre, yaw, samples - back, ahead);
    std::vector<double> behind(size_t(back), 0.0);
    Road bwd = integrate(camCentre, yaw + kPi, back + 1, behind);
    for (int i = back; i >= 1; --i) {
        part.road.centre.push_back(bwd.centre[size_t(i)]);
        part.road.heading.push_back(bwd.heading[size_t(i)] - kPi);
    }
    part.road.centre.insert(part.road.centre.end(), fwd.centre.begin(), fwd.centre.end());
    part.road.heading.insert(part.road.heading.end(), fwd.heading.begin(), fwd.heading.end());
    return part;
}

/// The two arms of a road crossing roads[0] at right angles.
void addCrossing(BuildContext& ctx)
{
    Rng& rng = ctx.rng;
    RoadPart& main = ctx.roads[0];
    Section arm = makeSection(rng, ctx.setting);
    arm.lanesLeft = arm.lanesRight = rng.integer(1, 2);
    arm.parkLeft = arm.parkRight = 0;
    ctx.hasCrossing = true;
    ctx.crossingHalf = arm.lanesRight * arm.laneWidth;
    ctx.crossingS = ctx.cameraS + rng.uniform(22, 60);
    const double h = main.road.headingAt(ctx.crossingS);
    main.skip.push_back({ctx.crossingS - ctx.crossingHalf, ctx.crossingS + ctx.crossingHalf});
    std::vector<RoadPart> arms;
    for (const int side : {-1, 1}) {
        RoadPart part;
        part.section = arm;
        const Vec3 start = main.road.at(ctx.crossingS, main.section.edge(side), ctx.roadY());
        part.road = integrate(start, h + side * kPi / 2, int(kArmLength) + 1, {});
        part.sidewalkStart = main.section.walk(side);
        arms.push_back(part);
    }
    // Appended last: `main` refers into ctx.roads.
    ctx.roads.insert(ctx.roads.end(), arms.begin(), arms.end());
}

// ---- surfaces ---------------------------------------------------------------------------------

struct Palette
{
    Rgb asphalt, marking, walk, curb, ground;
    uint8_t groundClass;
};

Palette makePalette(Rng& rng, Setting setting)
{
    Palette p;
    const int a = rng.integer(70, 120);
    p.asphalt = jitterColour(rng, {uint8_t(a), uint8_t(a), uint8_t(a + 4)}, 5);
    p.marking = rng.chance(0.9) ? jitterColour(rng, {235, 235, 230}, 10) : Rgb{230, 190, 50};
    static const std::vector<Rgb> kWalks = {{175, 170, 165}, {150, 150, 155}, {180, 140, 120}, {200, 195, 185}};
    p.walk = jitterColour(rng, rng.pick(kWalks), 10);
    p.curb = jitterColour(rng, {165, 165, 160}, 10);
    if (setting == Setting::Urban && rng.chance(0.6)) {
        p.ground = jitterColour(rng, {150, 145, 140}, 15);
        p.groundClass = kSidewalk; // paved open ground
    } else {
        static const std::vector<Rgb> kGrass = {{80, 120, 50}, {100, 130, 60}, {120, 125, 70}, {70, 100, 45}};
        p.ground = jitterColour(rng, rng.pick(kGrass), 12);
        p.groundClass = kVegetation; // grass counts as vegetation (there is no terrain class)
    }
    return p;
}

/// A dashed (or solid, dash = 0) line centred at lateral offset d.
void addLine(BuildContext& ctx, const RoadPart& part, double s0, double s1, double d, double width, double dash,
             double gap, Rgb colour)
{
    const double y = ctx.roadY() - 0.01; // 1 cm over the asphalt
    Mesh& m = ctx.mesh(kAsphalt);
    if (dash <= 0) {
        double s = s0;
        for (const RoadPart::Range& r : part.skip) {
            if (r.a > s)
                addStrip(m, part.road, s, std::min(r.a, s1), d - width / 2, d + width / 2, y, colour, kLaneMarking,
                         kGroundTex);
            s = std::max(s, r.b);
        }
        addStrip(m, part.road, s, s1, d - width / 2, d + width / 2, y, colour, kLaneMarking, kGroundTex);
        return;
    }
    for (double s = s0 + ctx.rng.uniform(0, dash + gap); s < s1; s += dash + gap)
        if (!part.skipped(s, dash))
            addStrip(m, part.road, s, std::min(s1, s + dash), d - width / 2, d + width / 2, y, colour, kLaneMarking,
                     kGroundTex);
}

void addMarkings(BuildContext& ctx, const RoadPart& part, const Palette& pal, bool isMain)
{
    Rng& rng = ctx.rng;
    const Section& sec = part.section;
    const double s0 = isMain ? 0.0 : part.sidewalkStart + 1.0, s1 = part.road.length();
    const double w = rng.uniform(0.1, 0.16);
    const double dash = rng.uniform(2.5, 4.5), gap = rng.uniform(5, 9);
    if (sec.lanesLeft > 0) {
        if (ctx.setting == Setting::Urban && rng.chance(0.3)) {
            addLine(ctx, part, s0, s1, -0.12, w, 0, 0, pal.marking);
            addLine(ctx, part, s0, s1, 0.12, w, 0, 0, pal.marking);
        } else {
            addLine(ctx, part, s0, s1, 0.0, w, rng.chance(0.6) ? dash : 0.0, gap, pal.marking);
        }
    }
    for (int k = 1; k < sec.lanesRight; ++k)
        addLine(ctx, part, s0, s1, k * sec.laneWidth, w, dash, gap, pal.marking);
    for (int k = 1; k < sec.lanesLeft; ++k)
        addLine(ctx, part, s0, s1, -k * sec.laneWidth, w, dash, gap, pal.marking);
    // Edge lines: along the parking strip, or near the edge of a road without one.
    for (const int side : {-1, 1}) {
        const double park = side > 0 ? sec.parkRight : sec.parkLeft;
        const int lanes = side > 0 ? sec.lanesRight : sec.lanesLeft;
        if (park > 0)
            addLine(ctx, part, s0, s1, side * lanes * sec.laneWidth, w, rng.chance(0.5) ? 1.0 : 0.0, 1.0, pal.marking);
        else if (ctx.setting != Setting::Urban || rng.chance(0.4))
            addLine(ctx, part, s0, s1, sec.edge(side) - side * 0.3, w, 0, 0, pal.marking);
    }
    if (isMain && ctx.hasCrossing) {
        // A zebra crossing and a stop line before the junction.
        const double z1 = ctx.crossingS - ctx.crossingHalf - 1.0, z0 = z1 - rng.uniform(3, 4.5);
        const double stripe = 0.5;
        Mesh& m = ctx.mesh(kAsphalt);
        for (double d = sec.leftEdge() + 0.3; d + stripe < sec.rightEdge() - 0.2; d += 2 * stripe)
            addStrip(m, part.road, z0, z1, d, d + stripe, ctx.roadY() - 0.01, pal.marking, kLaneMarking, kGroundTex);
        addStrip(m, part.road, z0 - 1.2, z0 - 0.8, 0.0, sec.rightEdge(), ctx.roadY() - 0.01, pal.marking, kLaneMarking,
                 kGroundTex);
    }
}

void addSurfaces(BuildContext& ctx, const RoadPart& part, const Palette& pal, bool isMain)
{
    const Section& sec = part.section;
    const double len = part.road.length();
    Mesh& m = ctx.mesh(kAsphalt);
    addStrip(m, part.road, 0, len, sec.leftEdge(), sec.rightEdge(), ctx.roadY(), pal.asphalt, kRoad, kGroundTex);
    addMarkings(ctx, part, pal, isMain);
    const double top = ctx.walkY(sec);
    for (const int side : {-1, 1}) {
        const double walk = sec.walk(side);
        if (walk <= 0)
            continue;
        const double edge = sec.edge(side), outer = sec.outerEdge(side);
        // Curbs start where the road does (arms: they close the main sidewalk's ends),
        // sidewalks past the main road's sidewalk.
        double s = 0;
        std::vector<RoadPart::Range> gaps = part.skip;
        gaps.push_back({len, len});
        for (const RoadPart::Range& g : gaps) {
            const double e = std::min(g.a, len);
            addWall(m, part.road, s, e, edge, ctx.roadY(), top, pal.curb, kSidewalk, 2.0);
            addStrip(m, part.road, std::max(s, part.sidewalkStart), e, std::min(edge, outer), std::max(edge, outer),
                     top, pal.walk, kSidewalk, kGroundTex);
            addWall(m, part.road, std::max(s, part.sidewalkStart), e, outer, top, ctx.groundY(), pal.curb, kSidewalk,
                    2.0);
            s = g.b;
        }
    }
}

void addGround(BuildContext& ctx, const Palette& pal)
{
    // One large quad under everything: open ground to the horizon (the far clip plane).
    const double r = ctx.rig.farClip * 0.95, y = ctx.groundY();
    Mesh& m = ctx.mesh(pal.groundClass == kSidewalk ? kAsphalt : kFoliage);
    m.addQuad({-r, y, -30}, {r, y, -30}, {r, y, r}, {-r, y, r}, pal.ground, pal.groundClass, kGroundTex);
}

Setting pickSetting(Rng& rng, std::string& name)
{
    const int k = rng.integer(0, 19);
    if (k < 9) {
        name = "urban";
        return Setting::Urban;
    }
    if (k < 15) {
        name = "suburban";
        return Setting::Suburban;
    }
    name = "rural";
    return Setting::Rural;
}

} // namespace

Scene buildScene(uint32_t seed, int index, const StereoRig& rig)
{
    Rng rng(frameSeed(seed, index));
    Scene scene;
    BuildContext ctx{scene, rng, rig};
    ctx.cameraHeight = centi(rng.uniform(1.45, 1.9));
    ctx.setting = pickSetting(rng, scene.info.setting);
    const int layoutPick = rng.integer(0, 9);
    scene.info.layout = layoutPick < 4                                    ? "straight"
                        : layoutPick < 7 || ctx.setting == Setting::Rural ? "curved"
                                                                          : "intersection";
    scene.info.cameraHeight = ctx.cameraHeight;
    scene.lighting = makeLighting(rng, scene.info.timeOfDay);

    ctx.roads.push_back(makeMainRoad(ctx, scene.info.layout));
    if (scene.info.layout == "intersection")
        addCrossing(ctx);
    // The camera's own car.
    ctx.take({0.0, -1.2, 2.4, 1.0, rotationAlong(ctx.roads[0].road.headingAt(ctx.cameraS))});

    const Palette pal = makePalette(rng, ctx.setting);
    addGround(ctx, pal);
    for (size_t i = 0; i < ctx.roads.size(); ++i)
        addSurfaces(ctx, ctx.roads[i], pal, i == 0);
    buildRoadside(ctx);
    placeObjects(ctx);
    scene.info.placedObjects = int(scene.objects.size());
    return scene;
}

} // namespace lnscope::synth::detail
