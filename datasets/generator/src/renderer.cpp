// Rendering a scene with VTK offscreen: a lit, textured colour pass per camera; a label pass with
// lighting, textures, multisampling and anti-aliasing off, where every triangle's flat cell colour
// (class id, instance id, 0) reads back exactly; the z-buffer of that pass for disparity; and one
// label pass per visible object rendered alone, for its occlusion level. One render window, one
// renderer and one actor pair per material (and per object) are reused from frame to frame; only
// the polygon data changes.

#include "lnscope/synth/synth.h"

#include "frame_labels.h"
#include "scene.h"
#include "x11_probe.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCellData.h>
#include <vtkFloatArray.h>
#include <vtkIdTypeArray.h>
#include <vtkImageData.h>
#include <vtkLight.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderWindow.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTexture.h>
#include <vtkUnsignedCharArray.h>

#include <cmath>
#include <cstring>
#include <mutex>
#include <numbers>
#include <stdexcept>

namespace lnscope::synth {

namespace {

using detail::Mesh;
using detail::Rng;

// Render windows are created one at a time: VTK's and GLX's set-up paths are not meant to run
// concurrently. Rendering itself runs in parallel, one window per thread.
std::mutex g_windowCreation;

/// Greyscale-ish noise textures that modulate the vertex colours, made from fixed seeds (they are
/// the same in every frame and every run).
vtkSmartPointer<vtkTexture> makeTexture(detail::Material material)
{
    constexpr int n = 128;
    vtkNew<vtkImageData> image;
    image->SetDimensions(n, n, 1);
    image->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
    auto* px = static_cast<uint8_t*>(image->GetScalarPointer());
    Rng rng(0x7E47u + uint32_t(material));
    // Low-frequency value noise (a coarse random grid, bilinearly interpolated, wrapping) plus
    // per-texel grain.
    constexpr int g = 8;
    double grid[g][g];
    for (auto& row : grid)
        for (double& v : row)
            v = rng.unit();
    for (int y = 0; y < n; ++y) {
        for (int x = 0; x < n; ++x) {
            const double fx = double(x) * g / n, fy = double(y) * g / n;
            const int x0 = int(fx), y0 = int(fy);
            const double tx = fx - x0, ty = fy - y0;
            const double low = grid[y0][x0] * (1 - tx) * (1 - ty) + grid[y0][(x0 + 1) % g] * tx * (1 - ty)
                               + grid[(y0 + 1) % g][x0] * (1 - tx) * ty + grid[(y0 + 1) % g][(x0 + 1) % g] * tx * ty;
            const double grain = rng.unit();
            double v = 1.0;
            switch (material) {
            case detail::kAsphalt: v = 0.8 + 0.14 * low + 0.06 * grain; break;
            case detail::kFoliage: v = 0.58 + 0.3 * low + 0.12 * grain; break;
            case detail::kPlain: v = 0.91 + 0.06 * low + 0.03 * grain; break;
            case detail::kFacade: {
                // One window bay per texture tile: a dark window in a lighter wall.
                const bool window = x > n * 0.3 && x < n * 0.7 && y > n * 0.25 && y < n * 0.7;
                v = window ? 0.25 + 0.1 * low + 0.05 * grain : 0.86 + 0.1 * low + 0.04 * grain;
                break;
            }
            default: break;
            }
            const uint8_t b = uint8_t(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
            uint8_t* p = px + (size_t(y) * n + size_t(x)) * 3;
            p[0] = p[1] = b;
            p[2] = material == detail::kFacade && b < 120 ? uint8_t(std::min(255, b + 25)) : b; // bluish glass
        }
    }
    auto texture = vtkSmartPointer<vtkTexture>::New();
    texture->SetInputData(image);
    texture->RepeatOn();
    texture->InterpolateOn();
    // No mipmaps: llvmpipe's mipmapped sampling made the colour passes ten times slower (300 ms
    // instead of 30 ms a frame); the textures are smooth enough that minification aliasing is
    // faint at these image sizes.
    texture->MipmapOff();
    return texture;
}

/// One piece of geometry drawn twice: textured and lit for colour, flat cell colours for labels.
struct ActorPair
{
    vtkSmartPointer<vtkPolyData> poly = vtkSmartPointer<vtkPolyData>::New();
    vtkSmartPointer<vtkActor> colour = vtkSmartPointer<vtkActor>::New();
    vtkSmartPointer<vtkActor> label = vtkSmartPointer<vtkActor>::New();

    ActorPair(vtkRenderer* renderer, vtkTexture* texture)
    {
        vtkNew<vtkPolyDataMapper> colourMapper;
        colourMapper->SetInputData(poly);
        colourMapper->ScalarVisibilityOn();
        colourMapper->SetScalarModeToUsePointFieldData();
        colourMapper->SelectColorArray("rgb");
        colourMapper->SetColorModeToDirectScalars();
        colour->SetMapper(colourMapper);
        colour->SetTexture(texture);

        vtkNew<vtkPolyDataMapper> labelMapper;
        labelMapper->SetInputData(poly);
        labelMapper->ScalarVisibilityOn();
        labelMapper->SetScalarModeToUseCellFieldData();
        labelMapper->SelectColorArray("label");
        labelMapper->SetColorModeToDirectScalars();
        label->SetMapper(labelMapper);
        vtkProperty* p = label->GetProperty();
        p->LightingOff(); // colour = cell colour, exactly
        p->SetAmbient(0.0);
        p->SetDiffuse(1.0);
        p->SetSpecular(0.0);
        p->SetInterpolationToFlat();

        renderer->AddActor(colour);
        renderer->AddActor(label);
    }
};

void upload(const Mesh& mesh, uint8_t instance, vtkPolyData* poly)
{
    const vtkIdType n = vtkIdType(mesh.points.size());
    vtkNew<vtkPoints> points;
    points->SetDataTypeToFloat();
    points->SetNumberOfPoints(n);
    vtkNew<vtkFloatArray> tcoords;
    tcoords->SetNumberOfComponents(2);
    tcoords->SetNumberOfTuples(n);
    vtkNew<vtkUnsignedCharArray> rgb;
    rgb->SetName("rgb");
    rgb->SetNumberOfComponents(3);
    rgb->SetNumberOfTuples(n);
    for (vtkIdType i = 0; i < n; ++i) {
        const auto& p = mesh.points[size_t(i)];
        points->SetPoint(i, p.x, p.y, p.z);
        tcoords->SetTypedTuple(i, mesh.uv[size_t(i)].data());
        const detail::Rgb c = mesh.colors[size_t(i)];
        const uint8_t t[3] = {c.r, c.g, c.b};
        rgb->SetTypedTuple(i, t);
    }
    const vtkIdType triangles = vtkIdType(mesh.triangleCount());
    vtkNew<vtkIdTypeArray> offsets, connectivity;
    offsets->SetNumberOfValues(triangles + 1);
    connectivity->SetNumberOfValues(triangles * 3);
    vtkNew<vtkUnsignedCharArray> label;
    label->SetName("label");
    label->SetNumberOfComponents(3);
    label->SetNumberOfTuples(triangles);
    for (vtkIdType t = 0; t < triangles; ++t) {
        offsets->SetValue(t, 3 * t);
        for (int k = 0; k < 3; ++k)
            connectivity->SetValue(3 * t + k, vtkIdType(mesh.triangles[size_t(3 * t + k)]));
        const uint8_t code[3] = {mesh.classes[size_t(t)], instance, 0};
        label->SetTypedTuple(t, code);
    }
    offsets->SetValue(triangles, 3 * triangles);
    vtkNew<vtkCellArray> cells;
    cells->SetData(offsets, connectivity);

    poly->Initialize();
    poly->SetPoints(points);
    poly->SetPolys(cells);
    poly->GetPointData()->SetTCoords(tcoords);
    poly->GetPointData()->AddArray(rgb);
    poly->GetCellData()->AddArray(label);
    poly->Modified();
}

} // namespace

struct FrameRenderer::Private
{
    StereoRig rig;
    vtkSmartPointer<vtkRenderWindow> window;
    vtkSmartPointer<vtkRenderer> renderer;
    vtkSmartPointer<vtkCamera> camera;
    vtkSmartPointer<vtkLight> sun, fill;
    std::vector<vtkSmartPointer<vtkTexture>> textures;
    std::vector<std::unique_ptr<ActorPair>> statics;
    std::vector<std::unique_ptr<ActorPair>> objects; ///< a pool; only the first `used` are shown
    size_t used = 0;

