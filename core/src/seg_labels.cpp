#include "lnscope/core/seg_labels.h"

#include "lnscope/core/error.h"
#include "lnscope/core/json.h"
#include "lnscope/core/file_io.h"

#include "png_header.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxJsonBytes = 16u << 20;   // class lists are a few KiB
constexpr std::uintmax_t kMaxPngBytes = 512u << 20;
constexpr int64_t kMaxPixels = int64_t(1) << 28;       // bounded memory for label maps

using JKind = JsonValue::Kind;

/// Parses a JSON file; syntax errors read "<path>:<line>: JSON: <reason>".
JsonValue parseJsonFile(const fs::path& path)
{
    const std::string text = readWholeFile(path, kMaxJsonBytes, "a class list");
    try {
        return parseJson(text);
    } catch (const JsonError& e) {
        throw FormatError(path.string() + ":" + std::to_string(e.line()) + ": JSON: " + e.reason());
    }
}

[[noreturn]] void failEntry(const fs::path& path, size_t index, size_t line, const std::string& reason)
{
    throw FormatError(path.string() + ": entry " + std::to_string(index) + " (line " + std::to_string(line)
                      + "): " + reason);
}

int integerIn(const JsonValue& v, int lo, int hi, const std::string& what, const fs::path& path, size_t index)
{
    if (v.kind != JKind::Number || !v.integral)
        failEntry(path, index, v.line, what + " must be an integer, found " + (v.kind == JKind::Number ? v.text : jsonKindName(v.kind)));
    if (v.number < lo || v.number > hi)
        failEntry(path, index, v.line, what + " " + v.text + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(v.number);
}

// ---- PNG input

/// Decodes a PNG after checking its header: 8 bits per sample and the given PNG colour type
/// (0 grey, 2 RGB). The header is checked first so a wrong kind of image is named precisely and
/// a huge one is refused before decoding.
cv::Mat decodePng(const fs::path& path, int wantColourType, const char* purpose)
{
    const std::string bytes = readWholeFile(path, kMaxPngBytes, "a label PNG");
    const detail::PngHeader header = detail::checkPngHeader(bytes, path, std::string(purpose) + " must be PNG",
                                                            "a label image", kMaxPixels);
    const int bitDepth = header.bitDepth, colourType = header.colourType;
    const std::string expected = std::string("expected an 8-bit ") + (wantColourType == 0 ? "single-channel" : "RGB")
                                 + " PNG for " + purpose;
    if (colourType != wantColourType)
        throw FormatError(path.string() + ": is a " + detail::pngColourTypeName(colourType) + " PNG; " + expected);
    if (bitDepth != 8)
        throw FormatError(path.string() + ": is a " + std::to_string(bitDepth) + "-bit PNG; " + expected);

    cv::Mat image;
    try {
        const cv::Mat buffer(1, int(bytes.size()), CV_8UC1, const_cast<char*>(bytes.data()));
        image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    } catch (const cv::Exception& e) {
        throw FormatError(path.string() + ": corrupt PNG (" + e.msg + ")");
    }
    const int wantType = wantColourType == 0 ? CV_8UC1 : CV_8UC3;
    if (image.empty())
        throw FormatError(path.string() + ": corrupt PNG (could not be decoded)");
    if (image.type() != wantType || image.cols != int(header.width) || image.rows != int(header.height))
        throw FormatError(path.string() + ": corrupt PNG (decoded image does not match its header)");
    return image;
}

LabelMap labelMapFromMat(const cv::Mat& grey)
{
    LabelMap map;
    map.width = grey.cols;
    map.height = grey.rows;
    map.ids.resize(size_t(grey.cols) * size_t(grey.rows));
    for (int y = 0; y < grey.rows; ++y) {
        const uint8_t* row = grey.ptr<uint8_t>(y);
        std::copy(row, row + grey.cols, map.ids.begin() + ptrdiff_t(y) * grey.cols);
    }
    return map;
}

// cityscapesscripts/helpers/labels.py: labelId -> trainId for ids 0..33.
constexpr uint8_t kCityscapesTrainIds[34] = {
    255, 255, 255, 255, 255, 255, 255, // 0 unlabeled .. 6 ground
    0,   1,                            // 7 road, 8 sidewalk
    255, 255,                          // 9 parking, 10 rail track
    2,   3,   4,                       // 11 building, 12 wall, 13 fence
    255, 255, 255,                     // 14 guard rail, 15 bridge, 16 tunnel
    5,   255,                          // 17 pole, 18 polegroup
    6,   7,   8,   9,   10,            // 19 traffic light, 20 traffic sign, 21 vegetation, 22 terrain, 23 sky
    11,  12,  13,  14,  15,            // 24 person, 25 rider, 26 car, 27 truck, 28 bus
    255, 255,                          // 29 caravan, 30 trailer
    16,  17,  18,                      // 31 train, 32 motorcycle, 33 bicycle
};

} // namespace

