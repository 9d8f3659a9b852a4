#include "lnscope/core/kitti_io.h"

#include "lnscope/core/error.h"
#include "lnscope/core/file_io.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <numbers>
#include <sstream>
#include <string_view>
#include <system_error>
#include <utility>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

// Label and calib files are a few KiB; the cap keeps a wrong path (a video, a disk image) from
// being slurped into memory.
constexpr std::uintmax_t kMaxTextFileBytes = 64u << 20;
constexpr double kRotationEpsilon = 1e-3;

std::string readTextFile(const fs::path& path)
{
    return readWholeFile(path, kMaxTextFileBytes, "a KITTI text file");
}

std::vector<std::string_view> splitLines(std::string_view text)
{
    std::vector<std::string_view> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') // files written on Windows
            line.remove_suffix(1);
        lines.push_back(line);
        if (end == text.size())
            break;
        start = end + 1;
    }
    return lines;
}

std::vector<std::string_view> splitFields(std::string_view line)
{
    std::vector<std::string_view> fields;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
            ++i;
        const size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t')
            ++i;
        if (i > start)
            fields.push_back(line.substr(start, i - start));
    }
    return fields;
}

/// Where an error happened: "file:line".
struct Where
{
    const fs::path& path;
    size_t line;
    std::string str() const { return path.string() + ":" + std::to_string(line); }
};

[[noreturn]] void fail(const Where& where, std::string_view field, const std::string& reason)
{
    throw FormatError(where.str() + ": " + std::string(field) + ": " + reason);
}

std::string quoted(std::string_view s)
{
    // Cap the echo so a binary file does not produce a megabyte message.
    constexpr size_t kMaxEcho = 40;
    // Appended piecewise: "lit" + std::string&& trips GCC 12's -Wrestrict false positive.
    std::string out(1, '"');
    out.append(s.substr(0, kMaxEcho));
    if (s.size() > kMaxEcho)
        out.append("...");
    out.push_back('"');
    return out;
}

// std::from_chars is locale-independent (unlike strtod under a Qt app's setlocale) and reports
// where parsing stopped, which is how trailing junk ("1.5x") is caught.
double parseDouble(std::string_view text, const Where& where, std::string_view field)
{
    double value = 0.0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        fail(where, field, quoted(text) + " is out of range");
    if (ec != std::errc() || end == text.data())
        fail(where, field, quoted(text) + " is not a number");
    if (end != text.data() + text.size())
        fail(where, field, quoted(text) + " has trailing characters after the number");
    if (!std::isfinite(value))
        fail(where, field, quoted(text) + " is not a finite number");
    return value;
}

float parseFloat(std::string_view text, const Where& where, std::string_view field)
{
    const double value = parseDouble(text, where, field);
    if (std::fabs(value) > double(std::numeric_limits<float>::max()))
        fail(where, field, quoted(text) + " is out of range for float");
    return static_cast<float>(value);
}

int parseInt(std::string_view text, const Where& where, std::string_view field)
{
    int value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range)
        fail(where, field, quoted(text) + " is out of range");
    if (ec != std::errc() || end == text.data())
        fail(where, field, quoted(text) + " is not an integer");
    if (end != text.data() + text.size())
        fail(where, field, quoted(text) + " has trailing characters after the integer");
    return value;
}

std::string fmt(double v)
{
    std::ostringstream s;
    s << v;
    return s.str();
}

KittiObject parseLabelLine(const std::vector<std::string_view>& f, const Where& where)
{
    if (f.size() != 15 && f.size() != 16)
        fail(where, "line", "expected 15 fields (16 with score), found " + std::to_string(f.size()));
    KittiObject o;
    o.type = std::string(f[0]);
    o.truncated = parseFloat(f[1], where, "truncated");
    o.occluded = parseInt(f[2], where, "occluded");
    o.alpha = parseFloat(f[3], where, "alpha");
    static const char* const kBoxNames[4] = {"bbox x1", "bbox y1", "bbox x2", "bbox y2"};
    for (int i = 0; i < 4; ++i)
        o.bbox[i] = parseFloat(f[4 + i], where, kBoxNames[i]);
    o.h = parseFloat(f[8], where, "height");
    o.w = parseFloat(f[9], where, "width");
    o.l = parseFloat(f[10], where, "length");
    o.x = parseFloat(f[11], where, "location x");
    o.y = parseFloat(f[12], where, "location y");
    o.z = parseFloat(f[13], where, "location z");
    o.rotationY = parseFloat(f[14], where, "rotation_y");
    if (f.size() == 16)
        o.score = parseFloat(f[15], where, "score");

    if (o.bbox[0] > o.bbox[2])
        fail(where, "bbox x1", "x1 " + fmt(o.bbox[0]) + " is greater than x2 " + fmt(o.bbox[2]));
    if (o.bbox[1] > o.bbox[3])
        fail(where, "bbox y1", "y1 " + fmt(o.bbox[1]) + " is greater than y2 " + fmt(o.bbox[3]));
    // DontCare regions carry placeholder 3-D fields (-1, -1000, -10) by KITTI's convention.
    if (o.type == "DontCare")
        return o;
    if (o.truncated < 0.f || o.truncated > 1.f)
        fail(where, "truncated", fmt(o.truncated) + " is outside [0, 1]");
    if (o.occluded < 0 || o.occluded > 3)
        fail(where, "occluded", std::to_string(o.occluded) + " is not one of 0, 1, 2, 3");
    if (o.h < 0.f)
        fail(where, "height", fmt(o.h) + " is negative");
    if (o.w < 0.f)
        fail(where, "width", fmt(o.w) + " is negative");
    if (o.l < 0.f)
        fail(where, "length", fmt(o.l) + " is negative");
    if (std::fabs(double(o.rotationY)) > std::numbers::pi + kRotationEpsilon)
        fail(where, "rotation_y", fmt(o.rotationY) + " is outside [-pi, pi]");
    return o;
}

