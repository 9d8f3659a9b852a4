#include "lnscope/core/stereo_points.h"

#include "lnscope/core/error.h"
#include "lnscope/core/file_io.h"

#include "png_header.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxPngBytes = 256u << 20;
constexpr int64_t kMaxPixels = int64_t(1) << 26; // 64 Mpx: far beyond any stereo camera
constexpr double kDisparityScale = 256.0;

/// "a grey PNG", "an RGB colour PNG", "an 8-bit grey PNG".
std::string withArticle(const std::string& noun)
{
    const bool vowelSound = noun.rfind("RGB", 0) == 0 || noun.rfind("8", 0) == 0
                            || std::string("aeiou").find(noun.empty() ? 'x' : noun[0]) != std::string::npos;
    return (vowelSound ? "an " : "a ") + noun;
}

std::string sizeText(int width, int height)
{
    return std::to_string(width) + "x" + std::to_string(height);
}

} // namespace

DisparityMap readDisparityPng(const fs::path& path)
{
    // The header is checked before decoding, so a wrong kind of image is named precisely and a
    // huge one is refused before any pixel is allocated (as seg_labels.cpp does for label PNGs).
    const std::string bytes = readWholeFile(path, kMaxPngBytes, "a disparity PNG");
    const detail::PngHeader header = detail::checkPngHeader(bytes, path, "a KITTI disparity map must be a 16-bit PNG",
                                                            "a disparity map", kMaxPixels);
    const uint32_t width = header.width, height = header.height;
    const int bitDepth = header.bitDepth, colourType = header.colourType;
    const std::string expected = "expected a 16-bit single-channel PNG (KITTI disparity · 256)";
    if (colourType != 0)
        throw FormatError(path.string() + ": is " + withArticle(std::string(detail::pngColourTypeName(colourType)) + " PNG")
                          + "; " + expected);
    if (bitDepth != 16)
        throw FormatError(path.string() + ": is " + withArticle(std::to_string(bitDepth) + "-bit grey PNG") + "; "
                          + expected);

    cv::Mat image;
    try {
        const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
        image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw FormatError(path.string() + ": corrupt PNG (" + e.msg + ")");
    }
    if (image.empty())
        throw FormatError(path.string() + ": corrupt PNG (could not be decoded)");
    if (image.type() != CV_16UC1 || image.cols != int(width) || image.rows != int(height))
        throw FormatError(path.string() + ": corrupt PNG (decoded image does not match its header)");

    DisparityMap map;
    map.width = image.cols;
    map.height = image.rows;
    map.values.resize(size_t(map.width) * size_t(map.height));
    for (int y = 0; y < map.height; ++y) {
        const uint16_t* row = image.ptr<uint16_t>(y);
        float* out = map.values.data() + size_t(y) * size_t(map.width);
        for (int x = 0; x < map.width; ++x)
            out[x] = float(double(row[x]) / kDisparityScale);
    }
    return map;
}

StereoGeometry stereoGeometry(const KittiCalib& calib)
{
    const auto& p2 = calib.P2;
    StereoGeometry g;
    g.fx = p2[0];
    g.cx = p2[2];
    g.a = p2[3];
    g.fy = p2[5];
    g.cy = p2[6];
    g.b = p2[7];
    g.c = p2[11];
    if (!(g.fx > 0.0) || !(g.fy > 0.0) || !std::isfinite(g.fx) || !std::isfinite(g.fy))
        throw FormatError("calibration: P2 has no positive focal length (fx " + std::to_string(g.fx) + ", fy "
                          + std::to_string(g.fy) + ")");
    g.baseline = (p2[3] - calib.P3[3]) / g.fx;
    if (!(g.baseline > 0.0) || !std::isfinite(g.baseline))
        throw FormatError("calibration: no stereo baseline ((P2[3] - P3[3]) / fx = " + std::to_string(g.baseline)
                          + " m; P3 must be the right camera)");
    return g;
}

int strideForMaxPoints(int width, int height, int maxPoints)
{
    if (width <= 0 || height <= 0)
        return 1;
    const int64_t budget = std::max(1, maxPoints);
    auto countAt = [&](int64_t s) { return ((width + s - 1) / s) * ((height + s - 1) / s); };
    // Start near the answer (√(area / budget)) and step: the count falls monotonically with s.
    int64_t s = std::max<int64_t>(1, int64_t(std::sqrt(double(width) * double(height) / double(budget))));
    while (s > 1 && countAt(s - 1) <= budget)
        --s;
    while (countAt(s) > budget)
        ++s;
    return int(s);
}

std::vector<StereoPoint> disparityToPoints(const DisparityMap& disparity, const KittiCalib& calib,
                                           const StereoPointOptions& options, const RgbImageView* colours)
{
    if (options.stride < 1)
        throw FormatError("stereo points: the stride must be at least 1, not " + std::to_string(options.stride));
    if (!(options.maxRange > 0.0))
        throw FormatError("stereo points: the maximum range must be > 0 m, not " + std::to_string(options.maxRange));
    if (disparity.values.size() != size_t(disparity.width) * size_t(disparity.height))
        throw FormatError("stereo points: a " + sizeText(disparity.width, disparity.height) + " disparity map holds "
                          + std::to_string(disparity.values.size()) + " values");
    if (colours && (colours->width != disparity.width || colours->height != disparity.height))
        throw FormatError("colour image " + sizeText(colours->width, colours->height)
                          + " does not match the disparity map " + sizeText(disparity.width, disparity.height));
    const StereoGeometry g = stereoGeometry(calib);
    const double fxB = g.fx * g.baseline;

    std::vector<StereoPoint> points;
    const int step = options.stride;
    points.reserve(size_t((disparity.width + step - 1) / step) * size_t((disparity.height + step - 1) / step));
    for (int v = 0; v < disparity.height; v += step) {
        for (int u = 0; u < disparity.width; u += step) {
            const double d = disparity.at(u, v);
            if (!(d > 0.0))
                continue;
            const double w = fxB / d;
            const double z = w - g.c;
            if (!(z > 0.0) || z > options.maxRange)
                continue;
            StereoPoint p;
            p.x = float((u * w - g.cx * z - g.a) / g.fx);
            p.y = float((v * w - g.cy * z - g.b) / g.fy);
            p.z = float(z);
            if (colours) {
                const uint8_t* rgb = colours->data + size_t(v) * colours->bytesPerLine + size_t(u) * 3;
                p.r = rgb[0];
                p.g = rgb[1];
                p.b = rgb[2];
            }
            points.push_back(p);
        }
    }
    return points;
}

std::vector<StereoPoint> readStereoPoints(const fs::path& disparityPng, const KittiCalib& calib,
                                          const StereoPointOptions& options, const RgbImageView* colours)
{
    const DisparityMap map = readDisparityPng(disparityPng);
    try {
        return disparityToPoints(map, calib, options, colours);
    } catch (const FormatError& e) {
        throw FormatError(disparityPng.string() + ": " + e.what());
    }
}

} // namespace lnscope::core
