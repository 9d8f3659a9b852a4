// Float vs converted on a dataset; see evaluation.h.

#include "lnscope/core/evaluation.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace lnscope::core {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// Float and converted boxes of one class pair up when their BEV IoU exceeds this: loose on
/// purpose, a converted box that moved half a car length is still "the same car, moved".
constexpr double kPairIoU = 0.1;

double sqnrOf(double xx, double ee)
{
    if (!(xx > 0))
        return kNaN;
    return ee > 0 ? 10.0 * std::log10(xx / ee) : std::numeric_limits<double>::infinity();
}

/// Adds every float output pair to `sums`; returns this frame's SQNR.
double addOutputs(const TensorMap& ref, const TensorMap& got, OutputSums& sums)
{
    double xx = 0, ee = 0;
    for (const auto& [name, a] : ref) {
        auto it = got.find(name);
        if (!a.isFloat() || it == got.end() || it->second.shape() != a.shape())
            continue;
        const auto x = a.floats(), y = it->second.floats();
        for (size_t i = 0; i < x.size(); ++i) {
            const double d = double(x[i]) - double(y[i]);
            xx += double(x[i]) * double(x[i]);
            ee += d * d;
            sums.maxAbs = std::max(sums.maxAbs, std::fabs(d));
        }
        sums.count += static_cast<int64_t>(x.size());
    }
    sums.xx += xx;
    sums.ee += ee;
    return sqnrOf(xx, ee);
}

// ---- JSON helpers ---------------------------------------------------------------------------

using Json = JsonValue;

/// A small builder over JsonValue: Obj().set("a", 1).set("b", "x").value.
struct Obj
{
    Json value = Json::makeObject();
    Obj& set(const std::string& key, Json v)
    {
        value.add(key, std::move(v));
        return *this;
    }
};
Json jnum(double v) { return Json::makeNumber(v); }
Json jint(int64_t v) { return Json::makeNumber(static_cast<double>(v)); }
Json jstr(const std::string& v) { return Json::makeString(v); }
Json jbool(bool v) { return Json::makeBool(v); }

[[noreturn]] void bad(const std::string& what)
{
    throw FormatError("evaluation counts JSON: " + what);
}
const Json& member(const Json& obj, const std::string& key)
{
    if (obj.kind != Json::Kind::Object)
        bad("expected an object around '" + key + "'");
    for (const auto& [k, v] : obj.members)
        if (k == key)
            return v;
    bad("missing '" + key + "'");
}
double number(const Json& obj, const std::string& key)
{
    const Json& v = member(obj, key);
    if (v.kind == Json::Kind::Null)
        return kNaN;
    if (v.kind == Json::Kind::String && (v.text == "inf" || v.text == "-inf"))
        return v.text == "inf" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    if (v.kind != Json::Kind::Number)
        bad("'" + key + "' is not a number");
    return v.number;
}
int64_t integer(const Json& obj, const std::string& key)
{
    const double d = number(obj, key);
    if (!(d >= 0 && d <= 9007199254740992.0) || d != std::floor(d))
        bad("'" + key + "' is not a count");
    return static_cast<int64_t>(d);
}
Json num(double v)
{
    if (std::isnan(v))
        return Json();
    if (std::isinf(v))
        return jstr(v > 0 ? "inf" : "-inf");
    return jnum(v);
}

Json frameJson(const FrameSummary& f)
{
    return Obj()
        .set("id", jstr(f.id))
        .set("outputSqnrDb", num(f.outputSqnrDb))
        .set("pixelAgreement", num(f.pixelAgreement))
        .set("floatPixelAccuracy", num(f.floatPixelAccuracy))
        .set("convertedPixelAccuracy", num(f.convertedPixelAccuracy))
        .set("floatBoxes", jint(f.floatBoxes))
        .set("convertedBoxes", jint(f.convertedBoxes))
        .set("groundTruthBoxes", jint(f.groundTruthBoxes))
        .set("matchedBoxes", jint(f.matchedBoxes))
        .set("onlyFloat", jint(f.onlyFloat))
        .set("onlyConverted", jint(f.onlyConverted))
        .value;
}

