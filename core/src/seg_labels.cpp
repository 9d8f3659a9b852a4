#include "lnscope/core/seg_labels.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string_view>
#include <system_error>
#include <unordered_map>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

constexpr std::uintmax_t kMaxJsonBytes = 16u << 20;   // class lists are a few KiB
constexpr std::uintmax_t kMaxPngBytes = 512u << 20;
constexpr int64_t kMaxPixels = int64_t(1) << 28;       // bounded memory for label maps
constexpr int kMaxJsonDepth = 32;

std::string readFileBytes(const fs::path& path, std::uintmax_t maxBytes, const char* what)
{
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status))
        throw IoError(path.string() + ": no such file");
    if (!fs::is_regular_file(status))
        throw IoError(path.string() + ": is not a regular file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec)
        throw IoError(path.string() + ": cannot read the file size: " + ec.message());
    if (size > maxBytes)
        throw FormatError(path.string() + ": " + std::to_string(size) + " bytes is too large for " + what);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError(path.string() + ": cannot open for reading");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad())
        throw IoError(path.string() + ": read failed");
    return buffer.str();
}

void writeFileAtomically(const fs::path& path, const void* data, size_t size)
{
    const fs::path tmp = path.string() + ".part";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw IoError(path.string() + ": cannot open for writing");
        out.write(static_cast<const char*>(data), std::streamsize(size));
        if (!out.flush()) {
            out.close();
            std::error_code ignored;
            fs::remove(tmp, ignored);
            throw IoError(path.string() + ": write failed");
        }
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw IoError(path.string() + ": cannot rename the temporary file: " + ec.message());
    }
}

// ---- A small strict JSON reader (RFC 8259), enough for class lists; no library in core has
// messages that name the line, and cv::FileStorage accepts things JSON does not.

struct JValue
{
    enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
    size_t line = 0;
    bool boolean = false;
    double number = 0.0;
    bool integral = false; // written without fraction or exponent
    std::string text;      // String: the decoded value; Number: as written
    std::vector<JValue> items;
    std::vector<std::pair<std::string, JValue>> members;
};

const char* kindName(JValue::Kind k)
{
    static const char* const names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    return names[k];
}

class JsonParser
{
public:
    JsonParser(std::string_view text, const fs::path& path)
        : m_text(text)
        , m_path(path)
    {
    }

    JValue parseDocument()
    {
        if (m_text.size() >= 3 && m_text.substr(0, 3) == "\xEF\xBB\xBF") // UTF-8 byte order mark
            m_pos = 3;
        skipSpace();
        if (m_pos == m_text.size())
            fail("the file is empty");
        JValue v = parseValue(0);
        skipSpace();
        if (m_pos != m_text.size())
            fail("unexpected text after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& reason) const
    {
        throw FormatError(m_path.string() + ":" + std::to_string(m_line) + ": JSON: " + reason);
    }

    void skipSpace()
    {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == '\n')
                ++m_line;
            else if (c != ' ' && c != '\t' && c != '\r')
                return;
            ++m_pos;
        }
    }

    bool consume(char c)
    {
        if (m_pos < m_text.size() && m_text[m_pos] == c) {
            ++m_pos;
            return true;
        }
        return false;
    }

    void expect(char c, const char* context)
    {
        skipSpace();
        if (!consume(c))
            fail(std::string("expected '") + c + "' " + context);
    }

    JValue parseValue(int depth)
    {
        if (depth > kMaxJsonDepth)
            fail("nesting deeper than " + std::to_string(kMaxJsonDepth));
        skipSpace();
        if (m_pos == m_text.size())
            fail("unexpected end of file");
        JValue v;
        v.line = m_line;
        const char c = m_text[m_pos];
        if (c == '{') {
            v.kind = JValue::Object;
            parseObject(v, depth);
        } else if (c == '[') {
            v.kind = JValue::Array;
            parseArray(v, depth);
        } else if (c == '"') {
            v.kind = JValue::String;
            v.text = parseString();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = JValue::Number;
            parseNumber(v);
        } else if (m_text.substr(m_pos, 4) == "true" || m_text.substr(m_pos, 5) == "false") {
            v.kind = JValue::Bool;
            v.boolean = c == 't';
            m_pos += v.boolean ? 4 : 5;
        } else if (m_text.substr(m_pos, 4) == "null") {
            m_pos += 4;
        } else {
            fail(std::string("unexpected character '") + c + "'");
        }
        return v;
    }

