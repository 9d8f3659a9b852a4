// Writing frames in the KITTI object layout, plus classes.json and synth.json. Every file goes to
// "<name>.part" first and is renamed when complete (DESIGN.md "Bad input").

#include "frame_writer.h"

#include "lnscope/core/error.h"
#include "lnscope/core/file_io.h"
#include "lnscope/core/json.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <system_error>

namespace lnscope::synth {

namespace fs = std::filesystem;

namespace {

void writeBytes(const fs::path& path, const void* data, size_t size)
{
    core::writeFileAtomically(path, std::string_view(static_cast<const char*>(data), size));
}

void writePng(const fs::path& path, const cv::Mat& image)
{
    // zlib level 6 with the default strategy: about half the size of OpenCV's fast default
    // (level 1, run-length strategy) on rendered images, which keeps the committed split small.
    const std::vector<int> params = {cv::IMWRITE_PNG_COMPRESSION, 6, cv::IMWRITE_PNG_STRATEGY,
                                     cv::IMWRITE_PNG_STRATEGY_DEFAULT};
    std::vector<uchar> encoded;
    try {
        if (!cv::imencode(".png", image, encoded, params))
            throw core::IoError(path.string() + ": PNG encoding failed");
    } catch (const cv::Exception& e) {
        throw core::IoError(path.string() + ": PNG encoding failed: " + e.msg);
    }
    writeBytes(path, encoded.data(), encoded.size());
}

void writeRgbPng(const fs::path& path, const std::vector<uint8_t>& rgb, int width, int height)
{
    cv::Mat bgr(height, width, CV_8UC3);
    for (size_t i = 0; i < size_t(width) * size_t(height); ++i) {
        bgr.data[3 * i] = rgb[3 * i + 2];
        bgr.data[3 * i + 1] = rgb[3 * i + 1];
        bgr.data[3 * i + 2] = rgb[3 * i];
    }
    writePng(path, bgr);
}

std::string number(double v)
{
    std::string s;
    core::appendJsonNumber(s, v);
    return s;
}

} // namespace

std::string frameName(int index)
{
    char name[16];
    std::snprintf(name, sizeof name, "%06d", index);
    return name;
}

void createLayout(const fs::path& dir)
{
    for (const char* sub : kLayoutFolders)
        fs::create_directories(dir / sub);
}

void writeFrame(const fs::path& dir, const Frame& frame, const StereoRig& rig)
{
    const std::string name = frameName(frame.index);
    writeRgbPng(dir / "image_2" / (name + ".png"), frame.left, frame.width, frame.height);
    writeRgbPng(dir / "image_3" / (name + ".png"), frame.right, frame.width, frame.height);
    std::vector<core::KittiObject> labels;
    for (const FrameObject& o : frame.objects)
        labels.push_back(o.label);
    core::writeKittiLabels(dir / "label_2" / (name + ".txt"), labels);
    core::writeKittiCalib(dir / "calib" / (name + ".txt"), rig.calib());
    core::writeClassIdPng(dir / "semantic" / (name + ".png"), frame.semantic);
    cv::Mat disparity(frame.height, frame.width, CV_16UC1, const_cast<uint16_t*>(frame.disparity.data()));
    writePng(dir / "disparity" / (name + ".png"), disparity);
}

void writeClassList(const fs::path& path)
{
    // The layout of resources/palettes/classes.json: one class per line.
    std::string out = "[\n";
    const auto& classes = synthClasses();
    for (size_t i = 0; i < classes.size(); ++i) {
        const core::ClassInfo& c = classes[i];
        out += "  {\"id\": " + std::to_string(c.id) + ", \"name\": " + core::jsonQuote(c.name) + ", \"color\": ["
               + std::to_string(c.color[0]) + ", " + std::to_string(c.color[1]) + ", " + std::to_string(c.color[2])
               + "]}" + (i + 1 < classes.size() ? ",\n" : "\n");
    }
    out += "]\n";
    writeBytes(path, out.data(), out.size());
}

void writeRunInfo(const fs::path& path, const SynthOptions& options, const StereoRig& rig,
                  const std::vector<FrameSummary>& frames)
{
    std::string out = "{\n";
    const auto member = [&](const std::string& key, const std::string& value, bool last = false) {
        out += "  " + core::jsonQuote(key) + ": " + value + (last ? "\n" : ",\n");
    };
    member("generator", core::jsonQuote("lnscope-synth"));
    member("generatorVersion", std::to_string(kGeneratorVersion));
    member("lnscopeVersion", core::jsonQuote(LNSCOPE_VERSION));
    member("seed", std::to_string(options.seed));
    member("firstFrame", std::to_string(options.start));
    member("frames", std::to_string(options.frames));
    member("width", std::to_string(rig.width));
    member("height", std::to_string(rig.height));
    member("rig", "{\"focal\": " + number(rig.focal) + ", \"cx\": " + number(rig.cx) + ", \"cy\": " + number(rig.cy)
                      + ", \"baseline\": " + number(rig.baseline) + ", \"nearClip\": " + number(rig.nearClip)
                      + ", \"farClip\": " + number(rig.farClip)
                      + ", \"cameraHeight\": [1.45, 1.9], \"frame\": \"x right, y down, z forward, metres\"}");
    member("labels", "{\"types\": [\"Car\", \"Pedestrian\", \"Cyclist\"], \"bbox\": \"projected 3-D box, clipped\", "
                     "\"occludedThresholds\": {\"0\": "
                         + number(kFullyVisibleShare) + ", \"1\": " + number(kPartlyVisibleShare) + "}}");
    member("semantic", "{\"classes\": \"classes.json\", \"ignore\": 255}");
    member("disparity", "{\"scale\": 256, \"invalid\": 0, \"of\": \"image_2\"}");
    std::string list = "[\n";
    for (size_t i = 0; i < frames.size(); ++i) {
        const FrameSummary& f = frames[i];
        list += "    {\"frame\": " + std::to_string(f.index) + ", \"layout\": " + core::jsonQuote(f.scene.layout)
                + ", \"setting\": " + core::jsonQuote(f.scene.setting) + ", \"timeOfDay\": "
                + core::jsonQuote(f.scene.timeOfDay) + ", \"cameraHeight\": " + number(f.scene.cameraHeight)
                + ", \"objectsPlaced\": " + std::to_string(f.scene.placedObjects)
                + ", \"objectsLabelled\": " + std::to_string(f.labelled) + "}" + (i + 1 < frames.size() ? ",\n" : "\n");
    }
    list += "  ]";
    member("frameScenes", list, true);
    out += "}\n";
    writeBytes(path, out.data(), out.size());
}

} // namespace lnscope::synth
