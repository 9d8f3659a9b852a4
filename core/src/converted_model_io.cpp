// .lnsz save/load of a ConvertedModel (the conversion itself is in converted_model.cpp).
// See converted_model.h for the design; this file explains only the non-obvious.

#include "lnscope/core/converted_model.h"

#include "lnscope/core/file_io.h"

#include "lnscope/core/error.h"
#include "lnscope/core/json.h"
#include "lnscope/core/lnsz_container.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace lnscope::core {

// ---------------------------------------------------------------------------------------------
// Save / load. The manifest is composed here piece by piece (layers on their own lines, for
// diffable files) from core/json.h's string and number writers, and read with its parser.
// Non-finite numbers are written as the strings "inf", "-inf", "nan".

namespace {

constexpr const char* kManifestFormat = "lnscope-converted";
constexpr int kManifestVersion = 2; // 2: activation format, rule and calibrated parameters

/// A manifest number: JSON has no inf or nan, so those are written as strings.
std::string jsonNumber(double v)
{
    if (std::isnan(v))
        return "\"nan\"";
    if (std::isinf(v))
        return v > 0 ? "\"inf\"" : "\"-inf\"";
    std::string out;
    appendJsonNumber(out, v);
    return out;
}

std::string jsonParams(const std::vector<QuantParam>& params)
{
    std::string out = "[";
    for (size_t k = 0; k < params.size(); ++k)
        out += (k ? ",[" : "[") + std::to_string(params[k].bias) + "," + jsonNumber(params[k].scale) + "]";
    return out + "]";
}

using Json = JsonValue;
using JsonKind = JsonValue::Kind;

/// Typed access to a parsed manifest; every failure is a FormatError naming the file and field.
struct JsonReader
{
    std::string context;
    std::string what = "manifest field";

    [[noreturn]] void fail(const std::string& field, const std::string& why) const
    {
        throw FormatError(context + ": " + what + " '" + field + "': " + why);
    }
    const Json& get(const Json& obj, const std::string& key) const
    {
        for (const auto& [k, v] : obj.members)
            if (k == key)
                return v;
        fail(key, "missing");
    }
    double number(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind == JsonKind::String && (v.text == "inf" || v.text == "-inf" || v.text == "nan"))
            return v.text == "nan" ? std::nan("") : v.text == "inf" ? INFINITY : -INFINITY;
        if (v.kind != JsonKind::Number)
            fail(key, "not a number");
        return v.number;
    }
    int64_t integer(const Json& obj, const std::string& key, int64_t lo, int64_t hi) const
    {
        const double d = number(obj, key);
        if (!(d >= double(lo) && d <= double(hi)) || d != std::floor(d))
            fail(key, "not an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
        return static_cast<int64_t>(d);
    }
    std::string string(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind != JsonKind::String)
            fail(key, "not a string");
        return v.text;
    }
    bool boolean(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind != JsonKind::Bool)
            fail(key, "not a boolean");
        return v.boolean;
    }
    const std::vector<Json>& array(const Json& obj, const std::string& key) const
    {
        const Json& v = get(obj, key);
        if (v.kind != JsonKind::Array)
            fail(key, "not an array");
        return v.items;
    }
    std::vector<QuantParam> params(const Json& obj, const std::string& key) const
    {
        std::vector<QuantParam> out;
        for (const Json& p : array(obj, key)) {
            if (p.kind != JsonKind::Array || p.items.size() != 2 || p.items[0].kind != JsonKind::Number
                || p.items[1].kind != JsonKind::Number || p.items[0].number != std::floor(p.items[0].number)
                || std::fabs(p.items[0].number) > 1e6)
                fail(key, "expected [bias, scale] pairs");
            out.push_back(QuantParam{static_cast<int32_t>(p.items[0].number), p.items[1].number});
        }
        return out;
    }
};