    void parseObject(JValue& v, int depth)
    {
        ++m_pos; // '{'
        skipSpace();
        if (consume('}'))
            return;
        for (;;) {
            skipSpace();
            if (m_pos == m_text.size() || m_text[m_pos] != '"')
                fail("expected a quoted key in the object");
            const size_t keyLine = m_line;
            std::string key = parseString();
            for (const auto& member : v.members)
                if (member.first == key) {
                    m_line = keyLine;
                    fail("duplicate key \"" + key + "\"");
                }
            expect(':', "after the key");
            JValue value = parseValue(depth + 1);
            v.members.emplace_back(std::move(key), std::move(value));
            skipSpace();
            if (consume('}'))
                return;
            if (!consume(','))
                fail("expected ',' or '}' in the object");
        }
    }

    void parseArray(JValue& v, int depth)
    {
        ++m_pos; // '['
        skipSpace();
        if (consume(']'))
            return;
        for (;;) {
            v.items.push_back(parseValue(depth + 1));
            skipSpace();
            if (consume(']'))
                return;
            if (!consume(','))
                fail("expected ',' or ']' in the array");
        }
    }

    static void appendUtf8(std::string& out, uint32_t cp)
    {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }

    uint32_t parseHex4()
    {
        if (m_pos + 4 > m_text.size())
            fail("truncated \\u escape");
        uint32_t cp = 0;
        const auto [end, ec] = std::from_chars(m_text.data() + m_pos, m_text.data() + m_pos + 4, cp, 16);
        if (ec != std::errc() || end != m_text.data() + m_pos + 4)
            fail("bad \\u escape");
        m_pos += 4;
        return cp;
    }

    std::string parseString()
    {
        ++m_pos; // '"'
        std::string out;
        for (;;) {
            if (m_pos >= m_text.size())
                fail("unterminated string");
            const char c = m_text[m_pos++];
            if (c == '"')
                return out;
            if (static_cast<unsigned char>(c) < 0x20)
                fail("control character in a string (unterminated string?)");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (m_pos >= m_text.size())
                fail("unterminated string");
            const char e = m_text[m_pos++];
            switch (e) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                uint32_t cp = parseHex4();
                if (cp >= 0xD800 && cp < 0xDC00) {
                    if (m_text.substr(m_pos, 2) != "\\u")
                        fail("unpaired surrogate in \\u escape");
                    m_pos += 2;
                    const uint32_t low = parseHex4();
                    if (low < 0xDC00 || low >= 0xE000)
                        fail("unpaired surrogate in \\u escape");
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                } else if (cp >= 0xDC00 && cp < 0xE000) {
                    fail("unpaired surrogate in \\u escape");
                }
                appendUtf8(out, cp);
                break;
            }
            default: fail(std::string("bad escape '\\") + e + "'");
            }
        }
    }

    void parseNumber(JValue& v)
    {
        // Validate JSON's grammar (no leading zeros, no '+', no bare '.') before converting.
        const size_t start = m_pos;
        auto digits = [&] {
            const size_t from = m_pos;
            while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9')
                ++m_pos;
            return m_pos - from;
        };
        consume('-');
        const size_t intStart = m_pos;
        const size_t intDigits = digits();
        if (intDigits == 0)
            fail("malformed number");
        if (intDigits > 1 && m_text[intStart] == '0')
            fail("number with a leading zero");
        v.integral = true;
        if (consume('.')) {
            v.integral = false;
            if (digits() == 0)
                fail("malformed number (no digits after '.')");
        }
        if (consume('e') || consume('E')) {
            v.integral = false;
            if (!consume('+'))
                consume('-');
            if (digits() == 0)
                fail("malformed number (no digits in the exponent)");
        }
        v.text = std::string(m_text.substr(start, m_pos - start));
        const auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), v.number);
        if (ec != std::errc() || end != v.text.data() + v.text.size() || !std::isfinite(v.number))
            fail("number " + v.text + " is out of range");
    }

    std::string_view m_text;
    const fs::path& m_path;
    size_t m_pos = 0;
    size_t m_line = 1;
};