std::vector<ClassInfo> readClassList(const fs::path& path)
{
    const JsonValue root = parseJsonFile(path);
    if (root.kind != JKind::Array)
        throw FormatError(path.string() + ": expected a JSON array of classes, found " + jsonKindName(root.kind));
    std::vector<ClassInfo> classes;
    std::map<int, size_t> entryOfId;
    for (size_t i = 0; i < root.items.size(); ++i) {
        const JsonValue& entry = root.items[i];
        if (entry.kind != JKind::Object)
            failEntry(path, i, entry.line, std::string("expected an object, found ") + jsonKindName(entry.kind));
        const JsonValue* id = nullptr;
        const JsonValue* name = nullptr;
        const JsonValue* color = nullptr;
        for (const auto& [key, value] : entry.members) {
            if (key == "id")
                id = &value;
            else if (key == "name")
                name = &value;
            else if (key == "color")
                color = &value;
            else
                failEntry(path, i, value.line, "unknown field \"" + key + "\" (expected id, name, color)");
        }
        for (const auto& [field, value] : {std::pair{"id", id}, std::pair{"name", name}, std::pair{"color", color}})
            if (!value)
                failEntry(path, i, entry.line, std::string("missing field \"") + field + "\"");
        ClassInfo info;
        info.id = integerIn(*id, 0, 254, "id", path, i);
        if (name->kind != JKind::String || name->text.empty())
            failEntry(path, i, name->line, "name must be a non-empty string");
        info.name = name->text;
        if (color->kind != JKind::Array || color->items.size() != 3)
            failEntry(path, i, color->line, "color must be an array of 3 integers [r, g, b]");
        for (int c = 0; c < 3; ++c)
            info.color[c] = uint8_t(integerIn(color->items[c], 0, 255, "color component", path, i));
        const auto [prev, inserted] = entryOfId.emplace(info.id, i);
        if (!inserted)
            failEntry(path, i, id->line, "duplicate id " + std::to_string(info.id) + " (also entry " + std::to_string(prev->second) + ")");
        classes.push_back(std::move(info));
    }
    return classes;
}

LabelMap readClassIdPng(const fs::path& path)
{
    return labelMapFromMat(decodePng(path, 0, "class ids"));
}

void writeClassIdPng(const fs::path& path, const LabelMap& labels)
{
    if (labels.width <= 0 || labels.height <= 0
        || labels.ids.size() != size_t(labels.width) * size_t(labels.height))
        throw FormatError(path.string() + ": label map of " + std::to_string(labels.width) + "x"
                          + std::to_string(labels.height) + " holds " + std::to_string(labels.ids.size()) + " ids");
    const cv::Mat image(labels.height, labels.width, CV_8UC1, const_cast<uint8_t*>(labels.ids.data()));
    std::vector<uchar> encoded;
    try {
        // Encode in memory: imwrite picks the codec by extension, which a ".part" name would break.
        if (!cv::imencode(".png", image, encoded))
            throw IoError(path.string() + ": PNG encoding failed");
    } catch (const cv::Exception& e) {
        throw IoError(path.string() + ": PNG encoding failed: " + e.msg);
    }
    writeFileAtomically(path, std::string_view(reinterpret_cast<const char*>(encoded.data()), encoded.size()));
}

uint8_t cityscapesTrainId(int labelId)
{
    if (labelId < 0 || labelId > 33)
        return kIgnoreLabel;
    return kCityscapesTrainIds[labelId];
}

std::vector<ClassInfo> cityscapesTrainClasses()
{
    return {
        {0, "road", {128, 64, 128}},      {1, "sidewalk", {244, 35, 232}},   {2, "building", {70, 70, 70}},
        {3, "wall", {102, 102, 156}},     {4, "fence", {190, 153, 153}},     {5, "pole", {153, 153, 153}},
        {6, "traffic light", {250, 170, 30}}, {7, "traffic sign", {220, 220, 0}}, {8, "vegetation", {107, 142, 35}},
        {9, "terrain", {152, 251, 152}},  {10, "sky", {70, 130, 180}},       {11, "person", {220, 20, 60}},
        {12, "rider", {255, 0, 0}},       {13, "car", {0, 0, 142}},          {14, "truck", {0, 0, 70}},
        {15, "bus", {0, 60, 100}},        {16, "train", {0, 80, 100}},       {17, "motorcycle", {0, 0, 230}},
        {18, "bicycle", {119, 11, 32}},
    };
}

LabelMap readCityscapesLabelIds(const fs::path& path)
{
    LabelMap map = labelMapFromMat(decodePng(path, 0, "Cityscapes labelIds"));
    for (size_t i = 0; i < map.ids.size(); ++i) {
        const uint8_t id = map.ids[i];
        if (id > 33)
            throw FormatError(path.string() + ": pixel (" + std::to_string(i % size_t(map.width)) + ", "
                              + std::to_string(i / size_t(map.width)) + ") has labelId " + std::to_string(id)
                              + ", outside Cityscapes' 0..33");
        map.ids[i] = kCityscapesTrainIds[id];
    }
    return map;
}