void appendFixed(std::string& out, double v, int precision)
{
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, precision);
    if (ec != std::errc()) // only for huge values; the writer rejects non-finite ones earlier
        throw FormatError("cannot format " + fmt(v));
    out.append(buf, end);
}

} // namespace

std::vector<KittiObject> readKittiLabels(const fs::path& path)
{
    const std::string text = readTextFile(path);
    std::vector<KittiObject> objects;
    size_t lineNo = 0;
    for (const std::string_view line : splitLines(text)) {
        ++lineNo;
        const std::vector<std::string_view> fields = splitFields(line);
        if (fields.empty())
            continue;
        objects.push_back(parseLabelLine(fields, Where{path, lineNo}));
    }
    return objects;
}

void writeKittiResults(const fs::path& path, const std::vector<KittiObject>& objects)
{
    std::string out;
    for (size_t i = 0; i < objects.size(); ++i) {
        const KittiObject& o = objects[i];
        const std::string who = path.string() + ": object " + std::to_string(i) + " (" + o.type + ")";
        if (!o.score)
            throw FormatError(who + ": has no score; result files need one");
        if (o.type.empty() || o.type.find_first_of(" \t\r\n") != std::string::npos)
            throw FormatError(who + ": the type must be one word");
        const double values[] = {o.truncated, o.alpha, o.bbox[0], o.bbox[1], o.bbox[2], o.bbox[3], o.h, o.w, o.l,
                                 o.x,         o.y,     o.z,       o.rotationY, *o.score};
        for (double v : values)
            if (!std::isfinite(v))
                throw FormatError(who + ": has a non-finite value");
        out += o.type;
        out += ' ';
        appendFixed(out, o.truncated, 2);
        out += ' ' + std::to_string(o.occluded);
        for (size_t k = 1; k < 13; ++k) {
            out += ' ';
            appendFixed(out, values[k], 2);
        }
        out += ' ';
        appendFixed(out, *o.score, 4);
        out += '\n';
    }

    writeFileAtomically(path, out);
}

void writeKittiLabels(const fs::path& path, const std::vector<KittiObject>& objects)
{
    std::string out;
    for (size_t i = 0; i < objects.size(); ++i) {
        const KittiObject& o = objects[i];
        const std::string who = path.string() + ": object " + std::to_string(i) + " (" + o.type + ")";
        if (o.type.empty() || o.type.find_first_of(" \t\r\n") != std::string::npos)
            throw FormatError(who + ": the type must be one word");
        const double values[] = {o.truncated, o.alpha, o.bbox[0], o.bbox[1], o.bbox[2], o.bbox[3], o.h,
                                 o.w,         o.l,     o.x,       o.y,       o.z,       o.rotationY};
        for (double v : values)
            if (!std::isfinite(v))
                throw FormatError(who + ": has a non-finite value");
        out += o.type;
        out += ' ';
        appendFixed(out, o.truncated, 2);
        out += ' ' + std::to_string(o.occluded);
        for (size_t k = 1; k < std::size(values); ++k) {
            out += ' ';
            appendFixed(out, values[k], 2);
        }
        out += '\n';
    }
    writeFileAtomically(path, out);
}

void writeKittiCalib(const fs::path& path, const KittiCalib& calib)
{
    const std::pair<const char*, std::vector<double>> entries[] = {
        {"P0", {calib.P0.begin(), calib.P0.end()}},
        {"P1", {calib.P1.begin(), calib.P1.end()}},
        {"P2", {calib.P2.begin(), calib.P2.end()}},
        {"P3", {calib.P3.begin(), calib.P3.end()}},
        {"R0_rect", {calib.R0_rect.begin(), calib.R0_rect.end()}},
        {"Tr_velo_to_cam", {calib.Tr_velo_to_cam.begin(), calib.Tr_velo_to_cam.end()}},
        {"Tr_imu_to_velo", {calib.Tr_imu_to_velo.begin(), calib.Tr_imu_to_velo.end()}},
    };
    std::string out;
    for (const auto& [key, values] : entries) {
        out += key;
        out += ':';
        for (const double v : values) {
            if (!std::isfinite(v))
                throw FormatError(path.string() + ": " + key + ": has a non-finite value");
            char buf[64];
            const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific, 12);
            if (ec != std::errc())
                throw FormatError(path.string() + ": " + key + ": cannot format " + fmt(v));
            out += ' ';
            out.append(buf, end);
        }
        out += '\n';
    }
    writeFileAtomically(path, out);
}

