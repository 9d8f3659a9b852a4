#pragma once
// The header check that core's PNG readers (label images, disparity maps) run before decoding, so
// that a wrong kind of image is named precisely and a huge one is refused before any pixel is
// allocated. Private to lnscope_core.

#include "lnscope/core/error.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace lnscope::core::detail {

struct PngHeader
{
    uint32_t width = 0, height = 0;
    int bitDepth = 0;   ///< bits per sample
    int colourType = 0; ///< PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
};

inline const char* pngColourTypeName(int colourType)
{
    switch (colourType) {
    case 0: return "grey";
    case 2: return "RGB colour";
    case 3: return "palette (indexed colour)";
    case 4: return "grey+alpha";
    case 6: return "RGBA colour";
    default: return "unknown colour type";
    }
}

/// Checks the signature and the IHDR chunk of `bytes` (the whole file at `path`) and returns the
/// header. Throws FormatError naming the file: "not a PNG file (<notPngHint>)", a corrupt header
/// or size, or "<w>x<h> pixels is too large for <imageKind>" beyond maxPixels.
inline PngHeader checkPngHeader(const std::string& bytes, const std::filesystem::path& path, const std::string& notPngHint,
                                const std::string& imageKind, int64_t maxPixels)
{
    static const char kSignature[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    if (bytes.size() < 8 || bytes.compare(0, 8, kSignature, 8) != 0)
        throw FormatError(path.string() + ": not a PNG file (" + notPngHint + ")");
    if (bytes.size() < 33 || bytes.compare(12, 4, "IHDR") != 0)
        throw FormatError(path.string() + ": corrupt PNG (no IHDR header)");
    auto be32 = [&](size_t at) {
        return (uint32_t(uint8_t(bytes[at])) << 24) | (uint32_t(uint8_t(bytes[at + 1])) << 16)
               | (uint32_t(uint8_t(bytes[at + 2])) << 8) | uint32_t(uint8_t(bytes[at + 3]));
    };
    PngHeader h;
    h.width = be32(16);
    h.height = be32(20);
    h.bitDepth = uint8_t(bytes[24]);
    h.colourType = uint8_t(bytes[25]);
    if (h.width == 0 || h.height == 0 || h.width > 0x7fffffffu || h.height > 0x7fffffffu)
        throw FormatError(path.string() + ": corrupt PNG (size " + std::to_string(h.width) + "x" + std::to_string(h.height) + ")");
    if (int64_t(h.width) * int64_t(h.height) > maxPixels)
        throw FormatError(path.string() + ": " + std::to_string(h.width) + "x" + std::to_string(h.height)
                          + " pixels is too large for " + imageKind);
    return h;
}

} // namespace lnscope::core::detail