LabelMap readCityscapesTrainIds(const fs::path& path)
{
    LabelMap map = labelMapFromMat(decodePng(path, 0, "Cityscapes trainIds"));
    for (size_t i = 0; i < map.ids.size(); ++i) {
        const uint8_t id = map.ids[i];
        if (id > 18 && id != kIgnoreLabel)
            throw FormatError(path.string() + ": pixel (" + std::to_string(i % size_t(map.width)) + ", "
                              + std::to_string(i / size_t(map.width)) + ") has trainId " + std::to_string(id)
                              + ", not 0..18 or 255");
    }
    return map;
}

std::vector<ClassInfo> readA2d2ClassList(const fs::path& path)
{
    const JsonValue root = parseJsonFile(path);
    if (root.kind != JKind::Object)
        throw FormatError(path.string() + ": expected a JSON object {\"#rrggbb\": \"name\", ...}, found "
                          + jsonKindName(root.kind));
    if (root.members.size() > 255)
        throw FormatError(path.string() + ": " + std::to_string(root.members.size())
                          + " classes; at most 255 fit 8-bit class ids");
    std::vector<ClassInfo> classes;
    std::map<std::array<uint8_t, 3>, size_t> entryOfColour;
    for (size_t i = 0; i < root.members.size(); ++i) {
        const auto& [key, value] = root.members[i];
        bool ok = key.size() == 7 && key[0] == '#';
        ClassInfo info;
        info.id = int(i);
        for (int c = 0; ok && c < 3; ++c) {
            unsigned component = 0;
            const char* first = key.data() + 1 + 2 * c;
            const auto [end, ec] = std::from_chars(first, first + 2, component, 16);
            ok = ec == std::errc() && end == first + 2;
            info.color[c] = uint8_t(component);
        }
        if (!ok)
            failEntry(path, i, value.line, "colour \"" + key + "\" is not of the form #rrggbb");
        if (value.kind != JKind::String || value.text.empty())
            failEntry(path, i, value.line, "the class name for " + key + " must be a non-empty string");
        info.name = value.text;
        const auto [prev, inserted] = entryOfColour.emplace(info.color, i);
        if (!inserted)
            failEntry(path, i, value.line, "colour " + key + " repeats entry " + std::to_string(prev->second));
        classes.push_back(std::move(info));
    }
    return classes;
}

A2d2Label readA2d2Label(const fs::path& path, const std::vector<ClassInfo>& classes)
{
    const cv::Mat bgr = decodePng(path, 2, "an A2D2 label");
    auto pack = [](uint8_t r, uint8_t g, uint8_t b) { return (uint32_t(r) << 16) | (uint32_t(g) << 8) | b; };
    std::unordered_map<uint32_t, uint8_t> idOfColour;
    for (const ClassInfo& c : classes)
        idOfColour.emplace(pack(c.color[0], c.color[1], c.color[2]), uint8_t(std::clamp(c.id, 0, 255)));

    A2d2Label result;
    result.labels.width = bgr.cols;
    result.labels.height = bgr.rows;
    result.labels.ids.resize(size_t(bgr.cols) * size_t(bgr.rows));
    std::vector<uint64_t> seenUnmatched; // one bit per 24-bit colour, allocated on first miss
    uint32_t lastColour = 0xffffffffu;   // labels are large flat regions: cache the last lookup
    uint8_t lastId = kIgnoreLabel;
    bool lastMatched = false;
    for (int y = 0; y < bgr.rows; ++y) {
        const uint8_t* row = bgr.ptr<uint8_t>(y);
        uint8_t* out = result.labels.ids.data() + size_t(y) * size_t(bgr.cols);
        for (int x = 0; x < bgr.cols; ++x) {
            const uint32_t colour = pack(row[3 * x + 2], row[3 * x + 1], row[3 * x]); // OpenCV is BGR
            if (colour != lastColour) {
                const auto it = idOfColour.find(colour);
                lastColour = colour;
                lastMatched = it != idOfColour.end();
                lastId = lastMatched ? it->second : kIgnoreLabel;
            }
            out[x] = lastId;
            if (lastMatched)
                continue;
            ++result.unmatchedPixels;
            if (seenUnmatched.empty())
                seenUnmatched.assign((size_t(1) << 24) / 64, 0);
            uint64_t& word = seenUnmatched[colour >> 6];
            const uint64_t bit = uint64_t(1) << (colour & 63);
            if (word & bit)
                continue;
            word |= bit;
            ++result.unmatchedColourCount;
            if (result.unmatchedColours.size() < A2d2Label::kMaxListedColours)
                result.unmatchedColours.push_back({uint8_t(colour >> 16), uint8_t(colour >> 8), uint8_t(colour)});
        }
    }
    return result;
}

} // namespace lnscope::core