/// Whether a JSON object has `key` (optional keys, e.g. ones older files were written without).
bool hasMember(const Json& object, const char* key)
{
    return std::any_of(object.members.begin(), object.members.end(), [&](const auto& m) { return m.first == key; });
}

std::string configJson(const ConversionConfig& c)
{
    std::ostringstream o;
    o << "{\"weightFormat\":" << jsonQuote(c.weightFormat) << ",\"scaleFormat\":" << jsonQuote(c.scaleFormat)
      << ",\"clusters\":" << c.clusters << ",\"clustersPerLayer\":{";
    bool first = true;
    for (const auto& [node, k] : c.clustersPerLayer) {
        o << (first ? "" : ",") << jsonQuote(node) << ":" << k;
        first = false;
    }
    o << "},\"sharedBook\":" << (c.sharedBook ? "true" : "false") << ",\"pointwise\":" << jsonQuote(toString(c.pointwise))
      << ",\"refine\":" << (c.refine ? "true" : "false") << ",\"reassignRounds\":" << c.reassignRounds
      << ",\"biasCorrection\":" << (c.biasCorrection ? "true" : "false")
      << ",\"correctUpstream\":" << (c.correctUpstream ? "true" : "false")
      << ",\"roundingFeedback\":" << (c.roundingFeedback ? "true" : "false")
      << ",\"seed\":" << c.seed << ",\"maxIterations\":" << c.maxIterations
      << ",\"refineMaxPositions\":" << c.refineMaxPositions
      << ",\"weightRule\":" << jsonQuote(c.weightRule == ParamRule::MinMse ? "minmse" : "absmax")
      << ",\"activationFormat\":" << jsonQuote(c.activationFormat) << ",\"activationRule\":"
      << jsonQuote(c.activationRule == ParamRule::MinMse ? "minmse" : "absmax") << "}";
    return o.str();
}

std::string layerJson(const ConvertedLayer& l)
{
    const CompressedKernels& k = l.kernels;
    std::ostringstream o;
    o << "{\"node\":" << jsonQuote(l.node) << ",\"op\":" << jsonQuote(l.op) << ",\"weightName\":" << jsonQuote(l.weightName)
      << ",\"weightShape\":[";
    for (size_t d = 0; d < l.weightShape.size(); ++d)
        o << (d ? "," : "") << l.weightShape[d];
    o << "],\"outputAxis\":" << l.outputAxis << ",\"weightFormat\":" << jsonQuote(l.weightFormat)
      << ",\"scaleFormat\":" << jsonQuote(l.scaleFormat) << ",\"tiedTo\":" << jsonQuote(l.tiedTo)
      << ",\"clustered\":" << (l.clustered ? "true" : "false") << ",\"book\":" << jsonQuote(l.book)
      << ",\"unit\":" << static_cast<int>(k.unit) << ",\"d\":" << k.d << ",\"clusters\":" << k.clusters
      << ",\"units\":" << k.unitCount() << ",\"indexBits\":" << k.indexBits << ",\"nonZeroUnits\":" << k.nonZeroUnits
      << ",\"inertia\":" << jsonNumber(k.inertia) << ",\"iterations\":" << k.iterations
      << ",\"stop\":" << static_cast<int>(k.stop) << ",\"refined\":" << (l.refined ? "true" : "false")
      << ",\"refineSqnrBeforeDb\":" << jsonNumber(l.refineSqnrBeforeDb)
      << ",\"refineSqnrRefinedDb\":" << jsonNumber(l.refineSqnrRefinedDb)
      << ",\"refineSqnrAfterDb\":" << jsonNumber(l.refineSqnrAfterDb)
      << ",\"centroidParams\":" << jsonParams(l.centroidParams) << ",\"scaleParams\":" << jsonParams(l.scaleParams)
      << ",\"weightParams\":" << jsonParams(l.weightParams) << ",\"biasLength\":" << l.bias.size() << "}";
    return o.str();
}