JValue parseJsonFile(const fs::path& path)
{
    const std::string text = readFileBytes(path, kMaxJsonBytes, "a class list");
    return JsonParser(text, path).parseDocument();
}

[[noreturn]] void failEntry(const fs::path& path, size_t index, size_t line, const std::string& reason)
{
    throw FormatError(path.string() + ": entry " + std::to_string(index) + " (line " + std::to_string(line)
                      + "): " + reason);
}

int integerIn(const JValue& v, int lo, int hi, const std::string& what, const fs::path& path, size_t index)
{
    if (v.kind != JValue::Number || !v.integral)
        failEntry(path, index, v.line, what + " must be an integer, found " + (v.kind == JValue::Number ? v.text : kindName(v.kind)));
    if (v.number < lo || v.number > hi)
        failEntry(path, index, v.line, what + " " + v.text + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(v.number);
}

// ---- PNG input

const char* pngColourTypeName(int colourType)
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

/// Decodes a PNG after checking its header: 8 bits per sample and the given PNG colour type
/// (0 grey, 2 RGB). The header is checked first so a wrong kind of image is named precisely and
/// a huge one is refused before decoding.
cv::Mat decodePng(const fs::path& path, int wantColourType, const char* purpose)
{
    const std::string bytes = readFileBytes(path, kMaxPngBytes, "a label PNG");
    static const char kSignature[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    if (bytes.size() < 8 || bytes.compare(0, 8, kSignature, 8) != 0)
        throw FormatError(path.string() + ": not a PNG file (" + purpose + " must be PNG)");
    if (bytes.size() < 33 || bytes.compare(12, 4, "IHDR") != 0)
        throw FormatError(path.string() + ": corrupt PNG (no IHDR header)");
    auto be32 = [&](size_t at) {
        return (uint32_t(uint8_t(bytes[at])) << 24) | (uint32_t(uint8_t(bytes[at + 1])) << 16)
               | (uint32_t(uint8_t(bytes[at + 2])) << 8) | uint32_t(uint8_t(bytes[at + 3]));
    };
    const uint32_t width = be32(16), height = be32(20);
    const int bitDepth = uint8_t(bytes[24]), colourType = uint8_t(bytes[25]);
    if (width == 0 || height == 0 || width > 0x7fffffffu || height > 0x7fffffffu)
        throw FormatError(path.string() + ": corrupt PNG (size " + std::to_string(width) + "x" + std::to_string(height) + ")");
    if (int64_t(width) * int64_t(height) > kMaxPixels)
        throw FormatError(path.string() + ": " + std::to_string(width) + "x" + std::to_string(height)
                          + " pixels is too large for a label image");
    const std::string expected = std::string("expected an 8-bit ") + (wantColourType == 0 ? "single-channel" : "RGB")
                                 + " PNG for " + purpose;
    if (colourType != wantColourType)
        throw FormatError(path.string() + ": is a " + pngColourTypeName(colourType) + " PNG; " + expected);
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
    if (image.type() != wantType || image.cols != int(width) || image.rows != int(height))
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
    const JValue root = parseJsonFile(path);
    if (root.kind != JValue::Array)
        throw FormatError(path.string() + ": expected a JSON array of classes, found " + kindName(root.kind));
    std::vector<ClassInfo> classes;
    std::map<int, size_t> entryOfId;
    for (size_t i = 0; i < root.items.size(); ++i) {
        const JValue& entry = root.items[i];
        if (entry.kind != JValue::Object)
            failEntry(path, i, entry.line, std::string("expected an object, found ") + kindName(entry.kind));
        const JValue* id = nullptr;
        const JValue* name = nullptr;
        const JValue* color = nullptr;
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
        if (name->kind != JValue::String || name->text.empty())
            failEntry(path, i, name->line, "name must be a non-empty string");
        info.name = name->text;
        if (color->kind != JValue::Array || color->items.size() != 3)
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
    writeFileAtomically(path, encoded.data(), encoded.size());
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
    const JValue root = parseJsonFile(path);
    if (root.kind != JValue::Object)
        throw FormatError(path.string() + ": expected a JSON object {\"#rrggbb\": \"name\", ...}, found "
                          + kindName(root.kind));
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
        if (value.kind != JValue::String || value.text.empty())
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
