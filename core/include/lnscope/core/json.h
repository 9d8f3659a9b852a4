#pragma once
// The one JSON reader and writer of lnscope_core (class lists, converted-model manifests).
// Strict RFC 8259: errors name the line, duplicate keys are refused (a later "id" silently
// winning hides mistakes in hand-written files), nesting is bounded so a hostile file cannot
// overflow the stack. The writer is deterministic — same value, same bytes — so files saved
// twice compare equal.

#include "lnscope/core/error.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lnscope::core {

/// A JSON value. Objects keep their members in document order.
struct JsonValue
{
    enum class Kind { Null, Bool, Number, String, Array, Object };

    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0.0;
    bool integral = false;   ///< Number written without fraction or exponent
    std::string text;        ///< String: the decoded value; Number: as written in the document
    std::vector<JsonValue> items;
    std::vector<std::pair<std::string, JsonValue>> members;
    size_t line = 0;         ///< 1-based line the value starts on (0 when built in code)

    static JsonValue makeBool(bool b);
    static JsonValue makeNumber(double v);
    static JsonValue makeString(std::string s);
    static JsonValue makeArray(std::vector<JsonValue> items = {});
    static JsonValue makeObject();

    bool isNull() const { return kind == Kind::Null; }
    /// Member `key` of an object, or nullptr (also when this is not an object).
    const JsonValue* find(std::string_view key) const;
    /// Appends a member to an object; FormatError when the key is already there.
    JsonValue& add(std::string key, JsonValue value);
};

/// "null", "a boolean", "a number", "a string", "an array", "an object" — for messages.
const char* jsonKindName(JsonValue::Kind kind);

/// A JSON syntax error: what() is "line N: reason"; line() and reason() let callers put the
/// file name in front in their own format.
class JsonError : public FormatError
{
public:
    JsonError(size_t line, const std::string& reason);
    size_t line() const { return m_line; }
    const std::string& reason() const { return m_reason; }

private:
    size_t m_line;
    std::string m_reason;
};

/// Containers nested deeper than this are refused.
constexpr int kMaxJsonDepth = 256;

/// Parses one JSON document (a leading UTF-8 byte order mark is skipped). Throws JsonError.
JsonValue parseJson(std::string_view text);

/// Compact JSON for value, members in their stored order. FormatError for a non-finite number.
std::string writeJson(const JsonValue& value);

/// Appends s as a JSON string literal: '"' and '\' escaped, the control characters with a short
/// escape as \b \f \n \r \t, the other control characters as \u00xx (lowercase hex), everything
/// else (UTF-8 included) as is.
void appendJsonString(std::string& out, std::string_view s);
/// s as a JSON string literal.
std::string jsonQuote(std::string_view s);
/// Appends v as the shortest text that reads back bit-exactly (std::to_chars); FormatError
/// when v is not finite (JSON has no inf or nan).
void appendJsonNumber(std::string& out, double v);

} // namespace lnscope::core