int codeBytes(const NumberFormat& format) { return (format.bits() + 7) / 8; }

std::vector<uint8_t> packCodes(const std::vector<uint32_t>& codes, int width)
{
    std::vector<uint8_t> out(codes.size() * static_cast<size_t>(width));
    for (size_t k = 0; k < codes.size(); ++k)
        for (int b = 0; b < width; ++b)
            out[k * static_cast<size_t>(width) + static_cast<size_t>(b)] = static_cast<uint8_t>(codes[k] >> (8 * b));
    return out;
}

std::vector<uint32_t> unpackCodes(std::span<const uint8_t> bytes, int width)
{
    std::vector<uint32_t> out(bytes.size() / static_cast<size_t>(width));
    for (size_t k = 0; k < out.size(); ++k)
        for (int b = 0; b < width; ++b)
            out[k] |= uint32_t(bytes[k * static_cast<size_t>(width) + static_cast<size_t>(b)]) << (8 * b);
    return out;
}

std::string sectionName(size_t layer, const char* what)
{
    // Appended piecewise: "L" + std::to_string(...) trips GCC 12's false -Wrestrict.
    std::string name = std::to_string(layer);
    name.insert(name.begin(), 'L');
    name += '.';
    name += what;
    return name;
}

ConversionConfig readConfig(const JsonReader& r, const Json& c)
{
    ConversionConfig cfg;
    cfg.weightFormat = r.string(c, "weightFormat");
    // Files written before scale formats existed stored the scales in the weight format ("").
    if (hasMember(c, "scaleFormat")) {
        cfg.scaleFormat = r.string(c, "scaleFormat");
        if (!cfg.scaleFormat.empty() && !NumberFormatRegistry::builtin().find(cfg.scaleFormat))
            r.fail("scaleFormat", "unknown format '" + cfg.scaleFormat + "'");
    }
    cfg.clusters = static_cast<int>(r.integer(c, "clusters", 1, INT32_MAX));
    const Json& per = r.get(c, "clustersPerLayer");
    for (const auto& [node, v] : per.members) {
        if (v.kind != JsonKind::Number || v.number < 1 || v.number > INT32_MAX)
            r.fail("clustersPerLayer", "bad K for '" + node + "'");
        cfg.clustersPerLayer[node] = static_cast<int>(v.number);
    }
    cfg.sharedBook = r.boolean(c, "sharedBook");
    const std::string pw = r.string(c, "pointwise");
    bool known = false;
    for (PointwisePolicy p : {PointwisePolicy::Keep, PointwisePolicy::ScalarSharing, PointwisePolicy::SubVector})
        if (pw == toString(p))
            cfg.pointwise = p, known = true;
    if (!known)
        r.fail("pointwise", "unknown policy '" + pw + "'");
    cfg.refine = r.boolean(c, "refine");
    // Files written before reassignment existed were refined without it.
    const bool hasRounds = hasMember(c, "reassignRounds");
    cfg.reassignRounds = hasRounds ? static_cast<int>(r.integer(c, "reassignRounds", 0, 16)) : 0;
    const bool hasCorrection = hasMember(c, "biasCorrection");
    cfg.biasCorrection = hasCorrection && r.boolean(c, "biasCorrection");
    const bool hasUpstream = hasMember(c, "correctUpstream");
    cfg.correctUpstream = hasUpstream && r.boolean(c, "correctUpstream");
    // Files written before error-feedback rounding existed rounded each centroid entry to nearest.
    cfg.roundingFeedback = hasMember(c, "roundingFeedback") && r.boolean(c, "roundingFeedback");
    cfg.seed = static_cast<uint32_t>(r.integer(c, "seed", 0, UINT32_MAX));
    cfg.maxIterations = static_cast<int>(r.integer(c, "maxIterations", 0, INT32_MAX));
    cfg.refineMaxPositions = r.integer(c, "refineMaxPositions", 1, INT64_MAX / 2);
    const std::string wrule = r.string(c, "weightRule");
    if (wrule != "absmax" && wrule != "minmse")
        r.fail("weightRule", "unknown rule '" + wrule + "'");
    cfg.weightRule = wrule == "minmse" ? ParamRule::MinMse : ParamRule::AbsMax;
    cfg.activationFormat = r.string(c, "activationFormat");
    if (!cfg.activationFormat.empty() && !NumberFormatRegistry::builtin().find(cfg.activationFormat))
        r.fail("activationFormat", "unknown format '" + cfg.activationFormat + "'");
    const std::string rule = r.string(c, "activationRule");
    if (rule != "absmax" && rule != "minmse")
        r.fail("activationRule", "unknown rule '" + rule + "'");
    cfg.activationRule = rule == "minmse" ? ParamRule::MinMse : ParamRule::AbsMax;
    return cfg;
}

