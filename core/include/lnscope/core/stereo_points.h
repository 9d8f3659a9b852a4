#pragma once
// Scene points from a stereo disparity map: the coloured point cloud of the 3-D box view.
//
// Disparity files use KITTI's stereo format (spec/data.md, datasets/README.md): a 16-bit
// single-channel PNG of the left image (camera 2) whose value is disparity · 256, 0 = invalid
// (no surface, sky, occluded).
//
// Geometry: with P2 = [fx 0 cx a; 0 fy cy b; 0 0 1 c] and P3 of the right camera, the baseline
// is B = (P2[3] − P3[3]) / fx (KITTI: 0.54 m), and a pixel (u, v) with disparity d > 0 lies at
// projective depth w = fx · B / d. The point is the one that P2 projects to (u, v) at that depth:
//   z = w − c,  x = (u·w − cx·z − a) / fx,  y = (v·w − cy·z − b) / fy,
// so project(calib, x, y, z) gives (u, v) back. Points are in KITTI's rectified camera-0 frame
// (x right, y down, z forward, metres), the frame of the labels' boxes; for cameras whose P2 has
// no translation (the synthdrive rig) that is the left camera's frame.
//
// Threading: pure functions and plain values; any thread.

#include "lnscope/core/kitti_io.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace lnscope::core {

/// A disparity map: width × height disparities in pixels, row-major, top row first; 0 = invalid.
struct DisparityMap
{
    int width = 0;
    int height = 0;
    std::vector<float> values;

    float at(int x, int y) const { return values[size_t(y) * size_t(width) + size_t(x)]; }
};

/// Reads a KITTI disparity PNG (uint16 = disparity · 256, 0 = invalid). Throws IoError (missing
/// or unreadable file) or FormatError "<path>: reason" for a file that is not a PNG, a PNG that is
/// not 16-bit single-channel ("is an 8-bit grey PNG; expected a 16-bit single-channel PNG ..."),
/// an implausible size or corrupt data.
DisparityMap readDisparityPng(const std::filesystem::path& path);

/// The intrinsics and baseline of the stereo pair, from P2 and P3 (see the header comment).
struct StereoGeometry
{
    double fx = 0, fy = 0, cx = 0, cy = 0; ///< pixels
    double a = 0, b = 0, c = 0;            ///< P2[3], P2[7], P2[11] (camera 2 offset terms)
    double baseline = 0;                   ///< metres, (P2[3] − P3[3]) / fx
};

/// Reads the geometry from a calibration. Throws FormatError when fx or fy is not > 0, or the
/// baseline is not > 0 (P3 missing or equal to P2: no stereo pair).
StereoGeometry stereoGeometry(const KittiCalib& calib);

/// One scene point: camera-0 frame, metres; colour 8-bit RGB (grey 128 without a colour image).
struct StereoPoint
{
    float x = 0, y = 0, z = 0;
    uint8_t r = 128, g = 128, b = 128;
};

struct StereoPointOptions
{
    int stride = 1;         ///< use every stride-th pixel in both directions (≥ 1), from (0, 0)
    double maxRange = 80.0; ///< drop points with depth z > maxRange, metres
};

/// A borrowed 8-bit RGB image (3 bytes per pixel, interleaved R, G, B), rows bytesPerLine apart.
struct RgbImageView
{
    const uint8_t* data = nullptr;
    int width = 0;
    int height = 0;
    size_t bytesPerLine = 0;
};

/// The stride that keeps a width × height map at or under maxPoints points (every stride-th pixel
/// in both directions): the smallest s ≥ 1 with ⌈width/s⌉ · ⌈height/s⌉ ≤ maxPoints. maxPoints < 1
/// counts as 1.
int strideForMaxPoints(int width, int height, int maxPoints);

/// The points of every valid pixel on the stride grid (row by row, left to right) whose depth is
/// within (0, maxRange]. Colours come from `colours` at the same pixel when given. Throws
/// FormatError when the stride is < 1, maxRange is not > 0, the colour image's size differs from
/// the map's ("colour image 640x190 does not match the disparity map 640x192"), and whatever
/// stereoGeometry() throws.
std::vector<StereoPoint> disparityToPoints(const DisparityMap& disparity, const KittiCalib& calib,
                                           const StereoPointOptions& options, const RgbImageView* colours = nullptr);

/// readDisparityPng() then disparityToPoints(); errors about the map name the file.
std::vector<StereoPoint> readStereoPoints(const std::filesystem::path& disparityPng, const KittiCalib& calib,
                                          const StereoPointOptions& options, const RgbImageView* colours = nullptr);

} // namespace lnscope::core