    void create(void* display);
    void load(const detail::Scene& scene);
    void setCamera(double x);
    enum class Pass { Colour, Label, Solo };
    void show(Pass pass, size_t soloObject = 0);
    void setLighting(const detail::Lighting& l);
    std::vector<uint8_t> readRgb(int x0, int y0, int x1, int y1);
    std::vector<uint16_t> readDisparity();
    int64_t soloPixels(size_t object, const detail::PixelRect& rect);
};

void FrameRenderer::Private::create(void* display)
{
    renderer = vtkSmartPointer<vtkRenderer>::New();
    renderer->AutomaticLightCreationOff();
    renderer->UseFXAAOff();
    camera = vtkSmartPointer<vtkCamera>::New();
    renderer->SetActiveCamera(camera);
    sun = vtkSmartPointer<vtkLight>::New();
    fill = vtkSmartPointer<vtkLight>::New();
    for (vtkLight* light : {sun.Get(), fill.Get()}) {
        light->SetLightTypeToSceneLight();
        light->PositionalOff();
        light->SetFocalPoint(0, 0, 0);
        renderer->AddLight(light);
    }
    for (int m = 0; m < detail::kMaterialCount; ++m) {
        textures.push_back(makeTexture(detail::Material(m)));
        statics.push_back(std::make_unique<ActorPair>(renderer, textures.back()));
    }

    window = vtkSmartPointer<vtkRenderWindow>::New();
    window->SetDisplayId(display);    // the shared, already-probed connection (x11_probe.h)
    window->SetOffScreenRendering(1); // never map an X window; the pixels are read back
    window->SetMultiSamples(0);       // label colours must not be blended at edges
    window->SetPointSmoothing(0);
    window->SetLineSmoothing(0);
    window->SetPolygonSmoothing(0);
    window->SetAlphaBitPlanes(0);
    window->SetSize(rig.width, rig.height);
    window->AddRenderer(renderer);
}

void FrameRenderer::Private::load(const detail::Scene& scene)
{
    // Instance ids are one byte in the label pass (0 = the static scene).
    if (scene.objects.size() > 255)
        throw std::logic_error("a scene holds more than 255 objects");
    for (int m = 0; m < detail::kMaterialCount; ++m)
        upload(scene.statics[size_t(m)], 0, statics[size_t(m)]->poly);
    while (objects.size() < scene.objects.size())
        objects.push_back(std::make_unique<ActorPair>(renderer, textures[detail::kPlain]));
    used = scene.objects.size();
    for (size_t i = 0; i < used; ++i)
        upload(scene.objects[i].mesh, uint8_t(i + 1), objects[i]->poly);
}

void FrameRenderer::Private::setCamera(double x)
{
    // Camera frame = world frame: looking down +z with y down, so image x is world x.
    camera->SetPosition(x, 0, 0);
    camera->SetFocalPoint(x, 0, 1);
    camera->SetViewUp(0, -1, 0);
    camera->SetViewAngle(2.0 * std::atan(rig.height / 2.0 / rig.focal) * 180.0 / std::numbers::pi);
    camera->SetClippingRange(rig.nearClip, rig.farClip);
}

void FrameRenderer::Private::show(Pass pass, size_t soloObject)
{
    const bool colour = pass == Pass::Colour;
    for (auto& s : statics) {
        s->colour->SetVisibility(colour);
        s->label->SetVisibility(pass == Pass::Label);
    }
    for (size_t i = 0; i < objects.size(); ++i) {
        const bool inScene = i < used;
        objects[i]->colour->SetVisibility(colour && inScene);
        objects[i]->label->SetVisibility(inScene && (pass == Pass::Label || (pass == Pass::Solo && i == soloObject)));
    }
    renderer->SetGradientBackground(colour);
    if (!colour)
        renderer->SetBackground(double(kSky) / 255.0, 0.0, 0.0); // where nothing is hit: sky, instance 0
}

void FrameRenderer::Private::setLighting(const detail::Lighting& l)
{
    sun->SetPosition(l.sunDirection.x, l.sunDirection.y, l.sunDirection.z);
    sun->SetColor(l.sunColor[0], l.sunColor[1], l.sunColor[2]);
    sun->SetIntensity(l.sunIntensity);
    fill->SetPosition(0.3, -1.0, -0.2); // from above and a little behind the camera
    fill->SetColor(l.fillColor[0], l.fillColor[1], l.fillColor[2]);
    fill->SetIntensity(l.fillIntensity);
    for (auto* list : {&statics, &objects})
        for (auto& pair : *list) {
            vtkProperty* p = pair->colour->GetProperty();
            p->SetAmbient(l.ambient);
            p->SetDiffuse(1.0 - l.ambient * 0.5);
            p->SetSpecular(0.08);
            p->SetSpecularPower(20);
        }
    // The gradient runs over the whole window while the horizon is near its middle: pick the
    // bottom colour so that the middle row is the horizon colour.
    double bottom[3];
    for (int i = 0; i < 3; ++i)
        bottom[i] = std::clamp(2 * l.skyHorizon[size_t(i)] - l.skyTop[size_t(i)], 0.0, 1.0);
    renderer->SetBackground(bottom);
    renderer->SetBackground2(l.skyTop[0], l.skyTop[1], l.skyTop[2]);
}

std::vector<uint8_t> FrameRenderer::Private::readRgb(int x0, int y0, int x1, int y1)
{
    // Rows are counted from the top here and from the bottom in OpenGL.
    const int w = x1 - x0 + 1, h = y1 - y0 + 1;
    vtkNew<vtkUnsignedCharArray> data;
    window->GetPixelData(x0, rig.height - 1 - y1, x1, rig.height - 1 - y0, 0, data, 0);
    std::vector<uint8_t> out(size_t(w) * size_t(h) * 3);
    const auto* src = data->GetPointer(0);
    const size_t row = size_t(w) * 3;
    for (int y = 0; y < h; ++y)
        std::memcpy(out.data() + size_t(y) * row, src + size_t(h - 1 - y) * row, row);
    return out;
}

std::vector<uint16_t> FrameRenderer::Private::readDisparity()
{
    const int w = rig.width, h = rig.height;
    vtkNew<vtkFloatArray> depth;
    window->GetZbufferData(0, 0, w - 1, h - 1, depth);
    std::vector<uint16_t> out(size_t(w) * size_t(h), 0);
    const double n = rig.nearClip, f = rig.farClip;
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            const double d = depth->GetValue(vtkIdType(h - 1 - y) * w + x);
            if (!(d < 1.0))
                continue; // nothing was hit: sky
            // Window depth back to the camera-frame z of a perspective projection.
            const double z = n * f / (f - d * (f - n));
            const double disparity = rig.focal * rig.baseline / z;
            out[size_t(y) * size_t(w) + size_t(x)] = uint16_t(std::clamp(std::lround(disparity * 256.0), 1L, 65535L));
        }
    }
    return out;
}