/// Reads one layer's manifest entry and sections; checks it against the refolded graph.
ConvertedLayer readLayer(const JsonReader& r, const Json& j, const LnszReader& file, size_t index, const Graph& folded)
{
    ConvertedLayer l;
    l.node = r.string(j, "node");
    l.op = r.string(j, "op");
    l.weightName = r.string(j, "weightName");
    for (const Json& d : r.array(j, "weightShape"))
        l.weightShape.push_back(d.kind == JsonKind::Number ? static_cast<int64_t>(d.number) : -1);
    const Tensor* w = folded.initializer(l.weightName);
    if (!w || w->shape() != l.weightShape)
        r.fail("layers[" + std::to_string(index) + "]", "weight '" + l.weightName + "' does not match the folded model");
    l.outputAxis = static_cast<int>(r.integer(j, "outputAxis", 0, std::max(0, w->rank() - 1)));
    l.weightFormat = r.string(j, "weightFormat");
    const NumberFormat& format = NumberFormatRegistry::builtin().get(l.weightFormat);
    const int width = codeBytes(format);
    // Files written before scale formats existed stored the scales as weight-format codes.
    const bool hasScaleFormat = hasMember(j, "scaleFormat");
    const std::string scaleName = hasScaleFormat ? r.string(j, "scaleFormat") : std::string();
    if (!scaleName.empty() && !NumberFormatRegistry::builtin().find(scaleName))
        r.fail("layers[" + std::to_string(index) + "].scaleFormat", "unknown format '" + scaleName + "'");
    const NumberFormat& scaleFormat = NumberFormatRegistry::builtin().get(scaleName.empty() ? l.weightFormat : scaleName);
    try {
        checkScaleFormat(format, scaleFormat);
    } catch (const Error& e) {
        r.fail("layers[" + std::to_string(index) + "].scaleFormat", e.what());
    }
    // Files written before tied layers existed converted every layer on its own.
    if (hasMember(j, "tiedTo"))
        l.tiedTo = r.string(j, "tiedTo");
    l.clustered = r.boolean(j, "clustered");
    l.book = r.string(j, "book");
    l.refined = r.boolean(j, "refined");
    l.refineSqnrBeforeDb = r.number(j, "refineSqnrBeforeDb");
    l.refineSqnrRefinedDb = r.number(j, "refineSqnrRefinedDb");
    l.refineSqnrAfterDb = r.number(j, "refineSqnrAfterDb");
    l.centroidParams = r.params(j, "centroidParams");
    l.scaleParams = r.params(j, "scaleParams");
    l.weightParams = r.params(j, "weightParams");
    for (const auto* params : {&l.centroidParams, &l.weightParams})
        for (const QuantParam& p : *params)
            format.checkParam(p);
    for (const QuantParam& p : l.scaleParams)
        scaleFormat.checkParam(p);
    if (file.has(sectionName(index, "b")))
        l.bias = file.floats(sectionName(index, "b"));
    if (!l.clustered) {
        l.weightCodes = unpackCodes(file.bytes(sectionName(index, "w")), width);
        if (static_cast<int64_t>(l.weightCodes.size()) != w->numel()
            || static_cast<int64_t>(l.weightParams.size()) != l.weightShape[static_cast<size_t>(l.outputAxis)])
            r.fail("layers[" + std::to_string(index) + "]", "weight codes or parameters do not fit the shape");
        return l;
    }
    CompressedKernels& k = l.kernels;
    k.weightShape = l.weightShape;
    k.unit = static_cast<ClusterUnit>(r.integer(j, "unit", 0, 2));
    k.d = static_cast<int>(r.integer(j, "d", 1, 1 << 20));
    k.clusters = static_cast<int>(r.integer(j, "clusters", 0, INT32_MAX));
    k.indexBits = static_cast<int>(r.integer(j, "indexBits", 1, 32));
    const auto units = static_cast<size_t>(r.integer(j, "units", 0, w->numel()));
    k.nonZeroUnits = r.integer(j, "nonZeroUnits", 0, static_cast<int64_t>(units));
    k.inertia = r.number(j, "inertia");
    k.iterations = static_cast<int>(r.integer(j, "iterations", 0, INT32_MAX));
    k.stop = static_cast<KMeansStop>(r.integer(j, "stop", 0, 3));
    k.indices = unpackBits(file.bytes(sectionName(index, "idx")), k.indexBits, units);
    k.centroids = file.floats(sectionName(index, "cf"));
    k.scales = file.floats(sectionName(index, "sf"));
    if (file.has(sectionName(index, "cf0"))) {
        l.centroidsBeforeRefine = file.floats(sectionName(index, "cf0"));
        if (l.centroidsBeforeRefine.size() != k.centroids.size())
            r.fail("layers[" + std::to_string(index) + "]", "pre-refinement centroids do not fit the book");
    }
    l.centroidCodes = unpackCodes(file.bytes(sectionName(index, "lut")), width);
    l.scaleCodes = unpackCodes(file.bytes(sectionName(index, "scl")), codeBytes(scaleFormat));
    if (k.unit == ClusterUnit::Kernel)
        l.scaleFormat = scaleFormat.name();
    if (l.centroidCodes.size() != k.centroids.size() || l.scaleCodes.size() != k.scales.size()
        || l.centroidParams.size() != 1 || (k.unit == ClusterUnit::Kernel && l.scaleParams.size() != static_cast<size_t>(l.weightShape[0])))
        r.fail("layers[" + std::to_string(index) + "]", "codes or parameters do not fit the kernels");
    try {
        (void)k.reconstruct(); // validates sizes and indices
    } catch (const Error& e) {
        r.fail("layers[" + std::to_string(index) + "]", e.what());
    }
    return l;
}

} // namespace