FrameSummary frameFromJson(const Json& j)
{
    FrameSummary f;
    const Json& id = member(j, "id");
    if (id.kind != Json::Kind::String)
        bad("frame id is not a string");
    f.id = id.text;
    f.outputSqnrDb = number(j, "outputSqnrDb");
    f.pixelAgreement = number(j, "pixelAgreement");
    f.floatPixelAccuracy = number(j, "floatPixelAccuracy");
    f.convertedPixelAccuracy = number(j, "convertedPixelAccuracy");
    f.floatBoxes = integer(j, "floatBoxes");
    f.convertedBoxes = integer(j, "convertedBoxes");
    f.groundTruthBoxes = integer(j, "groundTruthBoxes");
    f.matchedBoxes = integer(j, "matchedBoxes");
    f.onlyFloat = integer(j, "onlyFloat");
    f.onlyConverted = integer(j, "onlyConverted");
    return f;
}

template <typename T>
void mergeOptional(std::optional<T>& into, const std::optional<T>& other, const char* what)
{
    if (into.has_value() != other.has_value())
        throw FormatError(std::string("evaluation merge: only one shard has ") + what);
    if (into)
        into->merge(*other);
}

} // namespace

// ---- counts -----------------------------------------------------------------------------------

void EvaluationCounts::merge(const EvaluationCounts& o)
{
    if (task != o.task)
        throw FormatError("evaluation merge: tasks differ ('" + task + "' and '" + o.task + "')");
    if (hasConverted != o.hasConverted)
        throw FormatError("evaluation merge: only one shard evaluated a converted model");
    std::set<std::string> ids;
    for (const FrameSummary& f : frameList)
        ids.insert(f.id);
    for (const FrameSummary& f : o.frameList)
        if (ids.count(f.id))
            throw FormatError("evaluation merge: frame " + f.id + " is in two shards");
    try {
        mergeOptional(segFloat, o.segFloat, "segmentation counts");
        mergeOptional(segConverted, o.segConverted, "converted segmentation counts");
        mergeOptional(segAgreement, o.segAgreement, "pixel agreement counts");
        mergeOptional(detFloat, o.detFloat, "detection counts");
        mergeOptional(detConverted, o.detConverted, "converted detection counts");
    } catch (const ShapeError& e) {
        throw FormatError(std::string("evaluation merge: ") + e.what());
    }
    frames += o.frames;
    boxes.pairs += o.boxes.pairs;
    boxes.onlyFloat += o.boxes.onlyFloat;
    boxes.onlyConverted += o.boxes.onlyConverted;
    boxes.centre += o.boxes.centre;
    boxes.absDh += o.boxes.absDh;
    boxes.absDw += o.boxes.absDw;
    boxes.absDl += o.boxes.absDl;
    boxes.absHeading += o.boxes.absHeading;
    boxes.absScore += o.boxes.absScore;
    outputs.count += o.outputs.count;
    outputs.xx += o.outputs.xx;
    outputs.ee += o.outputs.ee;
    outputs.maxAbs = std::max(outputs.maxAbs, o.outputs.maxAbs);
    frameList.insert(frameList.end(), o.frameList.begin(), o.frameList.end());
    std::stable_sort(frameList.begin(), frameList.end(), [](const FrameSummary& a, const FrameSummary& b) { return a.id < b.id; });
}

JsonValue EvaluationCounts::toJson() const
{
    Json frameArray = Json::makeArray();
    for (const FrameSummary& f : frameList)
        frameArray.items.push_back(frameJson(f));
    Obj j;
    j.set("kind", jstr("lnscope_evaluation_counts"))
        .set("version", jint(1))
        .set("task", jstr(task))
        .set("hasConverted", jbool(hasConverted))
        .set("frames", jint(frames))
        .set("boxes", Obj()
                          .set("pairs", jint(boxes.pairs))
                          .set("onlyFloat", jint(boxes.onlyFloat))
                          .set("onlyConverted", jint(boxes.onlyConverted))
                          .set("centre", jnum(boxes.centre))
                          .set("absDh", jnum(boxes.absDh))
                          .set("absDw", jnum(boxes.absDw))
                          .set("absDl", jnum(boxes.absDl))
                          .set("absHeading", jnum(boxes.absHeading))
                          .set("absScore", jnum(boxes.absScore))
                          .value)
        .set("outputs", Obj()
                            .set("count", jint(outputs.count))
                            .set("xx", jnum(outputs.xx))
                            .set("ee", jnum(outputs.ee))
                            .set("maxAbs", jnum(outputs.maxAbs))
                            .value)
        .set("frameList", frameArray)
        .set("segFloat", segFloat ? segFloat->toJson() : Json())
        .set("segConverted", segConverted ? segConverted->toJson() : Json())
        .set("segAgreement", segAgreement ? segAgreement->toJson() : Json())
        .set("detFloat", detFloat ? detFloat->toJson() : Json())
        .set("detConverted", detConverted ? detConverted->toJson() : Json());
    return j.value;
}

