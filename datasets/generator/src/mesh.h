#pragma once
// Triangle meshes built on the CPU, without VTK: the scene builder makes them, the renderer only
// uploads them. Each vertex has a colour and texture coordinates (texture repeats scale with
// metres, so every surface shows the same texel size), each triangle a class id.

#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace lnscope::synth::detail {

struct Vec3
{
    double x = 0, y = 0, z = 0;
};
inline Vec3 operator+(Vec3 a, Vec3 b)
{
    return {a.x + b.x, a.y + b.y, a.z + b.z};
}
inline Vec3 operator-(Vec3 a, Vec3 b)
{
    return {a.x - b.x, a.y - b.y, a.z - b.z};
}
inline Vec3 operator*(Vec3 a, double s)
{
    return {a.x * s, a.y * s, a.z * s};
}
inline double dot(Vec3 a, Vec3 b)
{
    return a.x * b.x + a.y * b.y + a.z * b.z;
}
inline Vec3 cross(Vec3 a, Vec3 b)
{
    return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline double length(Vec3 a)
{
    return std::sqrt(dot(a, a));
}
inline Vec3 normalized(Vec3 a)
{
    const double n = length(a);
    return n > 0 ? a * (1.0 / n) : a;
}

struct Rgb
{
    uint8_t r = 0, g = 0, b = 0;
};

struct Mesh
{
    std::vector<Vec3> points;
    std::vector<std::array<float, 2>> uv;
    std::vector<Rgb> colors;
    std::vector<uint32_t> triangles; ///< 3 point indices per triangle
    std::vector<uint8_t> classes;    ///< one class id per triangle

    bool empty() const { return triangles.empty(); }
    size_t triangleCount() const { return classes.size(); }

    uint32_t addPoint(Vec3 p, float u, float v, Rgb c);
    void addTriangle(uint32_t a, uint32_t b, uint32_t c, uint8_t cls);
    /// A planar quad a-b-c-d (in order around it). Texture u runs along a->b, v along a->d, one
    /// repeat per 1/texPerMetre metres.
    void addQuad(Vec3 a, Vec3 b, Vec3 c, Vec3 d, Rgb colour, uint8_t cls, double texPerMetre);
    void append(const Mesh& other);

    /// Rotates by KITTI's rotation_y (x' = cos*x + sin*z, z' = -sin*x + cos*z, as boxCorners()),
    /// then translates.
    void transform(double rotationY, Vec3 translation);
    /// Scales each axis so that the mesh's bound becomes exactly [-l/2, l/2] x [-h, 0] x
    /// [-w/2, w/2]: the tight object-frame box of a KITTI label.
    void fitToBox(double l, double h, double w);
    /// Axis-aligned bound: {min, max}.
    std::array<Vec3, 2> bounds() const;
};

/// Axis-aligned box from lo to hi, all six faces.
void addBox(Mesh& m, Vec3 lo, Vec3 hi, Rgb colour, uint8_t cls, double texPerMetre);
/// Cylinder from a to b (caps included), `segments` sides.
void addCylinder(Mesh& m, Vec3 a, Vec3 b, double radius, int segments, Rgb colour, uint8_t cls, double texPerMetre);
/// Ellipsoid at centre with the given radii, `rings` x 2*`rings` facets.
void addEllipsoid(Mesh& m, Vec3 centre, Vec3 radii, int rings, Rgb colour, uint8_t cls, double texPerMetre);
/// A polygon in the x-y plane (star-shaped around its vertex mean, any winding) extruded from
/// z0 to z1: sides plus both caps (fan-triangulated from the mean).
void addPrism(Mesh& m, const std::vector<std::array<double, 2>>& xy, double z0, double z1, Rgb colour, uint8_t cls,
              double texPerMetre);

/// A footprint on the ground plane for collision tests: a rectangle centred at (x, z), with
/// half-extents along its own axes, rotated by KITTI's rotation_y (its length axis is the
/// object's x).
struct Footprint
{
    double x = 0, z = 0, halfLength = 0, halfWidth = 0, rotationY = 0;
};
/// True when the rectangles overlap once each is grown by `margin` metres (separating axes).
bool overlaps(const Footprint& a, const Footprint& b, double margin);

} // namespace lnscope::synth::detail
