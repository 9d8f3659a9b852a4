// Strict reading of adapter files for TaskAdapter::parse implementations (task_adapter.h,
// namespace adapter_json): every message is "<file>:<line>: <key>: <reason>".

#include "lnscope/core/task_adapter.h"

#include "lnscope/core/error.h"

#include <algorithm>
#include <cmath>

namespace lnscope::core {

namespace fs = std::filesystem;

namespace {

using JKind = JsonValue::Kind;

std::string numberText(double v)
{
    std::string s;
    appendJsonNumber(s, v);
    return s;
}

} // namespace

// ---- adapter_json: strict reading, messages "<file>:<line>: <key>: <reason>" ------------------------

namespace adapter_json {

std::string found(const JsonValue& v)
{
    return v.kind == JKind::Number || v.kind == JKind::String ? jsonQuote(v.text) : jsonKindName(v.kind);
}

std::string joined(const std::vector<std::string>& names)
{
    std::string out;
    for (const std::string& name : names)
        out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none" : out;
}

void fail(const fs::path& file, size_t line, const std::string& key, const std::string& reason)
{
    std::string message = file.string();
    if (line > 0)
        message += ":" + std::to_string(line);
    throw FormatError(message + ": " + (key.empty() ? std::string() : key + ": ") + reason);
}

ObjectReader::ObjectReader(const JsonValue& value, const fs::path& file, std::string key)
    : m_value(value), m_file(file), m_key(std::move(key))
{
    if (value.kind != JKind::Object)
        fail(file, value.line, m_key.empty() ? "adapter" : m_key,
             std::string("expected an object, found ") + found(value));
}

std::string ObjectReader::keyOf(std::string_view member) const
{
    return m_key.empty() ? std::string(member) : m_key + "." + std::string(member);
}

const JsonValue* ObjectReader::optional(std::string_view member)
{
    m_known.emplace_back(member);
    return m_value.find(member);
}

const JsonValue& ObjectReader::required(std::string_view member)
{
    const JsonValue* v = optional(member);
    if (!v)
        fail(m_file, m_value.line, keyOf(member), "missing");
    return *v;
}

void ObjectReader::finish() const
{
    for (const auto& [member, value] : m_value.members)
        if (std::find(m_known.begin(), m_known.end(), member) == m_known.end())
            fail(m_file, value.line, keyOf(member), "unknown member (expected " + joined(m_known) + ")");
}

std::string readName(const JsonValue& v, const fs::path& file, const std::string& key)
{
    if (v.kind != JKind::String || v.text.empty())
        fail(file, v.line, key, "expected a non-empty string, found " + found(v));
    return v.text;
}

int readInt(const JsonValue& v, const fs::path& file, const std::string& key, int lo, int hi)
{
    if (v.kind != JKind::Number || !v.integral)
        fail(file, v.line, key, "expected an integer, found " + found(v));
    if (v.number < lo || v.number > hi)
        fail(file, v.line, key, v.text + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return static_cast<int>(v.number);
}

double readNumber(const JsonValue& v, const fs::path& file, const std::string& key, double lo, double hi, bool openLow)
{
    if (v.kind != JKind::Number)
        fail(file, v.line, key, "expected a number, found " + found(v));
    if (!(openLow ? v.number > lo : v.number >= lo) || !(v.number <= hi)) {
        if (hi >= 1e6 && !(v.number > hi)) // the upper bound only guards against nonsense: do not show it
            fail(file, v.line, key, v.text + " must be " + (openLow ? "> " : ">= ") + numberText(lo));
        fail(file, v.line, key,
             v.text + " is outside " + (openLow ? "(" : "[") + numberText(lo) + ", " + numberText(hi) + "]");
    }
    return v.number;
}

std::vector<double> readNumbers(const JsonValue& v, const fs::path& file, const std::string& key, int count, double lo,
                                double hi, bool openLow)
{
    const bool sizeOk = count >= 0 ? v.items.size() == size_t(count) : !v.items.empty() && v.items.size() <= 4096;
    if (v.kind != JKind::Array || !sizeOk)
        fail(file, v.line, key,
             "expected an array of " + (count >= 0 ? std::to_string(count) : std::string("1..4096"))
                 + " numbers, found "
                 + (v.kind == JKind::Array ? "an array of " + std::to_string(v.items.size()) : found(v)));
    std::vector<double> out;
    for (size_t i = 0; i < v.items.size(); ++i)
        out.push_back(readNumber(v.items[i], file, key + "[" + std::to_string(i) + "]", lo, hi, openLow));
    return out;
}

AdapterInput readInput(const JsonValue& v, const fs::path& file, InputRules rules)
{
    ObjectReader r(v, file, "input");
    const bool required = rules != InputRules::Dense;
    auto get = [&](std::string_view member) { return required ? &r.required(member) : r.optional(member); };
    AdapterInput input;
    if (rules != InputRules::Stereo)
        if (const JsonValue* name = get("name"))
            input.name = readName(*name, file, "input.name");
    const JsonValue* width = get("width");
    const JsonValue* height = get("height");
    if ((width == nullptr) != (height == nullptr))
        fail(file, v.line, "input", "give both width and height, or neither");
    if (width) {
        input.width = readInt(*width, file, "input.width", 1, kMaxAdapterImageSide);
        input.height = readInt(*height, file, "input.height", 1, kMaxAdapterImageSide);
    }
    if (const JsonValue* mean = get("mean")) {
        const auto values = readNumbers(*mean, file, "input.mean", 3, -1e6, 1e6);
        std::copy(values.begin(), values.end(), input.mean.begin());
    }
    if (const JsonValue* stdev = get("std")) {
        const auto values = readNumbers(*stdev, file, "input.std", 3, 0.0, 1e6, true);
        std::copy(values.begin(), values.end(), input.std.begin());
    }
    if (const JsonValue* order = get("order")) {
        const std::string text = readName(*order, file, "input.order");
        if (text != "rgb" && text != "bgr")
            fail(file, order->line, "input.order", "expected \"rgb\" or \"bgr\", found " + jsonQuote(text));
        input.rgb = text == "rgb";
    }
    r.finish();
    return input;
}

} // namespace adapter_json

} // namespace lnscope::core
