#pragma once
// A frame's scene as plain data: static geometry grouped by material, the labelled objects with
// their meshes and KITTI boxes, and the lighting. Built from one Rng; no VTK here.

#include "lnscope/synth/synth.h"
#include "mesh.h"
#include "random.h"

#include <array>
#include <string>
#include <vector>

namespace lnscope::synth::detail {

/// Surfaces that share a texture (the renderer keeps one textured actor per material).
enum Material { kAsphalt = 0, kFacade, kFoliage, kPlain, kMaterialCount };

struct SceneObject
{
    ClassId cls = kCar;
    std::string type;      ///< KITTI type: "Car", "Pedestrian", "Cyclist"
    core::KittiObject box; ///< h, w, l, x, y, z, rotationY (camera frame, metres, radians)
    Mesh mesh;             ///< in the camera frame; its object-frame bound is exactly the box
};

struct Lighting
{
    Vec3 sunDirection; ///< unit vector from the scene towards the sun
    std::array<double, 3> sunColor{1, 1, 1};
    double sunIntensity = 1.0;
    std::array<double, 3> fillColor{1, 1, 1}; ///< sky light from above, no shadows
    double fillIntensity = 0.3;
    double ambient = 0.3; ///< the material's ambient coefficient
    std::array<double, 3> skyTop{0.3, 0.5, 0.8}, skyHorizon{0.7, 0.8, 0.9};
};

struct Scene
{
    SceneInfo info;
    std::array<Mesh, kMaterialCount> statics;
    std::vector<SceneObject> objects;
    Lighting lighting;
};

/// Builds frame `index` of sequence `seed` (scene_layout.cpp).
Scene buildScene(uint32_t seed, int index, const StereoRig& rig);

/// The road network: centre lines sampled every metre, with what lies across them.
struct Road
{
    std::vector<Vec3> centre;    ///< on the ground plane (y = ground), one sample per metre
    std::vector<double> heading; ///< direction of travel, radians from +z towards +x
    double step = 1.0;           ///< metres between samples

    double length() const { return step * double(centre.size() - 1); }
    /// The point at arc length s (clamped to the road) and lateral offset d (positive to the
    /// right of the direction of travel), at height y.
    Vec3 at(double s, double d, double y) const;
    double headingAt(double s) const;
};

/// Objects: their meshes in the object frame (scene_objects.cpp). Each returns a mesh fitted to
/// exactly [-l/2, l/2] x [-h, 0] x [-w/2, w/2] for the dimensions in `box`, which it also picks.
Mesh makeCar(Rng& rng, core::KittiObject& box);
Mesh makePedestrian(Rng& rng, core::KittiObject& box);
Mesh makeCyclist(Rng& rng, core::KittiObject& box);

/// Rounds to the 0.01 the label files hold, so that labels and geometry agree exactly.
inline double centi(double v)
{
    return std::round(v * 100.0) / 100.0;
}

} // namespace lnscope::synth::detail
