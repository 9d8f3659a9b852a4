#pragma once
// The images of segmentation results: class colours (optionally over the camera image) and RGB8
// maps (difference, error maps) as RGB32 QImages. Shared by the segmentation comparison view and
// the comparison video. Pure functions: usable from any thread.

#include <QImage>
#include <QRgb>

#include <array>
#include <cstdint>
#include <vector>

namespace lnscope::widgets {

/// Colour per class id (256 entries, RGB32) and whether each id is drawn.
struct ClassColourTable
{
    std::array<QRgb, 256> colour{};
    std::array<bool, 256> visible{};
};

/// The RGB32 image of a class-id map: visible classes in their colour — blended over `camera` with
/// `opacity` (0..1) when `camera` is not null (it must be width × height) — hidden classes and
/// ids ≥ 255 show the camera pixel, or `background` without a camera image.
QImage composeClassImage(const std::vector<uint8_t>& ids, int width, int height, const ClassColourTable& table,
                         const QImage& camera, double opacity, QRgb background);

/// An RGB8 buffer (width·height·3) as an RGB32 QImage; null when the sizes do not fit.
QImage rgbToImage(const std::vector<uint8_t>& rgb, int width, int height);

} // namespace lnscope::widgets
