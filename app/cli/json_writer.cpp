#include "json_writer.h"

#include "lnscope/core/error.h"
#include "lnscope/core/file_io.h"
#include "lnscope/core/json.h"

#include <charconv>
#include <cmath>
#include <fstream>

namespace lnscope::app {

namespace fs = std::filesystem;

namespace {

template <typename T>
void appendNumber(std::string& out, T value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    char buf[64];
    const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value); // shortest round-trip form
    out.append(buf, ec == std::errc() ? ptr : buf);
}

void newline(std::string& out, int indent, int depth)
{
    if (indent <= 0)
        return;
    out += '\n';
    out.append(static_cast<size_t>(indent * depth), ' ');
}

} // namespace

Json Json::array()
{
    Json j;
    j.m_kind = Kind::Array;
    return j;
}

Json Json::fromCore(const core::JsonValue& v)
{
    using Kind = core::JsonValue::Kind;
    switch (v.kind) {
    case Kind::Null: return Json();
    case Kind::Bool: return Json(v.boolean);
    case Kind::Number:
        if (v.number == std::floor(v.number) && std::fabs(v.number) < 9007199254740992.0)
            return Json(static_cast<int64_t>(v.number));
        return Json(v.number);
    case Kind::String: return Json(v.text);
    case Kind::Array: {
        Json a = array();
        for (const core::JsonValue& item : v.items)
            a.push(fromCore(item));
        return a;
    }
    case Kind::Object: {
        Json o = object();
        for (const auto& [key, member] : v.members)
            o.set(key, fromCore(member));
        return o;
    }
    }
    return Json();
}

Json Json::object()
{
    Json j;
    j.m_kind = Kind::Object;
    return j;
}

Json& Json::push(Json value)
{
    if (m_kind == Kind::Null)
        m_kind = Kind::Array;
    m_items.push_back(std::move(value));
    return *this;
}

Json& Json::set(const std::string& key, Json value)
{
    if (m_kind == Kind::Null)
        m_kind = Kind::Object;
    for (auto& [k, v] : m_members) {
        if (k == key) {
            v = std::move(value);
            return *this;
        }
    }
    m_members.emplace_back(key, std::move(value));
    return *this;
}

bool Json::isFlat() const
{
    for (const Json& item : m_items)
        if (item.m_kind == Kind::Array || item.m_kind == Kind::Object)
            return false;
    return true;
}

std::string Json::dump(int indent) const
{
    std::string out;
    dumpTo(out, indent, 0);
    return out;
}

void Json::dumpTo(std::string& out, int indent, int depth) const
{
    switch (m_kind) {
    case Kind::Null: out += "null"; return;
    case Kind::Bool: out += m_bool ? "true" : "false"; return;
    case Kind::Int: out += std::to_string(m_int); return;
    case Kind::Double: appendNumber(out, m_double); return;
    case Kind::Float: appendNumber(out, static_cast<float>(m_double)); return;
    case Kind::String: core::appendJsonString(out, m_string); return;
    case Kind::Array:
        out += '[';
        if (isFlat()) { // shapes and timing lists read best on one line
            for (size_t i = 0; i < m_items.size(); ++i) {
                out += i ? (indent > 0 ? ", " : ",") : "";
                m_items[i].dumpTo(out, indent, depth + 1);
            }
            out += ']';
            return;
        }
        for (size_t i = 0; i < m_items.size(); ++i) {
            out += i ? "," : "";
            newline(out, indent, depth + 1);
            m_items[i].dumpTo(out, indent, depth + 1);
        }
        if (!m_items.empty())
            newline(out, indent, depth);
        out += ']';
        return;
    case Kind::Object:
        out += '{';
        for (size_t i = 0; i < m_members.size(); ++i) {
            out += i ? "," : "";
            newline(out, indent, depth + 1);
            core::appendJsonString(out, m_members[i].first);
            out += indent > 0 ? ": " : ":";
            m_members[i].second.dumpTo(out, indent, depth + 1);
        }
        if (!m_members.empty())
            newline(out, indent, depth);
        out += '}';
        return;
    }
}

void writeJsonFile(const fs::path& path, const Json& json)
{
    core::writeFileAtomically(path, json.dump() + "\n");
}

} // namespace lnscope::app