int64_t FrameRenderer::Private::soloPixels(size_t object, const detail::PixelRect& rect)
{
    show(Pass::Solo, object);
    window->Render();
    const std::vector<uint8_t> px = readRgb(rect.x0, rect.y0, rect.x1, rect.y1);
    int64_t count = 0;
    for (size_t i = 0; i < px.size(); i += 3)
        count += px[i + 1] == uint8_t(object + 1);
    return count;
}

FrameRenderer::FrameRenderer(const StereoRig& rig) : d(std::make_unique<Private>())
{
    d->rig = rig;
    const detail::X11Display x11 = detail::sharedX11Display();
    if (!x11.display)
        throw RenderUnavailable("cannot render: " + x11.reason);
    const std::lock_guard<std::mutex> lock(g_windowCreation);
    d->create(x11.display);
    d->setCamera(0.0);
    d->show(Private::Pass::Label);
    d->window->Render(); // creates the context now, under the lock
    int* size = d->window->GetActualSize();
    if (size[0] != rig.width || size[1] != rig.height)
        throw RenderUnavailable("the render window is " + std::to_string(size[0]) + "x" + std::to_string(size[1])
                                + " pixels instead of " + std::to_string(rig.width) + "x" + std::to_string(rig.height));
}

FrameRenderer::~FrameRenderer() = default;

