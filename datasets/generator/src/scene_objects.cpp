// Cars, pedestrians and cyclists, built from boxes, cylinders, ellipsoids and extruded profiles
// in the KITTI object frame: x along the length (the front at +x), y down with the ground at
// y = 0, z across. Each mesh is then fitted to its label box to the last bit (Mesh::fitToBox),
// with the box's dimensions rounded to the 0.01 m of the label files.

#include "scene.h"

#include <algorithm>
#include <numbers>

namespace lnscope::synth::detail {

namespace {

constexpr double kTex = 4.0; // texture repeats per metre on objects

Rgb jitter(Rng& rng, Rgb c, int amount)
{
    const auto j = [&](uint8_t v) { return uint8_t(std::clamp(int(v) + rng.integer(-amount, amount), 0, 255)); };
    return {j(c.r), j(c.g), j(c.b)};
}

Rgb carPaint(Rng& rng)
{
    static const std::vector<Rgb> kPaints = {{235, 235, 232}, {190, 192, 196}, {150, 152, 158}, {40, 40, 44},
                                             {22, 22, 26},    {150, 20, 24},   {200, 40, 30},   {30, 60, 140},
                                             {20, 35, 80},    {40, 90, 60},    {220, 190, 40},  {200, 180, 140},
                                             {110, 70, 40},   {90, 130, 170},  {230, 120, 30},  {120, 20, 70}};
    return jitter(rng, rng.pick(kPaints), 12);
}

Rgb clothing(Rng& rng)
{
    static const std::vector<Rgb> kCloth = {{30, 30, 35},  {60, 60, 70},   {200, 200, 205}, {40, 50, 110},
                                            {120, 30, 30}, {30, 90, 50},   {160, 130, 90},  {210, 170, 40},
                                            {90, 60, 40},  {180, 60, 120}, {70, 110, 160},  {230, 230, 225}};
    return jitter(rng, rng.pick(kCloth), 15);
}

Rgb skin(Rng& rng)
{
    static const std::vector<Rgb> kSkin = {
        {240, 200, 170}, {220, 170, 130}, {180, 130, 90}, {130, 90, 60}, {90, 60, 40}};
    return jitter(rng, rng.pick(kSkin), 8);
}

/// Fixes the label box to the mesh's bound, rounded to 0.01 m, and fits the mesh to it exactly.
void finish(Mesh& m, core::KittiObject& box)
{
    const auto [lo, hi] = m.bounds();
    box.l = float(std::max(0.01, centi(hi.x - lo.x)));
    box.h = float(std::max(0.01, centi(hi.y - lo.y)));
    box.w = float(std::max(0.01, centi(hi.z - lo.z)));
    m.fitToBox(box.l, box.h, box.w);
}

/// A limb or a bar: a cylinder with few sides (they are thin).
void limb(Mesh& m, Vec3 a, Vec3 b, double r, Rgb c, uint8_t cls)
{
    addCylinder(m, a, b, r, 6, c, cls, kTex);
}

} // namespace

Mesh makeCar(Rng& rng, core::KittiObject& box)
{
    const bool van = rng.chance(0.1);
    const double l = van ? rng.uniform(4.4, 5.4) : rng.uniform(3.5, 4.9);
    const double h = van ? rng.uniform(1.85, 2.3) : rng.uniform(1.38, 1.72);
    const double w = van ? rng.uniform(1.8, 2.0) : rng.uniform(1.6, 1.92);
    const Rgb paint = carPaint(rng);
    const Rgb glass = jitter(rng, {45, 55, 65}, 8);
    const Rgb tyre{25, 25, 25};
    const uint8_t cls = kCar;
    Mesh m;

    const double wheelR = std::min(0.36, 0.22 * h);
    const double clearance = wheelR * 0.55;
    const double belt = van ? h * rng.uniform(0.5, 0.58) : h * rng.uniform(0.52, 0.6); // window line
    const double bonnet = van ? 0.05 * l : rng.uniform(0.2, 0.28) * l;
    const double boot = van ? 0.02 * l : rng.uniform(0.05, 0.2) * l;
    // Lower body: a bevelled side profile, extruded across the full width.
    const std::vector<std::array<double, 2>> body = {{-l / 2, -clearance},       {l / 2, -clearance},
                                                     {l / 2, -belt * 0.8},       {l / 2 - 0.05 * l, -belt},
                                                     {-l / 2 + 0.03 * l, -belt}, {-l / 2, -belt * 0.85}};
    addPrism(m, body, -w / 2, w / 2, paint, cls, kTex);
    // Cabin: a trapezoid of glass, slightly narrower, with a painted roof on top.
    const double frontBase = l / 2 - bonnet, rearBase = -l / 2 + boot;
    const double frontTop = frontBase - (van ? 0.08 : rng.uniform(0.45, 0.6)) * (h - belt) * 1.6;
    const double rearTop = rearBase + (van ? 0.02 : rng.uniform(0.15, 0.5)) * (h - belt);
    const double roof = h - 0.04;
    const std::vector<std::array<double, 2>> cabin = {
        {rearBase, -belt}, {frontBase, -belt}, {frontTop, -roof}, {rearTop, -roof}};
    const double cw = w * 0.43;
    addPrism(m, cabin, -cw, cw, glass, cls, kTex);
    addBox(m, {rearTop, -h, -cw}, {frontTop, -roof, cw}, paint, cls, kTex);
    // Wheels, inside the body's width; the tyres touch the ground at y = 0.
    for (const double x : {l / 2 - 0.2 * l, -l / 2 + 0.2 * l})
        for (const double z : {w / 2 - 0.01, -w / 2 + 0.01}) {
            const double inner = z > 0 ? z - 0.24 : z + 0.24;
            addCylinder(m, {x, -wheelR, inner}, {x, -wheelR, z}, wheelR, 10, tyre, cls, kTex);
        }
    // Lights, flush with the bumpers: white-yellow at the front (+x), red at the back.
    const double ly = -belt * 0.72;
    for (const double z : {w / 2 - 0.3, -w / 2 + 0.12}) {
        addBox(m, {l / 2 - 0.02, ly - 0.08, z}, {l / 2, ly, z + 0.18}, Rgb{235, 230, 200}, cls, kTex);
        addBox(m, {-l / 2, ly - 0.1, z}, {-l / 2 + 0.02, ly, z + 0.18}, Rgb{170, 20, 20}, cls, kTex);
    }
    finish(m, box);
    return m;
}

Mesh makePedestrian(Rng& rng, core::KittiObject& box)
{
    const double H = rng.uniform(1.5, 1.95);
    const Rgb shirt = clothing(rng), trousers = clothing(rng), face = skin(rng);
    const Rgb shoes = jitter(rng, {35, 30, 30}, 10);
    const uint8_t cls = kPedestrian;
    Mesh m;

    const double stride = rng.uniform(0.0, 0.38) * H; // feet apart along the walking direction
    const double hip = 0.52 * H, shoulder = 0.81 * H;
    const double hipHalf = 0.085 * H * rng.uniform(0.9, 1.1);
    const double legR = 0.045 * H * rng.uniform(0.9, 1.15);
    const double torsoDepth = 0.13 * H * rng.uniform(0.9, 1.25);
    const double shoulderHalf = 0.12 * H * rng.uniform(0.92, 1.12);
    for (const int side : {-1, 1}) {
        const double footX = side * stride / 2;
        limb(m, {0, -hip, side * hipHalf}, {footX, -legR, side * hipHalf}, legR, trousers, cls);
        addBox(m, {footX - 0.04, -0.07, side * hipHalf - 0.05}, {footX + 0.2, 0, side * hipHalf + 0.05}, shoes, cls,
               kTex);
        // Arms swing against the legs.
        const double handX = -side * stride * 0.5;
        limb(m, {0, -shoulder, side * (shoulderHalf + 0.04)}, {handX, -hip + 0.02 * H, side * (shoulderHalf + 0.07)},
             0.03 * H, shirt, cls);
    }
    addBox(m, {-torsoDepth / 2, -shoulder - 0.02 * H, -shoulderHalf}, {torsoDepth / 2, -hip + 0.03 * H, shoulderHalf},
           shirt, cls, kTex);
    addEllipsoid(m, {0.01 * H, -0.925 * H, 0}, {0.058 * H, 0.075 * H, 0.052 * H}, 5, face, cls, kTex);
    limb(m, {0, -shoulder, 0}, {0, -0.86 * H, 0}, 0.028 * H, face, cls); // neck
    if (rng.chance(0.3))                                                 // a backpack
        addBox(m, {-torsoDepth / 2 - 0.12, -shoulder + 0.02, -0.13}, {-torsoDepth / 2, -hip + 0.15, 0.13},
               clothing(rng), cls, kTex);
    finish(m, box);
    return m;
}

Mesh makeCyclist(Rng& rng, core::KittiObject& box)
{
    const double R = rng.uniform(0.3, 0.36); // wheel radius
    const double base = rng.uniform(0.98, 1.1);
    const double H = rng.uniform(1.55, 1.9); // rider's height
    const Rgb frame = clothing(rng), shirt = clothing(rng), trousers = clothing(rng), face = skin(rng);
    const Rgb tyre{25, 25, 25};
    const uint8_t cls = kCyclist;
    Mesh m;

    const double rearX = -base / 2, frontX = base / 2;
    for (const double x : {rearX, frontX})
        addCylinder(m, {x, -R, -0.025}, {x, -R, 0.025}, R, 14, tyre, cls, kTex);
    const Vec3 bottom{-0.05, -R, 0}, seat{-0.2, -R - 0.55, 0}, bar{frontX - 0.08, -R - 0.62, 0};
    limb(m, {rearX, -R, 0}, bottom, 0.02, frame, cls);
    limb(m, bottom, seat, 0.022, frame, cls);
    limb(m, {rearX, -R, 0}, seat, 0.018, frame, cls);
    limb(m, bottom, bar, 0.022, frame, cls);
    limb(m, seat + Vec3{0.05, 0, 0}, bar, 0.02, frame, cls);
    limb(m, {frontX, -R, 0}, bar, 0.02, frame, cls);
    limb(m, bar + Vec3{0, 0, -0.24}, bar + Vec3{0, 0, 0.24}, 0.016, frame, cls);

    // The rider: hips on the seat, torso leaning forward, hands on the bar, feet on the pedals.
    const double lean = rng.uniform(0.25, 0.75); // radians from vertical
    const double torso = 0.3 * H;
    const Vec3 hip = seat + Vec3{0, -0.04, 0};
    const Vec3 neck = hip + Vec3{std::sin(lean) * torso, -std::cos(lean) * torso, 0};
    addBox(m, {hip.x - 0.06, neck.y, -0.17}, {neck.x + 0.06, hip.y, 0.17}, shirt, cls, kTex);
    addEllipsoid(m, neck + Vec3{0.05, -0.11, 0}, {0.1, 0.12, 0.09}, 5, rng.chance(0.6) ? clothing(rng) : face, cls,
                 kTex);
    const double crank = rng.uniform(0, 2 * std::numbers::pi);
    for (const int side : {-1, 1}) {
        const double a = crank + (side > 0 ? 0.0 : std::numbers::pi);
        const Vec3 pedal = bottom + Vec3{0.17 * std::cos(a), 0.17 * std::sin(a), side * 0.12};
        const Vec3 knee = (hip + pedal) * 0.5 + Vec3{0.22, -0.05, 0};
        limb(m, hip + Vec3{0, 0, side * 0.1}, knee + Vec3{0, 0, side * 0.11}, 0.06, trousers, cls);
        limb(m, knee + Vec3{0, 0, side * 0.11}, pedal, 0.05, trousers, cls);
        limb(m, neck + Vec3{0, 0.03, side * 0.17}, bar + Vec3{0, 0, side * 0.22}, 0.035, shirt, cls);
    }
    finish(m, box);
    return m;
}

} // namespace lnscope::synth::detail