EvaluationCounts EvaluationCounts::fromJson(const JsonValue& j)
{
    const Json& kind = member(j, "kind");
    if (kind.kind != Json::Kind::String || kind.text != "lnscope_evaluation_counts")
        bad("not evaluation counts (kind is not 'lnscope_evaluation_counts')");
    if (integer(j, "version") != 1)
        bad("unsupported version");
    static const std::set<std::string> known = {"kind", "version", "task", "hasConverted", "frames", "boxes", "outputs",
                                                "frameList", "segFloat", "segConverted", "segAgreement", "detFloat",
                                                "detConverted"};
    for (const auto& [k, v] : j.members)
        if (!known.count(k))
            bad("unknown member '" + k + "'");
    EvaluationCounts c;
    const Json& task = member(j, "task");
    if (task.kind != Json::Kind::String)
        bad("'task' is not a string");
    c.task = task.text;
    const Json& conv = member(j, "hasConverted");
    if (conv.kind != Json::Kind::Bool)
        bad("'hasConverted' is not a boolean");
    c.hasConverted = conv.boolean;
    c.frames = integer(j, "frames");
    const Json& b = member(j, "boxes");
    c.boxes.pairs = integer(b, "pairs");
    c.boxes.onlyFloat = integer(b, "onlyFloat");
    c.boxes.onlyConverted = integer(b, "onlyConverted");
    c.boxes.centre = number(b, "centre");
    c.boxes.absDh = number(b, "absDh");
    c.boxes.absDw = number(b, "absDw");
    c.boxes.absDl = number(b, "absDl");
    c.boxes.absHeading = number(b, "absHeading");
    c.boxes.absScore = number(b, "absScore");
    const Json& o = member(j, "outputs");
    c.outputs.count = integer(o, "count");
    c.outputs.xx = number(o, "xx");
    c.outputs.ee = number(o, "ee");
    c.outputs.maxAbs = number(o, "maxAbs");
    const Json& fl = member(j, "frameList");
    if (fl.kind != Json::Kind::Array)
        bad("'frameList' is not an array");
    for (const Json& f : fl.items)
        c.frameList.push_back(frameFromJson(f));
    auto optional = [&](const char* key, auto reader) {
        const Json& v = member(j, key);
        return v.kind == Json::Kind::Null ? std::nullopt : std::optional(reader(v));
    };
    c.segFloat = optional("segFloat", [](const Json& v) { return SegConfusion::fromJson(v); });
    c.segConverted = optional("segConverted", [](const Json& v) { return SegConfusion::fromJson(v); });
    c.segAgreement = optional("segAgreement", [](const Json& v) { return PixelAgreementAccumulator::fromJson(v); });
    c.detFloat = optional("detFloat", [](const Json& v) { return DetAccumulator::fromJson(v); });
    c.detConverted = optional("detConverted", [](const Json& v) { return DetAccumulator::fromJson(v); });
    return c;
}

// ---- metrics ----------------------------------------------------------------------------------