KittiCalib readKittiCalib(const fs::path& path)
{
    const std::string text = readTextFile(path);
    KittiCalib calib;
    struct Slot
    {
        const char* canonical;
        double* data;
        size_t count;
    };
    const std::map<std::string_view, Slot> slots = {
        {"P0", {"P0", calib.P0.data(), 12}},
        {"P1", {"P1", calib.P1.data(), 12}},
        {"P2", {"P2", calib.P2.data(), 12}},
        {"P3", {"P3", calib.P3.data(), 12}},
        {"R0_rect", {"R0_rect", calib.R0_rect.data(), 9}},
        {"R_rect", {"R0_rect", calib.R0_rect.data(), 9}},
        {"Tr_velo_to_cam", {"Tr_velo_to_cam", calib.Tr_velo_to_cam.data(), 12}},
        {"Tr_velo_cam", {"Tr_velo_to_cam", calib.Tr_velo_to_cam.data(), 12}},
        {"Tr_imu_to_velo", {"Tr_imu_to_velo", calib.Tr_imu_to_velo.data(), 12}},
        {"Tr_imu_velo", {"Tr_imu_to_velo", calib.Tr_imu_to_velo.data(), 12}},
    };
    std::map<std::string, size_t> seen; // canonical key -> line it was read from

    size_t lineNo = 0;
    for (const std::string_view line : splitLines(text)) {
        ++lineNo;
        const Where where{path, lineNo};
        std::vector<std::string_view> fields = splitFields(line);
        if (fields.empty())
            continue;
        // "P2: 1 2 3" is the norm; tolerate "P2 : 1 2 3" by joining a lone colon to its key.
        std::string_view key = fields[0];
        size_t first = 1;
        if (key.back() != ':' && fields.size() > 1 && fields[1] == ":")
            first = 2;
        else if (key.back() == ':')
            key.remove_suffix(1);
        else
            fail(where, key, "expected \"key: values\"");
        const auto it = slots.find(key);
        if (it == slots.end())
            continue; // read by key: other entries (calib_time, S_00, ...) are not ours
        const Slot& slot = it->second;
        const auto [prev, inserted] = seen.emplace(slot.canonical, lineNo);
        if (!inserted)
            fail(where, key, std::string("repeats ") + slot.canonical + " from line " + std::to_string(prev->second));
        const size_t count = fields.size() - first;
        if (count != slot.count)
            fail(where, key, "expected " + std::to_string(slot.count) + " values, found " + std::to_string(count));
        for (size_t i = 0; i < count; ++i)
            slot.data[i] = parseDouble(fields[first + i], where, key);
    }
    for (const char* required : {"P2", "R0_rect"})
        if (!seen.count(required))
            throw FormatError(path.string() + ": missing required key " + required
                              + (std::string_view(required) == "R0_rect" ? " (or R_rect)" : ""));
    return calib;
}

std::array<double, 2> project(const KittiCalib& calib, double x, double y, double z)
{
    const auto& P = calib.P2;
    const double u = P[0] * x + P[1] * y + P[2] * z + P[3];
    const double v = P[4] * x + P[5] * y + P[6] * z + P[7];
    const double w = P[8] * x + P[9] * y + P[10] * z + P[11];
    if (!(w > 0.0))
        return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
    return {u / w, v / w};
}

std::array<std::array<double, 3>, 8> boxCorners(const KittiObject& o)
{
    // As the devkit's computeBox3D.m: R = [c 0 s; 0 1 0; -s 0 c], corners in the object frame,
    // then rotated and translated to the bottom centre.
    const double l = o.l, w = o.w, h = o.h;
    const double xs[8] = {l / 2, l / 2, -l / 2, -l / 2, l / 2, l / 2, -l / 2, -l / 2};
    const double ys[8] = {0, 0, 0, 0, -h, -h, -h, -h};
    const double zs[8] = {w / 2, -w / 2, -w / 2, w / 2, w / 2, -w / 2, -w / 2, w / 2};
    const double c = std::cos(double(o.rotationY)), s = std::sin(double(o.rotationY));
    std::array<std::array<double, 3>, 8> corners{};
    for (int i = 0; i < 8; ++i) {
        corners[i][0] = c * xs[i] + s * zs[i] + o.x;
        corners[i][1] = ys[i] + o.y;
        corners[i][2] = -s * xs[i] + c * zs[i] + o.z;
    }
    return corners;
}

} // namespace lnscope::core