Frame FrameRenderer::render(uint32_t seed, int index)
{
    const detail::Scene scene = detail::buildScene(seed, index, d->rig);
    const int w = d->rig.width, h = d->rig.height;
    Frame frame;
    frame.index = index;
    frame.width = w;
    frame.height = h;
    frame.scene = scene.info;
    d->load(scene);
    d->setLighting(scene.lighting);

    d->show(Private::Pass::Colour);
    d->setCamera(d->rig.baseline);
    d->window->Render();
    frame.right = d->readRgb(0, 0, w - 1, h - 1);
    d->setCamera(0.0);
    d->window->Render();
    frame.left = d->readRgb(0, 0, w - 1, h - 1);

    d->show(Private::Pass::Label);
    d->window->Render();
    const std::vector<uint8_t> codes = d->readRgb(0, 0, w - 1, h - 1);
    frame.disparity = d->readDisparity();
    frame.semantic.width = w;
    frame.semantic.height = h;
    frame.semantic.ids.resize(size_t(w) * size_t(h));
    frame.instance.resize(size_t(w) * size_t(h));
    for (size_t i = 0; i < frame.instance.size(); ++i) {
        const uint8_t cls = codes[3 * i], inst = codes[3 * i + 1];
        // Anything that is not a known code would be a rendering fault: mark it ignore.
        const bool valid = cls < kClassCount && inst <= scene.objects.size() && codes[3 * i + 2] == 0;
        frame.semantic.ids[i] = valid ? cls : core::kIgnoreLabel;
        frame.instance[i] = valid ? inst : 0;
    }
    frame.objects = detail::labelObjects(scene, frame, d->rig, [&](size_t object, const detail::PixelRect& rect) {
        return d->soloPixels(object, rect);
    });
    return frame;
}

} // namespace lnscope::synth
