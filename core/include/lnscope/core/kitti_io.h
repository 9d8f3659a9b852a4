#pragma once
// KITTI object-detection files: label_2/*.txt (one object per line), calib/*.txt (matrices by
// key), and detection results (labels plus a score column). Readers are strict: every malformed
// line yields a FormatError "file:line: reason" naming the field (DESIGN.md "Bad input").
//
// Frames: the rectified camera frame of KITTI's camera 0: x right, y down, z forward, metres.
// Label locations are the bottom centre of the box (the centre of its ground face), not its
// geometric centre. rotation_y is the yaw about camera y, radians, 0 = facing camera x.

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lnscope::core {

/// One line of a KITTI label or result file.
struct KittiObject
{
    std::string type;          ///< "Car", "Pedestrian", "Cyclist", "DontCare", ...
    float truncated = 0.f;     ///< share of the object outside the image, [0, 1]
    int occluded = 0;          ///< 0 visible, 1 partly, 2 largely occluded, 3 unknown
    float alpha = 0.f;         ///< observation angle, radians
    float bbox[4] = {0, 0, 0, 0}; ///< 2-D box in the left image: x1, y1, x2, y2, pixels
    float h = 0.f, w = 0.f, l = 0.f; ///< box height, width, length, metres
    float x = 0.f, y = 0.f, z = 0.f; ///< bottom centre, camera frame, metres
    float rotationY = 0.f;     ///< yaw about camera y, radians, [-pi, pi]
    std::optional<float> score; ///< detection confidence (results only)
};

/// Reads a label or result file: 15 fields per line, or 16 with a score. Empty lines are skipped.
/// Numbers must parse completely (no trailing junk) and be finite. Checked ranges: occluded in
/// {0,1,2,3}, truncated in [0,1], h/w/l >= 0, rotation_y in [-pi, pi] (+1e-3 for rounding),
/// x1 <= x2, y1 <= y2. "DontCare" objects are kept; KITTI fills their 3-D fields with
/// placeholders (-1, -1000, -10), so for them only the 2-D box is range-checked.
/// Throws IoError (missing/unreadable file) or FormatError ("file:line: field: reason").
std::vector<KittiObject> readKittiLabels(const std::filesystem::path& path);

/// Writes detection results in KITTI format with the score column, like the official devkit's
/// result files: "%s %.2f %d %.2f" for type/truncated/occluded/alpha, "%.2f" for the box,
/// dimensions, location and rotation_y, and "%.4f" for the score (so close scores still rank).
/// Formatting is locale-independent. Written to "<path>.part", then renamed over path, so an
/// interrupted write never leaves a file that looks complete.
/// Throws FormatError when an object has no score or a non-finite value (naming its index),
/// IoError when the file cannot be written.
void writeKittiResults(const std::filesystem::path& path, const std::vector<KittiObject>& objects);

/// Writes ground-truth labels in KITTI's label_2 format: the 15 fields without a score, "%s %.2f
/// %d %.2f" for type/truncated/occluded/alpha and "%.2f" for the box, dimensions, location and
/// rotation_y, locale-independent, one object per line. Written to "<path>.part", then renamed.
/// Throws FormatError when a type is empty or not one word, or a value is not finite (naming the
/// object's index), IoError when the file cannot be written.
void writeKittiLabels(const std::filesystem::path& path, const std::vector<KittiObject>& objects);

/// KITTI object calibration. Matrices are row-major. P0..P3 (3x4) project points from the
/// rectified camera-0 frame into the rectified image of camera 0..3 (pixels); R0_rect (3x3)
/// rotates camera 0 into the rectified frame; Tr_velo_to_cam and Tr_imu_to_velo are 3x4 rigid
/// transforms (metres). Keys other than P2 and R0_rect are optional and left zero when absent.
struct KittiCalib
{
    std::array<double, 12> P0{}, P1{}, P2{}, P3{};
    std::array<double, 9> R0_rect{};
    std::array<double, 12> Tr_velo_to_cam{}, Tr_imu_to_velo{};
};

/// Reads a calibration file by key ("P2: v0 v1 ...", any order, unknown keys ignored).
/// Aliases: "R_rect" for R0_rect, "Tr_velo_cam" / "Tr_imu_velo" (KITTI tracking files).
/// Throws IoError, or FormatError for a missing P2 or R0_rect (naming the key), a repeated key,
/// a line without "key:", a bad number or a wrong number of values ("file:line: key: ...").
KittiCalib readKittiCalib(const std::filesystem::path& path);

/// Writes a calibration file as KITTI's object benchmark does: the keys P0, P1, P2, P3, R0_rect,
/// Tr_velo_to_cam, Tr_imu_to_velo in that order, each "key: v0 v1 ..." with the values in "%.12e"
/// (locale-independent), one key per line. Written to "<path>.part", then renamed.
/// Throws FormatError for a non-finite value (naming the key), IoError when writing fails.
void writeKittiCalib(const std::filesystem::path& path, const KittiCalib& calib);

/// Projects a camera-frame point (metres) into the left colour image (camera 2) with P2.
/// Returns (u, v) in pixels. Points at or behind the image plane (projective w <= 0) have no
/// image; the result is then (NaN, NaN). Does not throw.
std::array<double, 2> project(const KittiCalib& calib, double x, double y, double z);

/// The 8 corners of an object's 3-D box in the camera frame (metres), in the order of the KITTI
/// devkit's computeBox3D: corners 0-3 on the ground face (y = bottom), 4-7 on the top face
/// (y - h, since y points down); in the object frame corner i is
/// (±l/2, 0 or -h, ±w/2) with x along the length, then rotated by rotation_y about y.
std::array<std::array<double, 3>, 8> boxCorners(const KittiObject& object);

} // namespace lnscope::core
