// Evaluation figures as text; see evaluation_text.h.

#include "lnscope/core/evaluation_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lnscope::core {

std::string formatFixedText(double value, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

std::string formatPercentText(double fraction)
{
    return std::isnan(fraction) ? "-" : formatFixedText(100.0 * fraction, 2);
}

std::string formatDbText(double db)
{
    return std::isnan(db) ? "-" : std::isinf(db) ? "exact" : formatFixedText(db, 1);
}

std::vector<MetricRow> metricRows(const EvaluationCounts& c, const EvaluationMetrics& m)
{
    std::vector<MetricRow> rows;
    auto row = [&](const std::string& name, double f, double v, bool perClass) {
        const std::string delta = std::isnan(f) || std::isnan(v) ? "-" : formatFixedText(100.0 * (v - f), 2);
        rows.push_back({name, formatPercentText(f), formatPercentText(v), delta, perClass});
    };
    if (c.segFloat) {
        row("mIoU %", m.floatMiou, m.convertedMiou, false);
        for (size_t i = 0; i < m.classNames.size(); ++i)
            row("  IoU " + m.classNames[i] + " %", m.floatClassIou[i],
                i < m.convertedClassIou.size() ? m.convertedClassIou[i] : std::nan(""), true);
    }
    if (c.detFloat) {
        row("Car BEV AP|R40 @0.5 %", m.floatCarBevAp50, m.convertedCarBevAp50, false);
        row("Car BEV AP|R40 @0.7 %", m.floatCarBevAp70, m.convertedCarBevAp70, false);
        row("Car 3D AP|R40 @0.5 %", m.floatCar3dAp50, m.convertedCar3dAp50, false);
    }
    return rows;
}

std::vector<std::string> metricNotes(const EvaluationCounts& c, const EvaluationMetrics& m)
{
    std::vector<std::string> notes;
    if (c.segAgreement)
        notes.push_back("Pixel agreement " + formatPercentText(m.pixelAgreement) + " %, mIoU converted vs float "
                        + formatPercentText(m.miouConvertedVsFloat) + " %");
    if (c.task == "stereo3d" && c.hasConverted)
        notes.push_back("Boxes: " + std::to_string(m.boxes.pairs) + " matched, " + std::to_string(m.boxes.onlyFloat)
                        + " only float, " + std::to_string(m.boxes.onlyConverted) + " only converted"
                        + (m.boxes.pairs ? ", mean centre shift " + formatFixedText(m.boxes.centre / double(m.boxes.pairs), 3) + " m"
                                         : ""));
    if (c.hasConverted)
        notes.push_back("Output SQNR converted vs float: " + formatDbText(m.outputSqnrDb) + " dB");
    if (m.worstFrame >= 0 && size_t(m.worstFrame) < c.frameList.size())
        notes.push_back("Most disagreement: frame " + c.frameList[size_t(m.worstFrame)].id);
    return notes;
}

std::vector<size_t> framesByDisagreement(const EvaluationCounts& c)
{
    std::vector<std::pair<double, size_t>> ranked;
    for (size_t i = 0; i < c.frameList.size(); ++i) {
        const FrameSummary& f = c.frameList[i];
        double badness = std::nan("");
        if (!std::isnan(f.pixelAgreement))
            badness = 1.0 - f.pixelAgreement;
        else if (c.task == "stereo3d" && c.hasConverted)
            badness = double(f.onlyFloat + f.onlyConverted);
        else if (!std::isnan(f.outputSqnrDb))
            badness = -f.outputSqnrDb;
        if (!std::isnan(badness))
            ranked.emplace_back(badness, i);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<size_t> out;
    for (const auto& r : ranked)
        out.push_back(r.second);
    return out;
}

} // namespace lnscope::core
