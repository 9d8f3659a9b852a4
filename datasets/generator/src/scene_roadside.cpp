// The static roadside: buildings (blocks in town, houses with gable roofs in the suburbs, a few
// barns in the country), hedges, trees and poles, placed along every road without overlapping
// roads, sidewalks or each other.

#include "scene_build.h"

#include <algorithm>

namespace lnscope::synth::detail {

namespace {

constexpr double kFacadeTex = 1.0 / 3.0; // one window bay per 3 m
constexpr double kFoliageTex = 1.5;
constexpr double kPlainTex = 2.0;

Rgb facadeColour(Rng& rng)
{
    static const std::vector<Rgb> kFacades = {{200, 190, 170}, {170, 90, 70},   {150, 150, 150}, {225, 220, 210},
                                              {120, 100, 85},  {190, 170, 120}, {110, 115, 125}, {210, 200, 185},
                                              {160, 120, 90},  {90, 90, 95},    {200, 160, 140}, {140, 160, 170}};
    return jitterColour(rng, rng.pick(kFacades), 12);
}

Rgb foliageColour(Rng& rng)
{
    static const std::vector<Rgb> kLeaves = {{60, 100, 40},  {80, 120, 50}, {45, 80, 35},
                                             {100, 130, 60}, {70, 90, 40},  {150, 120, 50}};
    return jitterColour(rng, rng.pick(kLeaves), 12);
}

struct Site
{
    Vec3 base;      ///< on the ground
    double heading; ///< the road's direction there
    double rotationY;
};

/// The site at arc length s, `distance` metres past the road's outer edge on `side`.
Site siteAt(const RoadPart& part, double s, int side, double distance, double y)
{
    const double d = part.section.outerEdge(side) + side * distance;
    const double h = part.road.headingAt(s);
    return {part.road.at(s, d, y), h, rotationAlong(h)};
}

/// How far a straight footprint of length `len` bulges off a curved road (the sagitta).
double bulge(const Road& road, double s, double len)
{
    const double turn = std::fabs(road.headingAt(s + len / 2) - road.headingAt(s - len / 2));
    return len * turn / 4.0;
}

void addBlock(BuildContext& ctx, const Site& site, double len, double depth, double height)
{
    Rng& rng = ctx.rng;
    Mesh b;
    const Rgb wall = facadeColour(rng);
    addBox(b, {-len / 2, -height, -depth / 2}, {len / 2, 0.1, depth / 2}, wall, kBuilding, kFacadeTex);
    if (rng.chance(0.5)) // a ground floor of shop fronts, a little proud of the wall
        addBox(b, {-len / 2 - 0.05, -3.6, -depth / 2 - 0.05}, {len / 2 + 0.05, 0.1, depth / 2 + 0.05},
               jitterColour(rng, facadeColour(rng), 20), kBuilding, 0.5);
    if (rng.chance(0.6)) // a parapet
        addBox(b, {-len / 2 - 0.1, -height - 0.5, -depth / 2 - 0.1}, {len / 2 + 0.1, -height + 0.3, depth / 2 + 0.1},
               jitterColour(rng, {90, 85, 80}, 15), kBuilding, kPlainTex);
    b.transform(site.rotationY, site.base);
    ctx.mesh(kFacade).append(b);
}

void addHouse(BuildContext& ctx, const Site& site, double len, double depth, double height)
{
    Rng& rng = ctx.rng;
    Mesh b;
    // Built with its length along local z, so the gable prism (a profile in x-y) runs along it.
    addBox(b, {-depth / 2, -height, -len / 2}, {depth / 2, 0.1, len / 2}, facadeColour(rng), kBuilding, kFacadeTex);
    const double rise = depth * rng.uniform(0.25, 0.45);
    const std::vector<std::array<double, 2>> gable = {
        {-depth / 2 - 0.3, -height}, {depth / 2 + 0.3, -height}, {0.0, -height - rise}};
    static const std::vector<Rgb> kRoofs = {{120, 50, 40}, {70, 70, 75}, {90, 60, 50}, {50, 55, 60}};
    addPrism(b, gable, -len / 2 - 0.3, len / 2 + 0.3, jitterColour(rng, rng.pick(kRoofs), 10), kBuilding, kPlainTex);
    b.transform(site.heading, site.base);
    ctx.mesh(kFacade).append(b);
}

void addTree(BuildContext& ctx, Vec3 base, double size)
{
    Rng& rng = ctx.rng;
    Mesh& m = ctx.mesh(kFoliage);
    const double trunkH = rng.uniform(2.3, 3.2) * size;
    const double trunkR = rng.uniform(0.1, 0.18) * size;
    addCylinder(m, base + Vec3{0, 0.1, 0}, base + Vec3{0, -trunkH - 0.5, 0}, trunkR, 7,
                jitterColour(rng, {90, 70, 50}, 12), kVegetation, kFoliageTex);
    const bool conifer = rng.chance(0.25);
    const double rx = rng.uniform(1.2, 2.4) * size * (conifer ? 0.7 : 1.0);
    const double ry = conifer ? rx * rng.uniform(2.0, 2.8) : rx * rng.uniform(0.8, 1.3);
    const Vec3 centre = base + Vec3{0, -trunkH - ry * 0.85, 0};
    addEllipsoid(m, centre, {rx, ry, rx * rng.uniform(0.85, 1.15)}, 5, foliageColour(rng), kVegetation, kFoliageTex);
}

void addLamp(BuildContext& ctx, Vec3 base, int side, double heading)
{
    Rng& rng = ctx.rng;
    Mesh& m = ctx.mesh(kPlain);
    const Rgb metal = jitterColour(rng, rng.chance(0.7) ? Rgb{110, 112, 115} : Rgb{50, 70, 55}, 10);
    const double h = rng.uniform(5.5, 8.5), r = rng.uniform(0.07, 0.11);
    const Vec3 top = base + Vec3{0, -h, 0};
    addCylinder(m, base + Vec3{0, 0.1, 0}, top, r, 8, metal, kPole, kPlainTex);
    // The arm reaches over the road, against the side's direction (the right normal is (cos, 0, -sin)).
    const Vec3 across{-side * std::cos(heading), 0, side * std::sin(heading)};
    const double reach = rng.uniform(1.0, 2.2);
    const Vec3 end = top + across * reach;
    addCylinder(m, top, end, r * 0.6, 6, metal, kPole, kPlainTex);
    addBox(m, end + Vec3{-0.25, 0.0, -0.25}, end + Vec3{0.25, 0.15, 0.25}, jitterColour(rng, {200, 200, 190}, 10),
           kPole, kPlainTex);
}

void addSign(BuildContext& ctx, Vec3 base)
{
    Rng& rng = ctx.rng;
    Mesh& m = ctx.mesh(kPlain);
    const double h = rng.uniform(2.2, 3.0);
    addCylinder(m, base + Vec3{0, 0.1, 0}, base + Vec3{0, -h, 0}, 0.04, 6, {150, 150, 150}, kPole, kPlainTex);
    static const std::vector<Rgb> kSigns = {{220, 220, 220}, {30, 70, 160}, {200, 30, 30}, {230, 200, 40}};
    // Signs are not a class of their own: the plate counts as part of its pole.
    addBox(m, base + Vec3{-0.35, -h - 0.35, -0.35}, base + Vec3{0.35, -h + 0.35, 0.35}, rng.pick(kSigns), kPole,
           kPlainTex);
}

/// Buildings along one side of a road: a front row and, in town, a taller row behind it.
void buildingsAlong(BuildContext& ctx, const RoadPart& part, int side)
{
    Rng& rng = ctx.rng;
    const bool town = ctx.setting == Setting::Urban;
    const double len = part.road.length();
    for (int row = 0; row < (town ? 2 : 1); ++row) {
        double s = part.sidewalkStart + rng.uniform(0, 6);
        while (s < len) {
            const double l = town ? rng.uniform(8, 26) : rng.uniform(8, 14);
            const double depth = town ? rng.uniform(8, 16) : rng.uniform(7, 11);
            const double gap = town ? (rng.chance(0.6) ? rng.uniform(0, 1.5) : rng.uniform(3, 12)) : rng.uniform(6, 20);
            const double mid = s + l / 2;
            s += l + gap;
            if (part.skipped(mid, l / 2 + 3) || (ctx.setting == Setting::Rural && !rng.chance(0.15)))
                continue;
            const double setback = (town ? rng.uniform(0.2, 2.0) : rng.uniform(3, 9)) + bulge(part.road, mid, l)
                                   + (row == 1 ? 18 + rng.uniform(0, 10) : 0);
            const Site site = siteAt(part, mid, side, setback + depth / 2, ctx.groundY());
            const Footprint f{site.base.x, site.base.z, l / 2, depth / 2, site.rotationY};
            if (!ctx.isFree(f, 0.1))
                continue;
            ctx.take(f);
            if (town)
                addBlock(ctx, site, l, depth, row == 1 ? rng.uniform(15, 45) : rng.uniform(7, 28));
            else
                addHouse(ctx, site, l, depth, rng.uniform(3, 6.5));
        }
    }
}

void hedgesAlong(BuildContext& ctx, const RoadPart& part, int side)
{
    Rng& rng = ctx.rng;
    const double len = part.road.length();
    const double distance = rng.uniform(0.6, 2.5);
    const double height = rng.uniform(0.7, 1.8), thick = rng.uniform(0.6, 1.2);
    const Rgb colour = foliageColour(rng);
    for (double s = part.sidewalkStart + rng.uniform(0, 10); s < len;) {
        const double l = rng.uniform(6, 20);
        const double mid = s + l / 2;
        s += l + rng.uniform(2, 12);
        if (part.skipped(mid, l / 2 + 2))
            continue;
        const Site site = siteAt(part, mid, side, distance + thick / 2 + bulge(part.road, mid, l), ctx.groundY());
        const Footprint f{site.base.x, site.base.z, l / 2, thick / 2, site.rotationY};
        if (!ctx.isFree(f, 0.05))
            continue;
        ctx.take(f);
        Mesh h;
        addBox(h, {-l / 2, -height, -thick / 2}, {l / 2, 0.1, thick / 2}, jitterColour(rng, colour, 8), kVegetation,
               kFoliageTex);
        h.transform(site.rotationY, site.base);
        ctx.mesh(kFoliage).append(h);
    }
}

void treesAlong(BuildContext& ctx, const RoadPart& part, int side)
{
    Rng& rng = ctx.rng;
    const Section& sec = part.section;
    const double len = part.road.length();
    const bool rural = ctx.setting == Setting::Rural;
    const double spacing = rural ? rng.uniform(4, 14) : rng.uniform(8, 25);
    const bool inPits = !rural && sec.walk(side) > 3.0 && rng.chance(0.5);
    if (!rural && !inPits && rng.chance(0.3))
        return;
    for (double s = part.sidewalkStart + rng.uniform(0, spacing); s < len; s += spacing * rng.uniform(0.6, 1.4)) {
        if (part.skipped(s, 4))
            continue;
        // Trees stand in pits at the sidewalk's outer edge, or past it on open ground.
        const double distance = inPits ? -0.8 : rng.uniform(0.8, rural ? 25 : 8);
        const double y = inPits ? ctx.walkY(sec) : ctx.groundY();
        const Site site = siteAt(part, s, side, distance, y);
        const Footprint f{site.base.x, site.base.z, 0.3, 0.3, 0};
        if (!ctx.isFree(f, 0.2, !inPits))
            continue;
        ctx.take(f);
        addTree(ctx, site.base, rng.uniform(0.7, 1.4));
    }
}

void polesAlong(BuildContext& ctx, const RoadPart& part, int side)
{
    Rng& rng = ctx.rng;
    const Section& sec = part.section;
    const double len = part.road.length();
    const double spacing = rng.uniform(20, 40);
    const bool hasWalk = sec.walk(side) > 0;
    for (double s = part.sidewalkStart + rng.uniform(0, spacing); s < len; s += spacing) {
        if (part.skipped(s, 2))
            continue;
        const double d = sec.edge(side) + side * (hasWalk ? 0.45 : 1.2);
        const Vec3 base = part.road.at(s, d, hasWalk ? ctx.walkY(sec) : ctx.groundY());
        const Footprint f{base.x, base.z, 0.15, 0.15, 0};
        if (!ctx.isFree(f, 0.2, false))
            continue;
        ctx.take(f);
        if (rng.chance(0.75))
            addLamp(ctx, base, side, part.road.headingAt(s));
        else
            addSign(ctx, base);
    }
}

} // namespace

void buildRoadside(BuildContext& ctx)
{
    Rng& rng = ctx.rng;
    for (const RoadPart& part : ctx.roads) {
        for (const int side : {-1, 1}) {
            if (rng.chance(ctx.setting == Setting::Rural ? 0.4 : 0.85))
                polesAlong(ctx, part, side);
            treesAlong(ctx, part, side);
            if (ctx.setting == Setting::Suburban && rng.chance(0.5))
                hedgesAlong(ctx, part, side);
            buildingsAlong(ctx, part, side);
        }
    }
    if (ctx.hasCrossing) {
        // Traffic lights at the near corners of the junction.
        const RoadPart& main = ctx.roads[0];
        for (const int side : {-1, 1}) {
            const double s = ctx.crossingS - ctx.crossingHalf - 0.6;
            const Vec3 base = main.road.at(s, main.section.edge(side) + side * 0.5, ctx.walkY(main.section));
            Mesh& m = ctx.mesh(kPlain);
            addCylinder(m, base + Vec3{0, 0.1, 0}, base + Vec3{0, -3.2, 0}, 0.08, 8, {60, 60, 60}, kPole, kPlainTex);
            addBox(m, base + Vec3{-0.18, -3.2 - 0.9, -0.18}, base + Vec3{0.18, -3.2, 0.18}, {30, 30, 30}, kPole,
                   kPlainTex);
            ctx.take({base.x, base.z, 0.2, 0.2, 0});
        }
    }
}

} // namespace lnscope::synth::detail