EvaluationMetrics summarize(const EvaluationCounts& c, const std::vector<ClassInfo>& classes)
{
    EvaluationMetrics m;
    m.frames = c.frames;
    m.floatMiou = m.convertedMiou = m.pixelAgreement = m.miouConvertedVsFloat = kNaN;
    m.floatCarBevAp50 = m.convertedCarBevAp50 = m.floatCarBevAp70 = m.convertedCarBevAp70 = kNaN;
    m.floatCar3dAp50 = m.convertedCar3dAp50 = kNaN;
    auto classIou = [](const SegScores& s) {
        std::vector<double> out;
        for (const auto& cls : s.perClass)
            out.push_back(cls.present ? cls.iou : kNaN);
        return out;
    };
    if (c.segFloat) {
        const SegScores s = c.segFloat->scores();
        m.floatMiou = s.meanIoU;
        m.floatClassIou = classIou(s);
        for (int k = 0; k < c.segFloat->classes(); ++k)
            m.classNames.push_back(size_t(k) < classes.size() ? classes[size_t(k)].name : "class " + std::to_string(k));
    }
    if (c.segConverted) {
        const SegScores s = c.segConverted->scores();
        m.convertedMiou = s.meanIoU;
        m.convertedClassIou = classIou(s);
    }
    if (c.segAgreement) {
        const PixelAgreement a = c.segAgreement->result();
        m.pixelAgreement = a.agreement;
        m.miouConvertedVsFloat = a.convertedVsReference.meanIoU;
    }
    auto carAp = [](const std::vector<DetApResult>& cells, DetMetric metric, int table) {
        for (const DetApResult& r : cells)
            if (r.className == "Car" && r.difficulty == KittiDifficulty::Moderate && r.metric == metric && r.table == table)
                return r.apR40;
        return kNaN;
    };
    if (c.detFloat) {
        m.floatAp = c.detFloat->results();
        m.floatCarBevAp70 = carAp(m.floatAp, DetMetric::Bev, 0);
        m.floatCarBevAp50 = carAp(m.floatAp, DetMetric::Bev, 1);
        m.floatCar3dAp50 = carAp(m.floatAp, DetMetric::Box3d, 1);
    }
    if (c.detConverted) {
        m.convertedAp = c.detConverted->results();
        m.convertedCarBevAp70 = carAp(m.convertedAp, DetMetric::Bev, 0);
        m.convertedCarBevAp50 = carAp(m.convertedAp, DetMetric::Bev, 1);
        m.convertedCar3dAp50 = carAp(m.convertedAp, DetMetric::Box3d, 1);
    }
    m.boxes = c.boxes;
    m.outputSqnrDb = c.hasConverted ? sqnrOf(c.outputs.xx, c.outputs.ee) : kNaN;
    // Most disagreement: lowest pixel agreement (segmentation), most unmatched boxes (stereo3d),
    // else lowest output SQNR. NaN never wins.
    double worst = -1;
    for (size_t i = 0; i < c.frameList.size(); ++i) {
        const FrameSummary& f = c.frameList[i];
        double badness = kNaN;
        if (!std::isnan(f.pixelAgreement))
            badness = 1.0 - f.pixelAgreement;
        else if (c.task == "stereo3d" && c.hasConverted)
            badness = double(f.onlyFloat + f.onlyConverted);
        else if (!std::isnan(f.outputSqnrDb))
            badness = -f.outputSqnrDb;
        if (!std::isnan(badness) && (m.worstFrame < 0 || badness > worst)) {
            worst = badness;
            m.worstFrame = static_cast<int>(i);
        }
    }
    return m;
}

// ---- evaluation -------------------------------------------------------------------------------

