#include "mesh.h"

#include <algorithm>
#include <limits>
#include <numbers>

namespace lnscope::synth::detail {

uint32_t Mesh::addPoint(Vec3 p, float u, float v, Rgb c)
{
    points.push_back(p);
    uv.push_back({u, v});
    colors.push_back(c);
    return uint32_t(points.size() - 1);
}

void Mesh::addTriangle(uint32_t a, uint32_t b, uint32_t c, uint8_t cls)
{
    triangles.insert(triangles.end(), {a, b, c});
    classes.push_back(cls);
}

void Mesh::addQuad(Vec3 a, Vec3 b, Vec3 c, Vec3 d, Rgb colour, uint8_t cls, double texPerMetre)
{
    const float lu = float(length(b - a) * texPerMetre);
    const float lv = float(length(d - a) * texPerMetre);
    const uint32_t ia = addPoint(a, 0.f, 0.f, colour);
    const uint32_t ib = addPoint(b, lu, 0.f, colour);
    const uint32_t ic = addPoint(c, lu, lv, colour);
    const uint32_t id = addPoint(d, 0.f, lv, colour);
    addTriangle(ia, ib, ic, cls);
    addTriangle(ia, ic, id, cls);
}

void Mesh::append(const Mesh& other)
{
    const uint32_t base = uint32_t(points.size());
    points.insert(points.end(), other.points.begin(), other.points.end());
    uv.insert(uv.end(), other.uv.begin(), other.uv.end());
    colors.insert(colors.end(), other.colors.begin(), other.colors.end());
    for (uint32_t i : other.triangles)
        triangles.push_back(base + i);
    classes.insert(classes.end(), other.classes.begin(), other.classes.end());
}

void Mesh::transform(double rotationY, Vec3 t)
{
    const double c = std::cos(rotationY), s = std::sin(rotationY);
    for (Vec3& p : points)
        p = Vec3{c * p.x + s * p.z + t.x, p.y + t.y, -s * p.x + c * p.z + t.z};
}

std::array<Vec3, 2> Mesh::bounds() const
{
    constexpr double inf = std::numeric_limits<double>::infinity();
    Vec3 lo{inf, inf, inf}, hi{-inf, -inf, -inf};
    for (const Vec3& p : points) {
        lo = {std::min(lo.x, p.x), std::min(lo.y, p.y), std::min(lo.z, p.z)};
        hi = {std::max(hi.x, p.x), std::max(hi.y, p.y), std::max(hi.z, p.z)};
    }
    return {lo, hi};
}

void Mesh::fitToBox(double l, double h, double w)
{
    const auto [lo, hi] = bounds();
    const auto remap = [](double v, double a, double b, double A, double B) {
        // Ends map exactly onto A and B, so the bound is the label's box to the last bit.
        if (v == a)
            return A;
        if (v == b)
            return B;
        return std::clamp(A + (v - a) * (B - A) / (b - a), std::min(A, B), std::max(A, B));
    };
    for (Vec3& p : points)
        p = {remap(p.x, lo.x, hi.x, -l / 2, l / 2), remap(p.y, lo.y, hi.y, -h, 0.0),
             remap(p.z, lo.z, hi.z, -w / 2, w / 2)};
}

void addBox(Mesh& m, Vec3 lo, Vec3 hi, Rgb colour, uint8_t cls, double tex)
{
    const Vec3 p[8] = {{lo.x, lo.y, lo.z}, {hi.x, lo.y, lo.z}, {hi.x, hi.y, lo.z}, {lo.x, hi.y, lo.z},
                       {lo.x, lo.y, hi.z}, {hi.x, lo.y, hi.z}, {hi.x, hi.y, hi.z}, {lo.x, hi.y, hi.z}};
    m.addQuad(p[0], p[1], p[2], p[3], colour, cls, tex); // z = lo
    m.addQuad(p[5], p[4], p[7], p[6], colour, cls, tex); // z = hi
    m.addQuad(p[4], p[0], p[3], p[7], colour, cls, tex); // x = lo
    m.addQuad(p[1], p[5], p[6], p[2], colour, cls, tex); // x = hi
    m.addQuad(p[4], p[5], p[1], p[0], colour, cls, tex); // y = lo
    m.addQuad(p[3], p[2], p[6], p[7], colour, cls, tex); // y = hi
}

void addCylinder(Mesh& m, Vec3 a, Vec3 b, double radius, int segments, Rgb colour, uint8_t cls, double tex)
{
    const Vec3 axis = normalized(b - a);
    // Any vector not parallel to the axis gives the two directions across it.
    const Vec3 helper = std::fabs(axis.y) < 0.9 ? Vec3{0, 1, 0} : Vec3{1, 0, 0};
    const Vec3 e1 = normalized(cross(axis, helper));
    const Vec3 e2 = cross(axis, e1);
    const double len = length(b - a);
    std::vector<Vec3> ring(size_t(segments) + 1);
    for (int i = 0; i <= segments; ++i) {
        const double t = 2.0 * std::numbers::pi * i / segments;
        ring[size_t(i)] = e1 * (radius * std::cos(t)) + e2 * (radius * std::sin(t));
    }
    const float circumference = float(2.0 * std::numbers::pi * radius * tex);
    const uint32_t ca = m.addPoint(a, 0.f, 0.f, colour);
    const uint32_t cb = m.addPoint(b, 0.f, float(len * tex), colour);
    for (int i = 0; i < segments; ++i) {
        const float u0 = circumference * float(i) / float(segments);
        const float u1 = circumference * float(i + 1) / float(segments);
        const uint32_t p0 = m.addPoint(a + ring[size_t(i)], u0, 0.f, colour);
        const uint32_t p1 = m.addPoint(a + ring[size_t(i) + 1], u1, 0.f, colour);
        const uint32_t p2 = m.addPoint(b + ring[size_t(i) + 1], u1, float(len * tex), colour);
        const uint32_t p3 = m.addPoint(b + ring[size_t(i)], u0, float(len * tex), colour);
        m.addTriangle(p0, p1, p2, cls);
        m.addTriangle(p0, p2, p3, cls);
        m.addTriangle(ca, p1, p0, cls);
        m.addTriangle(cb, p3, p2, cls);
    }
}

void addEllipsoid(Mesh& m, Vec3 c, Vec3 r, int rings, Rgb colour, uint8_t cls, double tex)
{
    const int sectors = 2 * rings;
    const uint32_t base = uint32_t(m.points.size());
    for (int i = 0; i <= rings; ++i) {
        const double phi = std::numbers::pi * i / rings; // from the top (y = -r.y) down
        for (int j = 0; j <= sectors; ++j) {
            const double theta = 2.0 * std::numbers::pi * j / sectors;
            const Vec3 p{c.x + r.x * std::sin(phi) * std::cos(theta), c.y - r.y * std::cos(phi),
                         c.z + r.z * std::sin(phi) * std::sin(theta)};
            m.addPoint(p, float(theta * r.x * tex), float(phi * r.y * tex), colour);
        }
    }
    const uint32_t stride = uint32_t(sectors + 1);
    for (int i = 0; i < rings; ++i) {
        for (int j = 0; j < sectors; ++j) {
            const uint32_t a = base + uint32_t(i) * stride + uint32_t(j);
            const uint32_t b = a + stride;
            if (i > 0)
                m.addTriangle(a, b, a + 1, cls);
            if (i < rings - 1)
                m.addTriangle(a + 1, b, b + 1, cls);
        }
    }
}

void addPrism(Mesh& m, const std::vector<std::array<double, 2>>& xy, double z0, double z1, Rgb colour, uint8_t cls,
              double tex)
{
    const size_t n = xy.size();
    double mx = 0, my = 0;
    for (const auto& p : xy) {
        mx += p[0];
        my += p[1];
    }
    mx /= double(n);
    my /= double(n);
    for (size_t i = 0; i < n; ++i) {
        const auto& p = xy[i];
        const auto& q = xy[(i + 1) % n];
        m.addQuad({p[0], p[1], z0}, {q[0], q[1], z0}, {q[0], q[1], z1}, {p[0], p[1], z1}, colour, cls, tex);
    }
    for (const double z : {z0, z1}) {
        const uint32_t centre = m.addPoint({mx, my, z}, float(mx * tex), float(my * tex), colour);
        std::vector<uint32_t> ring;
        for (const auto& p : xy)
            ring.push_back(m.addPoint({p[0], p[1], z}, float(p[0] * tex), float(p[1] * tex), colour));
        for (size_t i = 0; i < n; ++i)
            m.addTriangle(centre, ring[i], ring[(i + 1) % n], cls);
    }
}

namespace {

std::array<std::array<double, 2>, 4> corners(const Footprint& f, double margin)
{
    const double c = std::cos(f.rotationY), s = std::sin(f.rotationY);
    const double hl = f.halfLength + margin, hw = f.halfWidth + margin;
    std::array<std::array<double, 2>, 4> out{};
    const double xs[4] = {hl, hl, -hl, -hl}, zs[4] = {hw, -hw, -hw, hw};
    for (int i = 0; i < 4; ++i)
        out[size_t(i)] = {c * xs[i] + s * zs[i] + f.x, -s * xs[i] + c * zs[i] + f.z};
    return out;
}

bool separated(const std::array<std::array<double, 2>, 4>& a, const std::array<std::array<double, 2>, 4>& b)
{
    for (int e = 0; e < 2; ++e) {
        const double nx = -(a[size_t(e) + 1][1] - a[size_t(e)][1]);
        const double nz = a[size_t(e) + 1][0] - a[size_t(e)][0];
        double amin = 1e300, amax = -1e300, bmin = 1e300, bmax = -1e300;
        for (int i = 0; i < 4; ++i) {
            const double pa = a[size_t(i)][0] * nx + a[size_t(i)][1] * nz;
            const double pb = b[size_t(i)][0] * nx + b[size_t(i)][1] * nz;
            amin = std::min(amin, pa);
            amax = std::max(amax, pa);
            bmin = std::min(bmin, pb);
            bmax = std::max(bmax, pb);
        }
        if (amax < bmin || bmax < amin)
            return true;
    }
    return false;
}

} // namespace

bool overlaps(const Footprint& a, const Footprint& b, double margin)
{
    const auto ca = corners(a, margin / 2), cb = corners(b, margin / 2);
    return !separated(ca, cb) && !separated(cb, ca);
}

} // namespace lnscope::synth::detail
