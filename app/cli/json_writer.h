#pragma once
// A small JSON value for the CLI's --json output: a builder with pretty-printing (core/json.h
// parses and writes compactly; strings here are escaped by its appendJsonString).
// Objects keep insertion order so the file reads in the same order as the human table.

#include <concepts>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace lnscope::core {
struct JsonValue;
}

namespace lnscope::app {

class Json
{
public:
    Json() = default; ///< null
    Json(std::nullptr_t) {}
    Json(bool value) : m_kind(Kind::Bool), m_bool(value) {}
    template <std::integral T>
    requires(!std::same_as<T, bool>) Json(T value) : m_kind(Kind::Int), m_int(static_cast<int64_t>(value)) {}
    /// Non-finite numbers are written as null (JSON has no NaN/Inf).
    Json(double value) : m_kind(Kind::Double), m_double(value) {}
    /// Written with the shortest float32 representation, not the double one ("0.1", not "0.10000000149").
    Json(float value) : m_kind(Kind::Float), m_double(value) {}
    Json(const char* value) : m_kind(Kind::String), m_string(value) {}
    Json(std::string value) : m_kind(Kind::String), m_string(std::move(value)) {}

    static Json array();
    static Json object();
    /// The same value as a core JSON value (as parsed or built by core; integral numbers stay
    /// integers, so counts print without a fraction).
    static Json fromCore(const core::JsonValue& value);
    template <typename T>
    static Json arrayOf(const std::vector<T>& values)
    {
        Json a = array();
        for (const T& v : values)
            a.push(Json(v));
        return a;
    }

    /// Appends to an array (a null value becomes an array).
    Json& push(Json value);
    /// Sets a member of an object (a null value becomes an object); returns *this for chaining.
    Json& set(const std::string& key, Json value);

    /// Pretty-printed with `indent` spaces per level; a trailing newline is not added.
    std::string dump(int indent = 2) const;

private:
    enum class Kind { Null, Bool, Int, Double, Float, String, Array, Object };
    void dumpTo(std::string& out, int indent, int depth) const;
    bool isFlat() const; ///< an array of scalars only

    Kind m_kind = Kind::Null;
    bool m_bool = false;
    int64_t m_int = 0;
    double m_double = 0.0;
    std::string m_string;
    std::vector<Json> m_items;
    std::vector<std::pair<std::string, Json>> m_members;
};

/// core::writeFileAtomically(path, json.dump() + "\n"): a failed or interrupted write never leaves
/// a partial file that looks complete. Throws core::IoError naming the file.
void writeJsonFile(const std::filesystem::path& path, const Json& json);

} // namespace lnscope::app