ConversionConfig readConversionConfig(const std::filesystem::path& path)
{
    const std::string context = path.string();
    const std::string text = readWholeFile(path, 16u << 20, "a conversion config");
    Json root;
    try {
        root = parseJson(text);
    } catch (const JsonError& e) {
        throw FormatError(context + ": " + e.what());
    }
    return parseConversionConfig(root, context);
}

ConversionConfig parseConversionConfig(const JsonValue& root, const std::string& context)
{
    if (root.kind != JsonKind::Object)
        throw FormatError(context + ": a conversion config must be a JSON object");
    const JsonReader r{context, "config key"};
    static const char* const kKeys[] = {"format",     "scaleFormat", "clusters",         "clustersPerLayer", "sharedBook",
                                        "pointwise",  "refine",           "seed",             "maxIterations",
                                        "refineMaxPositions", "weightRule", "activationFormat", "activationRule",
                                        "reassign", "biasCorrection", "correctUpstream", "roundingFeedback"};
    std::string known;
    for (const char* k : kKeys)
        known += (known.empty() ? "" : ", ") + std::string(k);
    for (const auto& [key, value] : root.members)
        if (std::find(std::begin(kKeys), std::end(kKeys), key) == std::end(kKeys))
            r.fail(key, "unknown (known: " + known + ")");
    auto has = [&](const char* key) { return hasMember(root, key); };
    const auto& registry = NumberFormatRegistry::builtin();
    ConversionConfig cfg;
    if (has("format")) {
        cfg.weightFormat = r.string(root, "format");
        if (!registry.find(cfg.weightFormat))
            r.fail("format", "unknown number format '" + cfg.weightFormat + "'");
    }
    if (has("scaleFormat")) {
        cfg.scaleFormat = r.string(root, "scaleFormat"); // "" = the weight format
        if (!cfg.scaleFormat.empty() && !registry.find(cfg.scaleFormat))
            r.fail("scaleFormat", "unknown number format '" + cfg.scaleFormat + "'");
        try {
            checkScaleFormat(registry.get(cfg.weightFormat), registry.get(cfg.scaleFormatName()));
        } catch (const Error& e) {
            r.fail("scaleFormat", e.what());
        }
    }
    constexpr int64_t kMaxK = 65536;
    if (has("clusters"))
        cfg.clusters = static_cast<int>(r.integer(root, "clusters", 1, kMaxK));
    if (has("clustersPerLayer")) {
        const Json& per = r.get(root, "clustersPerLayer");
        if (per.kind != JsonKind::Object)
            r.fail("clustersPerLayer", "expected an object {\"node\": K}");
        for (const auto& [node, v] : per.members) {
            if (v.kind != JsonKind::Number || v.number != std::floor(v.number) || v.number < 1 || v.number > double(kMaxK))
                r.fail("clustersPerLayer", "K for '" + node + "' must be an integer in 1.." + std::to_string(kMaxK));
            cfg.clustersPerLayer[node] = static_cast<int>(v.number);
        }
    }
    if (has("sharedBook"))
        cfg.sharedBook = r.boolean(root, "sharedBook");
    if (has("pointwise")) {
        const std::string pw = r.string(root, "pointwise");
        bool found = false;
        for (PointwisePolicy p : {PointwisePolicy::Keep, PointwisePolicy::ScalarSharing, PointwisePolicy::SubVector})
            if (pw == toString(p))
                cfg.pointwise = p, found = true;
        if (!found)
            r.fail("pointwise", "unknown policy '" + pw + "' (keep, scalar, subvector)");
    }
    if (has("refine"))
        cfg.refine = r.boolean(root, "refine");
    if (has("seed"))
        cfg.seed = static_cast<uint32_t>(r.integer(root, "seed", 0, UINT32_MAX));
    if (has("maxIterations"))
        cfg.maxIterations = static_cast<int>(r.integer(root, "maxIterations", 0, 100000));
    if (has("reassign"))
        cfg.reassignRounds = static_cast<int>(r.integer(root, "reassign", 0, 16));
    if (has("biasCorrection"))
        cfg.biasCorrection = r.boolean(root, "biasCorrection");
    if (has("correctUpstream"))
        cfg.correctUpstream = r.boolean(root, "correctUpstream");
    if (has("roundingFeedback"))
        cfg.roundingFeedback = r.boolean(root, "roundingFeedback");
    if (has("refineMaxPositions"))
        cfg.refineMaxPositions = r.integer(root, "refineMaxPositions", 1, INT64_MAX / 2);
    if (has("activationFormat")) {
        const std::string f = r.string(root, "activationFormat");
        if (f != "float32" && !f.empty() && !registry.find(f))
            r.fail("activationFormat", "unknown number format '" + f + "'");
        cfg.activationFormat = f == "float32" ? "" : f;
    }
    if (has("weightRule")) {
        const std::string rule = r.string(root, "weightRule");
        if (rule != "absmax" && rule != "minmse")
            r.fail("weightRule", "unknown rule '" + rule + "' (absmax, minmse)");
        cfg.weightRule = rule == "minmse" ? ParamRule::MinMse : ParamRule::AbsMax;
    }
    if (has("activationRule")) {
        const std::string rule = r.string(root, "activationRule");
        if (rule != "absmax" && rule != "minmse")
            r.fail("activationRule", "unknown rule '" + rule + "' (absmax, minmse)");
        cfg.activationRule = rule == "minmse" ? ParamRule::MinMse : ParamRule::AbsMax;
    }
    return cfg;
}

