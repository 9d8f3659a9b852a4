#pragma once
// What the scene builder's stages share while one frame's scene is put together: the roads, their
// cross-sections, the ground heights and the footprints already taken (scene_layout.cpp,
// scene_roadside.cpp, scene_placement.cpp).

#include "scene.h"

#include <vector>

namespace lnscope::synth::detail {

enum class Setting { Urban, Suburban, Rural };

/// A road's cross-section, lateral offsets in metres, positive to the right of travel.
struct Section
{
    int lanesLeft = 1, lanesRight = 1; ///< oncoming lanes / lanes in the direction of travel
    double laneWidth = 3.5;
    double parkLeft = 0, parkRight = 0; ///< parking strips at the road's edges (part of the road)
    double curb = 0.12;                 ///< sidewalk height over the road
    double walkLeft = 0, walkRight = 0; ///< sidewalk widths (0 = none: grass verge)

    double leftEdge() const { return -(lanesLeft * laneWidth + parkLeft); }
    double rightEdge() const { return lanesRight * laneWidth + parkRight; }
    /// Where the built-up roadside starts on side -1 (left) or +1 (right).
    double outerEdge(int side) const { return side > 0 ? rightEdge() + walkRight : leftEdge() - walkLeft; }
    double walk(int side) const { return side > 0 ? walkRight : walkLeft; }
    double edge(int side) const { return side > 0 ? rightEdge() : leftEdge(); }
};

/// A road and what lies along it. `skip` holds the arc-length ranges where another road joins
/// (no curb, sidewalk or roadside there).
struct RoadPart
{
    Road road;
    Section section;
    double sidewalkStart = 0.0; ///< arc length where curbs and sidewalks begin (arms: past the main sidewalk)
    struct Range
    {
        double a = 0, b = 0;
    };
    std::vector<Range> skip;
    bool skipped(double s, double margin = 0.0) const
    {
        for (const Range& r : skip)
            if (s > r.a - margin && s < r.b + margin)
                return true;
        return false;
    }
};

struct BuildContext
{
    BuildContext(Scene& s, Rng& r, const StereoRig& g) : scene(s), rng(r), rig(g) {}

    Scene& scene;
    Rng& rng;
    const StereoRig& rig;
    Setting setting = Setting::Urban;
    double cameraHeight = 1.65;
    std::vector<RoadPart> roads; ///< roads[0] is the road the camera drives on
    double cameraS = 10.0;       ///< the camera's arc length on roads[0]
    bool hasCrossing = false;
    double crossingS = 0.0;       ///< arc length of the crossing road's centre on roads[0]
    double crossingHalf = 0.0;    ///< half the crossing road's width
    std::vector<Footprint> taken; ///< ground footprints of everything solid placed so far

    Mesh& mesh(Material m) { return scene.statics[size_t(m)]; }
    double roadY() const { return cameraHeight; }
    /// Grass and open ground lie a little below the road surface, so the two never z-fight.
    double groundY() const { return cameraHeight + 0.03; }
    double walkY(const Section& s) const { return cameraHeight - s.curb; }

    /// True when the footprint is clear of every road and sidewalk (plus margin) and of the
    /// footprints already taken.
    bool isFree(const Footprint& f, double margin, bool checkRoads = true) const;
    void take(const Footprint& f) { taken.push_back(f); }
};

/// A strip along a road between lateral offsets d0 and d1 for s in [s0, s1], at height y,
/// with texture coordinates from the ground position (so strips join seamlessly).
void addStrip(Mesh& m, const Road& road, double s0, double s1, double d0, double d1, double y, Rgb colour, uint8_t cls,
              double texPerMetre);
/// A vertical face along a road at lateral offset d, from height y0 to y1.
void addWall(Mesh& m, const Road& road, double s0, double s1, double d, double y0, double y1, Rgb colour, uint8_t cls,
             double texPerMetre);
/// A footprint's (x, z) projected on a road: {arc length, lateral offset}; the arc length is
/// outside [0, length] when the point lies beyond the road's ends.
std::array<double, 2> roadCoordinates(const Road& road, double x, double z);

Rgb jitterColour(Rng& rng, Rgb c, int amount);
/// KITTI's rotation_y of something whose length runs along travel direction `heading`.
double rotationAlong(double heading);
double wrapAngle(double a);

/// The static roadside: buildings, hedges, trees and poles (scene_roadside.cpp).
void buildRoadside(BuildContext& ctx);
/// Cars, pedestrians and cyclists (scene_placement.cpp).
void placeObjects(BuildContext& ctx);

} // namespace lnscope::synth::detail
