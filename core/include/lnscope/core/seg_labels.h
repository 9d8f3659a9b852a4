#pragma once
// Segmentation ground truth: class lists (JSON), class-id PNGs, Cityscapes label PNGs and A2D2
// colour label PNGs, all turned into one LabelMap of 8-bit class ids (255 = ignore).
// Readers are strict: a malformed file yields a FormatError naming the file and the entry, line
// or pixel, and the reason (DESIGN.md "Bad input"); a missing or unreadable file an IoError.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lnscope::core {

/// The class id that means "not labelled / do not score".
inline constexpr uint8_t kIgnoreLabel = 255;

/// One class of a segmentation task. Colour is RGB (not OpenCV's BGR).
struct ClassInfo
{
    int id = 0; ///< 0..254 (255 is the ignore value)
    std::string name;
    std::array<uint8_t, 3> color{}; ///< R, G, B
};

/// A per-pixel class-id image, row-major, ids[y * width + x].
struct LabelMap
{
    int width = 0, height = 0;
    std::vector<uint8_t> ids;
};

/// Reads `[{"id":0,"name":"road","color":[128,64,128]}, ...]` (resources/palettes/classes.json).
/// Every entry needs exactly id (integer 0..254), name (non-empty string) and color (3 integers
/// 0..255); ids must be unique. Returns the entries in file order.
/// Throws IoError, or FormatError "file: entry N (line L): reason" (JSON syntax errors name
/// the line).
std::vector<ClassInfo> readClassList(const std::filesystem::path& path);

/// Reads an 8-bit single-channel PNG of class ids. A colour, palette, grey+alpha or 16-bit PNG,
/// or a file that is not a PNG, is refused with a FormatError saying which it is; a corrupt PNG
/// is a FormatError, a missing file an IoError. Images over 2^28 pixels are refused.
LabelMap readClassIdPng(const std::filesystem::path& path);

/// Writes an 8-bit single-channel class-id PNG (temporary file + rename).
/// Throws FormatError when ids.size() != width * height, IoError when writing fails.
void writeClassIdPng(const std::filesystem::path& path, const LabelMap& labels);

/// Cityscapes labelId (0..33) -> trainId (0..18) or 255, the table of cityscapesscripts'
/// labels.py. Ids outside 0..33 map to 255 here; the PNG reader refuses them instead.
uint8_t cityscapesTrainId(int labelId);

/// The 19 Cityscapes training classes (trainId 0..18) with labels.py's names and colours.
std::vector<ClassInfo> cityscapesTrainClasses();

/// Reads a Cityscapes `*_labelIds.png` and maps it to trainIds. A pixel value above 33 is a
/// FormatError naming the first such pixel (x, y) and value.
LabelMap readCityscapesLabelIds(const std::filesystem::path& path);

/// Reads a Cityscapes `*_labelTrainIds.png` as is; values must be 0..18 or 255.
LabelMap readCityscapesTrainIds(const std::filesystem::path& path);

/// Reads A2D2's class_list.json (`{"#ff0000": "Car 1", ...}`). Class ids are the entries' order
/// in the file (0, 1, ...). Colours must be "#rrggbb" (either case) and unique; at most 255 classes.
/// Throws IoError, or FormatError naming the file, the entry and the reason.
std::vector<ClassInfo> readA2d2ClassList(const std::filesystem::path& path);

/// An A2D2 label mapped to class ids, with what did not match.
struct A2d2Label
{
    LabelMap labels;                 ///< unmatched pixels are kIgnoreLabel
    int64_t unmatchedPixels = 0;     ///< pixels whose colour is not in the class list
    int64_t unmatchedColourCount = 0; ///< distinct unmatched colours (exact)
    /// The first distinct unmatched colours (RGB), in scan order, at most kMaxListedColours,
    /// so a noise image cannot make the report unbounded.
    std::vector<std::array<uint8_t, 3>> unmatchedColours;
    static constexpr size_t kMaxListedColours = 64;
};

/// Reads an A2D2 RGB label PNG (8-bit, 3 channels) and maps each colour through `classes`
/// (from readA2d2ClassList). Colours not in the list become kIgnoreLabel and are counted.
/// Throws IoError, or FormatError for a non-RGB/16-bit/corrupt PNG.
A2d2Label readA2d2Label(const std::filesystem::path& path, const std::vector<ClassInfo>& classes);

} // namespace lnscope::core