std::string conversionConfigJson(const ConversionConfig& c)
{
    std::ostringstream o;
    o << "{\"format\":" << jsonQuote(c.weightFormat) << ",\"scaleFormat\":" << jsonQuote(c.scaleFormat)
      << ",\"clusters\":" << c.clusters << ",\"clustersPerLayer\":{";
    bool first = true;
    for (const auto& [node, k] : c.clustersPerLayer) {
        o << (first ? "" : ",") << jsonQuote(node) << ":" << k;
        first = false;
    }
    o << "},\"sharedBook\":" << (c.sharedBook ? "true" : "false") << ",\"pointwise\":" << jsonQuote(toString(c.pointwise))
      << ",\"refine\":" << (c.refine ? "true" : "false") << ",\"reassign\":" << c.reassignRounds << ",\"biasCorrection\":" << (c.biasCorrection ? "true" : "false")
      << ",\"correctUpstream\":" << (c.correctUpstream ? "true" : "false")
      << ",\"roundingFeedback\":" << (c.roundingFeedback ? "true" : "false")
      << ",\"seed\":" << c.seed << ",\"maxIterations\":" << c.maxIterations
      << ",\"refineMaxPositions\":" << c.refineMaxPositions
      << ",\"weightRule\":" << jsonQuote(c.weightRule == ParamRule::MinMse ? "minmse" : "absmax")
      << ",\"activationFormat\":" << jsonQuote(c.activationFormat.empty() ? "float32" : c.activationFormat)
      << ",\"activationRule\":" << jsonQuote(c.activationRule == ParamRule::MinMse ? "minmse" : "absmax") << "}";
    return o.str();
}

