// Workbench sessions; see session.h.

#include "lnscope/core/session.h"

#include "lnscope/core/file_io.h"

#include "lnscope/core/error.h"
#include "lnscope/core/json.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace lnscope::core {

namespace {

using Json = JsonValue;
using Kind = JsonValue::Kind;

struct Reader
{
    std::string file;
    [[noreturn]] void fail(const std::string& key, const std::string& why) const
    {
        throw FormatError(file + ": session key '" + key + "': " + why);
    }
    const Json& get(const Json& obj, const std::string& key, const std::string& path) const
    {
        const Json* v = obj.find(key);
        if (!v)
            fail(path, "missing");
        return *v;
    }
    void only(const Json& obj, std::initializer_list<const char*> keys, const std::string& path) const
    {
        if (obj.kind != Kind::Object)
            fail(path, "expected an object");
        const std::set<std::string> known(keys.begin(), keys.end());
        for (const auto& [k, v] : obj.members)
            if (!known.count(k))
                fail(path.empty() ? k : path + "." + k, "unknown");
    }
    std::string text(const Json& obj, const std::string& key, const std::string& path) const
    {
        const Json& v = get(obj, key, path);
        if (v.kind != Kind::String)
            fail(path, "expected a string");
        return v.text;
    }
    int integer(const Json& obj, const std::string& key, const std::string& path, int lo, int hi) const
    {
        const Json& v = get(obj, key, path);
        if (v.kind != Kind::Number || v.number != std::floor(v.number) || v.number < lo || v.number > hi)
            fail(path, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
        return static_cast<int>(v.number);
    }
};

std::string modelPair(const std::filesystem::path& model, const std::filesystem::path& adapter)
{
    return "{\"model\":" + jsonQuote(model.string()) + ",\"adapter\":" + jsonQuote(adapter.string()) + "}";
}

std::filesystem::path resolve(const std::string& p, const std::filesystem::path& base)
{
    if (p.empty())
        return {};
    const std::filesystem::path path(p);
    return path.is_absolute() ? path : base / path;
}

} // namespace

void writeSession(const Session& s, const std::filesystem::path& path)
{
    std::string out = "{\"format\":\"lnscope-session\",\"version\":" + std::to_string(Session::kVersion);
    out += ",\n\"segmentation\":" + modelPair(s.segmentationModel, s.segmentationAdapter);
    out += ",\n\"stereo\":" + modelPair(s.stereoModel, s.stereoAdapter);
    out += ",\n\"dataset\":" + jsonQuote(s.dataset.string());
    out += ",\n\"conversion\":" + conversionConfigJson(s.conversion);
    out += ",\n\"calibrationFrames\":" + std::to_string(s.calibrationFrames);
    out += ",\n\"view\":{\"frame\":" + std::to_string(s.frame) + ",\"layer\":" + jsonQuote(s.layer) +
           ",\"activeModel\":" + std::to_string(s.activeModel) + ",\"maximizedView\":" + std::to_string(s.maximizedView) +
           ",\"windowState\":" + jsonQuote(s.windowState) + "}}\n";
    writeFileAtomically(path, out);
}

Session readSession(const std::filesystem::path& path)
{
    const std::string file = path.string();
    const std::string text = readWholeFile(path, 16u << 20, "a session");
    Json root;
    try {
        root = parseJson(text);
    } catch (const JsonError& e) {
        throw FormatError(file + ": not a readable session (" + e.what() + ")");
    }
    const Reader r{file};
    if (root.kind != Kind::Object || !root.find("format") || root.find("format")->text != "lnscope-session")
        throw FormatError(file + ": not an LNScope session (no \"format\": \"lnscope-session\")");
    const int version = r.integer(root, "version", "version", 1, 1 << 30);
    if (version > Session::kVersion)
        throw UnsupportedError(file + ": session version " + std::to_string(version) + " is newer than this build's " +
                               std::to_string(Session::kVersion) + "; update LNScope to open it");
    r.only(root, {"format", "version", "segmentation", "stereo", "dataset", "conversion", "calibrationFrames", "view"}, "");
    const std::filesystem::path base = path.parent_path();
    Session s;
    const Json& seg = r.get(root, "segmentation", "segmentation");
    r.only(seg, {"model", "adapter"}, "segmentation");
    s.segmentationModel = resolve(r.text(seg, "model", "segmentation.model"), base);
    s.segmentationAdapter = resolve(r.text(seg, "adapter", "segmentation.adapter"), base);
    const Json& st = r.get(root, "stereo", "stereo");
    r.only(st, {"model", "adapter"}, "stereo");
    s.stereoModel = resolve(r.text(st, "model", "stereo.model"), base);
    s.stereoAdapter = resolve(r.text(st, "adapter", "stereo.adapter"), base);
    s.dataset = resolve(r.text(root, "dataset", "dataset"), base);
    s.conversion = parseConversionConfig(r.get(root, "conversion", "conversion"), file + ": session key 'conversion'");
    s.calibrationFrames = r.integer(root, "calibrationFrames", "calibrationFrames", 1, 100000);
    const Json& view = r.get(root, "view", "view");
    r.only(view, {"frame", "layer", "activeModel", "maximizedView", "windowState"}, "view");
    s.frame = r.integer(view, "frame", "view.frame", 0, 1 << 30);
    s.layer = r.text(view, "layer", "view.layer");
    s.activeModel = r.integer(view, "activeModel", "view.activeModel", 0, 1);
    s.maximizedView = r.integer(view, "maximizedView", "view.maximizedView", -1, 3);
    s.windowState = r.text(view, "windowState", "view.windowState");
    return s;
}

} // namespace lnscope::core
