#include "lnscope/core/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <utility>

namespace lnscope::core {

JsonValue JsonValue::makeBool(bool b)
{
    JsonValue v;
    v.kind = Kind::Bool;
    v.boolean = b;
    return v;
}

JsonValue JsonValue::makeNumber(double n)
{
    JsonValue v;
    v.kind = Kind::Number;
    v.number = n;
    v.integral = std::isfinite(n) && n == std::floor(n);
    return v;
}

JsonValue JsonValue::makeString(std::string s)
{
    JsonValue v;
    v.kind = Kind::String;
    v.text = std::move(s);
    return v;
}

JsonValue JsonValue::makeArray(std::vector<JsonValue> items)
{
    JsonValue v;
    v.kind = Kind::Array;
    v.items = std::move(items);
    return v;
}

JsonValue JsonValue::makeObject()
{
    JsonValue v;
    v.kind = Kind::Object;
    return v;
}

const JsonValue* JsonValue::find(std::string_view key) const
{
    for (const auto& member : members)
        if (member.first == key)
            return &member.second;
    return nullptr;
}

JsonValue& JsonValue::add(std::string key, JsonValue value)
{
    if (kind != Kind::Object)
        throw FormatError("JSON: cannot add member \"" + key + "\" to " + jsonKindName(kind));
    if (find(key))
        throw FormatError("JSON: duplicate key \"" + key + "\"");
    members.emplace_back(std::move(key), std::move(value));
    return members.back().second;
}

const char* jsonKindName(JsonValue::Kind kind)
{
    static const char* const names[] = {"null", "a boolean", "a number", "a string", "an array", "an object"};
    return names[static_cast<int>(kind)];
}

JsonError::JsonError(size_t line, const std::string& reason)
    : FormatError("line " + std::to_string(line) + ": " + reason)
    , m_line(line)
    , m_reason(reason)
{
}

namespace {

using Kind = JsonValue::Kind;

class Parser
{
public:
    explicit Parser(std::string_view text)
        : m_text(text)
    {
    }

    JsonValue parseDocument()
    {
        if (m_text.substr(0, 3) == "\xEF\xBB\xBF") // UTF-8 byte order mark
            m_pos = 3;
        skipSpace();
        if (m_pos == m_text.size())
            fail("the file is empty");
        JsonValue v = parseValue(0);
        skipSpace();
        if (m_pos != m_text.size())
            fail("unexpected text after the JSON value");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& reason) const { throw JsonError(m_line, reason); }

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

    /// depth: containers around this value.
    JsonValue parseValue(int depth)
    {
        skipSpace();
        if (m_pos == m_text.size())
            fail("unexpected end of file");
        JsonValue v;
        v.line = m_line;
        const char c = m_text[m_pos];
        if ((c == '{' || c == '[') && depth >= kMaxJsonDepth)
            fail("nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        if (c == '{') {
            v.kind = Kind::Object;
            parseObject(v, depth);
        } else if (c == '[') {
            v.kind = Kind::Array;
            parseArray(v, depth);
        } else if (c == '"') {
            v.kind = Kind::String;
            v.text = parseString();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            v.kind = Kind::Number;
            parseNumber(v);
        } else if (m_text.substr(m_pos, 4) == "true" || m_text.substr(m_pos, 5) == "false") {
            v.kind = Kind::Bool;
            v.boolean = c == 't';
            m_pos += v.boolean ? 4 : 5;
        } else if (m_text.substr(m_pos, 4) == "null") {
            m_pos += 4;
        } else {
            fail(std::string("unexpected character '") + c + "'");
        }
        return v;
    }

    void parseObject(JsonValue& v, int depth)
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
            if (v.find(key)) {
                m_line = keyLine;
                fail("duplicate key \"" + key + "\"");
            }
            expect(':', "after the key");
            JsonValue value = parseValue(depth + 1);
            v.members.emplace_back(std::move(key), std::move(value));
            skipSpace();
            if (consume('}'))
                return;
            if (!consume(','))
                fail("expected ',' or '}' in the object");
        }
    }

    void parseArray(JsonValue& v, int depth)
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

    void parseNumber(JsonValue& v)
    {
        // Validate JSON's grammar (no leading zeros, no '+', no bare '.') before converting:
        // from_chars alone would accept "01" and "1." and stop early on "1.e5".
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
    size_t m_pos = 0;
    size_t m_line = 1;
};

void appendValue(std::string& out, const JsonValue& v)
{
    switch (v.kind) {
    case Kind::Null: out += "null"; break;
    case Kind::Bool: out += v.boolean ? "true" : "false"; break;
    case Kind::Number: appendJsonNumber(out, v.number); break;
    case Kind::String: appendJsonString(out, v.text); break;
    case Kind::Array:
        out += '[';
        for (size_t k = 0; k < v.items.size(); ++k) {
            if (k)
                out += ',';
            appendValue(out, v.items[k]);
        }
        out += ']';
        break;
    case Kind::Object:
        out += '{';
        for (size_t k = 0; k < v.members.size(); ++k) {
            if (k)
                out += ',';
            appendJsonString(out, v.members[k].first);
            out += ':';
            appendValue(out, v.members[k].second);
        }
        out += '}';
        break;
    }
}

} // namespace

JsonValue parseJson(std::string_view text)
{
    return Parser(text).parseDocument();
}

std::string writeJson(const JsonValue& value)
{
    std::string out;
    appendValue(out, value);
    return out;
}

namespace {

/// JSON's two-character escapes: the raw character and the letter written after the backslash.
constexpr std::pair<char, char> kShortEscapes[] = {{'"', '"'},  {'\\', '\\'}, {'\b', 'b'}, {'\f', 'f'},
                                                   {'\n', 'n'}, {'\r', 'r'},   {'\t', 't'}};

} // namespace

void appendJsonString(std::string& out, std::string_view s)
{
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        const auto* esc = std::find_if(std::begin(kShortEscapes), std::end(kShortEscapes),
                                       [ch](const auto& e) { return e.first == ch; });
        if (esc != std::end(kShortEscapes)) {
            out += '\\';
            out += esc->second;
        } else if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch; // UTF-8 passes through unchanged
        }
    }
    out += '"';
}

std::string jsonQuote(std::string_view s)
{
    std::string out;
    appendJsonString(out, s);
    return out;
}

void appendJsonNumber(std::string& out, double v)
{
    if (!std::isfinite(v))
        throw FormatError("JSON cannot represent the number " + std::to_string(v));
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v); // shortest round trip: deterministic, exact
    out.append(buf, r.ptr);
}

} // namespace lnscope::core