void saveConverted(const ConvertedModel& model, const std::filesystem::path& path)
{
    std::ostringstream manifest;
    manifest << "{\"format\":" << jsonQuote(kManifestFormat) << ",\"version\":" << kManifestVersion
             << ",\"modelHash\":" << jsonQuote(modelHash(model.original)) << ",\"config\":" << configJson(model.config)
             << ",\"notes\":[";
    for (size_t k = 0; k < model.notes.size(); ++k)
        manifest << (k ? "," : "") << jsonQuote(model.notes[k]);
    manifest << "],\"activations\":{\"format\":" << jsonQuote(model.activations.format)
             << ",\"frames\":" << model.activations.frames << ",\"params\":{";
    bool firstParam = true;
    for (const auto& [name, p] : model.activations.params) {
        manifest << (firstParam ? "" : ",") << jsonQuote(name) << ":" << jsonParams({p});
        firstParam = false;
    }
    manifest << "}},\"layers\":[";
    for (size_t k = 0; k < model.layers.size(); ++k)
        manifest << (k ? ",\n" : "\n") << layerJson(model.layers[k]);
    manifest << "]}\n";

    LnszWriter writer;
    writer.addJson("manifest", manifest.str());
    for (size_t k = 0; k < model.layers.size(); ++k) {
        const ConvertedLayer& l = model.layers[k];
        const int width = codeBytes(NumberFormatRegistry::builtin().get(l.weightFormat));
        if (l.clustered) {
            writer.addSection(sectionName(k, "idx"), SectionType::Bytes, l.kernels.packedIndices());
            writer.addSection(sectionName(k, "lut"), SectionType::Bytes, packCodes(l.centroidCodes, width));
            const int scaleWidth = l.scaleFormat.empty() ? width : codeBytes(NumberFormatRegistry::builtin().get(l.scaleFormat));
            writer.addSection(sectionName(k, "scl"), SectionType::Bytes, packCodes(l.scaleCodes, scaleWidth));
            writer.addFloats(sectionName(k, "cf"), l.kernels.centroids);
            writer.addFloats(sectionName(k, "sf"), l.kernels.scales);
            if (l.refined)
                writer.addFloats(sectionName(k, "cf0"), l.centroidsBeforeRefine);
        } else {
            writer.addSection(sectionName(k, "w"), SectionType::Bytes, packCodes(l.weightCodes, width));
        }
        if (!l.bias.empty())
            writer.addFloats(sectionName(k, "b"), l.bias);
    }
    writer.write(path);
}