EvaluationCounts evaluateDataset(const Graph& model, const AdapterConfig& adapter, const LnsEmulator* converted,
                                 const Dataset& dataset, const std::vector<size_t>& frameIndices, int threads,
                                 Progress* progress, const std::vector<std::string>& floatOutputs)
{
    for (const std::string& name : floatOutputs)
        if (std::none_of(model.outputs.begin(), model.outputs.end(), [&](const ValueInfo& o) { return o.name == name; })) {
            std::string known;
            for (const ValueInfo& o : model.outputs)
                known += (known.empty() ? "" : ", ") + o.name;
            throw FormatError("evaluation: '" + name + "' is not an output of the model (outputs: " + known + ")");
        }
    const TaskAdapter& task = adapterFor(adapter);
    const Executor exec(model, ExecOptions{threads});
    EvaluationCounts c;
    c.task = adapter.task;
    c.hasConverted = converted != nullptr;
    const bool seg = adapter.task == "segmentation" && dataset.hasSemantic();
    const bool det = adapter.task == "stereo3d" && dataset.hasLabels();
    if (seg) {
        const int classes = static_cast<int>(adapter.segmentation.classes.size());
        c.segFloat.emplace(classes, adapter.segmentation.ignore);
        if (converted)
            c.segConverted.emplace(classes, adapter.segmentation.ignore);
    }
    if (adapter.task == "segmentation" && converted)
        c.segAgreement.emplace(static_cast<int>(adapter.segmentation.classes.size()), adapter.segmentation.ignore);
    if (det) {
        c.detFloat.emplace();
        if (converted)
            c.detConverted.emplace();
    }
    std::vector<size_t> indices = frameIndices;
    if (indices.empty())
        for (size_t i = 0; i < dataset.frames.size(); ++i)
            indices.push_back(i);
    for (size_t n = 0; n < indices.size(); ++n) {
        if (indices[n] >= dataset.frames.size())
            throw ShapeError("evaluation: frame index " + std::to_string(indices[n]) + " is out of range");
        const Frame& frame = dataset.frames[indices[n]];
        if (progress) {
            progress->checkCancelled();
            progress->report(double(n) / double(indices.size()), "frame " + frame.id);
        }
        FrameSummary f;
        f.id = frame.id;
        f.outputSqnrDb = f.pixelAgreement = f.floatPixelAccuracy = f.convertedPixelAccuracy = kNaN;
        const TensorMap inputs = task.makeInputs(adapter, frame);
        const TensorMap floatOut = exec.run(inputs);
        const TaskResult floatResult = task.interpret(adapter, floatOut, frame);
        std::optional<TaskResult> convResult;
        if (converted) {
            TensorMap convOut = converted->run(inputs);
            for (const std::string& name : floatOutputs)
                convOut[name] = floatOut.at(name);
            f.outputSqnrDb = addOutputs(floatOut, convOut, c.outputs);
            convResult = task.interpret(adapter, convOut, frame);
        }
        if (const auto* fp = std::get_if<SegPrediction>(&floatResult)) {
            const SegPrediction* cp = convResult ? std::get_if<SegPrediction>(&*convResult) : nullptr;
            if (seg) {
                const LabelMap labels = frame.semanticLabels();
                SegConfusion one(c.segFloat->classes(), adapter.segmentation.ignore);
                one.add(labels, *fp);
                f.floatPixelAccuracy = one.scores().pixelAccuracy;
                c.segFloat->merge(one);
                if (cp) {
                    SegConfusion two(c.segFloat->classes(), adapter.segmentation.ignore);
                    two.add(labels, *cp);
                    f.convertedPixelAccuracy = two.scores().pixelAccuracy;
                    c.segConverted->merge(two);
                    PixelAgreementAccumulator agree(c.segFloat->classes(), adapter.segmentation.ignore);
                    agree.add(*fp, *cp, labels);
                    f.pixelAgreement = agree.result().agreement;
                    c.segAgreement->merge(agree);
                }
            } else if (cp) {
                PixelAgreementAccumulator agree(static_cast<int>(adapter.segmentation.classes.size()),
                                                adapter.segmentation.ignore);
                agree.add(*fp, *cp);
                f.pixelAgreement = agree.result().agreement;
                c.segAgreement->merge(agree);
            }
        } else if (const auto* fb = std::get_if<std::vector<KittiObject>>(&floatResult)) {
            const auto* cb = convResult ? std::get_if<std::vector<KittiObject>>(&*convResult) : nullptr;
            f.floatBoxes = static_cast<int64_t>(fb->size());
            if (det) {
                const std::vector<KittiObject> gt = frame.labels();
                f.groundTruthBoxes = static_cast<int64_t>(gt.size());
                c.detFloat->add(gt, *fb);
                if (cb)
                    c.detConverted->add(gt, *cb);
            }
            if (cb) {
                f.convertedBoxes = static_cast<int64_t>(cb->size());
                const BoxMatching match = matchBoxes(*fb, *cb, kPairIoU);
                f.matchedBoxes = static_cast<int64_t>(match.pairs.size());
                f.onlyFloat = static_cast<int64_t>(match.onlyA.size());
                f.onlyConverted = static_cast<int64_t>(match.onlyB.size());
                c.boxes.pairs += f.matchedBoxes;
                c.boxes.onlyFloat += f.onlyFloat;
                c.boxes.onlyConverted += f.onlyConverted;
                for (const BoxPair& p : match.pairs) {
                    c.boxes.centre += p.centreDistance;
                    c.boxes.absDh += std::fabs(p.dh);
                    c.boxes.absDw += std::fabs(p.dw);
                    c.boxes.absDl += std::fabs(p.dl);
                    c.boxes.absHeading += std::fabs(p.dHeading);
                    c.boxes.absScore += std::isnan(p.dScore) ? 0.0 : std::fabs(p.dScore);
                }
            }
        }
        c.frameList.push_back(f);
        ++c.frames;
    }
    if (progress)
        progress->report(1.0, "evaluation");
    return c;
}

} // namespace lnscope::core