ConvertedModel loadConverted(const std::filesystem::path& path, const Graph& originalModel)
{
    const LnszReader file = LnszReader::open(path);
    const std::string context = path.string();
    const std::string text = file.json("manifest");
    Json root;
    try {
        root = parseJson(text);
    } catch (const JsonError& e) {
        throw FormatError(context + ": manifest JSON: " + e.what());
    }
    const JsonReader r{context};
    if (root.kind != JsonKind::Object || r.string(root, "format") != kManifestFormat)
        throw FormatError(context + ": not a converted model (manifest format is not '" + kManifestFormat + "')");
    if (r.integer(root, "version", 0, INT32_MAX) != kManifestVersion)
        throw UnsupportedError(context + ": converted-model manifest version " + jsonNumber(r.number(root, "version"))
                               + " is not supported (this build reads " + std::to_string(kManifestVersion) + ")");
    const std::string savedHash = r.string(root, "modelHash");
    const std::string hash = modelHash(originalModel);
    if (savedHash != hash)
        throw FormatError(context + ": converted from another model (model hash " + savedHash + ", given model "
                          + hash + ")");

    ConvertedModel m;
    m.config = readConfig(r, r.get(root, "config"));
    for (const Json& n : r.array(root, "notes"))
        m.notes.push_back(n.text);
    const Json& acts = r.get(root, "activations");
    m.activations.format = r.string(acts, "format");
    if (!m.activations.format.empty() && !NumberFormatRegistry::builtin().find(m.activations.format))
        r.fail("activations", "unknown format '" + m.activations.format + "'");
    m.activations.frames = r.integer(acts, "frames", 0, INT64_MAX / 2);
    const Json& params = r.get(acts, "params");
    if (params.kind != JsonKind::Object)
        r.fail("activations", "params must be an object");
    for (const auto& [name, v] : params.members) {
        Json wrapper;
        wrapper.kind = JsonKind::Object;
        wrapper.members.emplace_back("p", v);
        const std::vector<QuantParam> p = r.params(wrapper, "p");
        if (p.size() != 1)
            r.fail("activations", "expected one [bias, scale] pair for '" + name + "'");
        m.activations.params[name] = p[0];
    }
    m.original = originalModel;
    BnFoldResult folded = foldBatchNorm(originalModel);
    m.folded = std::move(folded.graph);
    m.bnRecords = std::move(folded.records);
    const auto& layers = r.array(root, "layers");
    for (size_t k = 0; k < layers.size(); ++k) {
        m.layers.push_back(readLayer(r, layers[k], file, k, m.folded));
        const std::string& tied = m.layers.back().tiedTo;
        if (!tied.empty()
            && std::none_of(m.layers.begin(), m.layers.end() - 1, [&](const ConvertedLayer& l) { return l.node == tied; }))
            r.fail("layers[" + std::to_string(k) + "].tiedTo", "'" + tied + "' is not an earlier layer");
    }
    return m;
}

} // namespace lnscope::core
