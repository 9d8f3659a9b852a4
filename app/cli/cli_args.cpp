#include "cli_args.h"

#include <charconv>
#include <cmath>

namespace lnscope::app {

namespace {

const OptionSpec* findSpec(const std::vector<OptionSpec>& specs, const std::string& name)
{
    for (const OptionSpec& spec : specs)
        if (spec.name == name || (!spec.shortName.empty() && spec.shortName == name))
            return &spec;
    return nullptr;
}

bool looksLikeOption(const std::string& arg)
{
    // "-" alone conventionally means stdin/stdout and is a positional; so is a negative number.
    return arg.size() > 1 && arg[0] == '-' && !(arg[1] >= '0' && arg[1] <= '9') && arg[1] != '.';
}

} // namespace

std::optional<std::string> ParsedArgs::value(const std::string& name) const
{
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty())
        return std::nullopt;
    return it->second.back();
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const
{
    auto it = m_values.find(name);
    return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

int ParsedArgs::intValue(const std::string& name, int def, int min, int max) const
{
    const auto text = value(name);
    return text ? parseIntArg(name, *text, min, max) : def;
}

ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs)
{
    ParsedArgs parsed;
    bool optionsEnded = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (optionsEnded || !looksLikeOption(arg)) {
            parsed.m_positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            optionsEnded = true;
            continue;
        }
        std::string name = arg;
        std::optional<std::string> inlineValue;
        if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            name = arg.substr(0, eq);
            inlineValue = arg.substr(eq + 1);
        }
        const OptionSpec* spec = findSpec(specs, name);
        if (!spec)
            throw UsageError("unknown option '" + name + "'");
        std::vector<std::string>& slot = parsed.m_values[spec->name];
        if (!slot.empty() && !spec->repeatable)
            throw UsageError("option '" + spec->name + "' is given more than once");
        if (!spec->takesValue) {
            if (inlineValue)
                throw UsageError("option '" + spec->name + "' takes no value");
            slot.push_back({});
            continue;
        }
        if (inlineValue) {
            slot.push_back(*inlineValue);
        } else {
            if (i + 1 >= args.size())
                throw UsageError("option '" + spec->name + "' needs a value");
            slot.push_back(args[++i]);
        }
    }
    return parsed;
}

int parseIntArg(const std::string& option, const std::string& text, int min, int max)
{
    int value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max)
        throw UsageError("option '" + option + "' needs an integer from " + std::to_string(min) + " to "
                         + std::to_string(max) + ", got '" + text + "'");
    return value;
}

std::array<int, 2> parseSizeArg(const std::string& option, const std::string& text)
{
    const size_t x = text.find_first_of("xX");
    if (x == std::string::npos)
        throw UsageError("option '" + option + "' needs WIDTHxHEIGHT (e.g. 224x224), got '" + text + "'");
    constexpr int kMaxSide = 16384; // larger images are a typo, and would exhaust memory
    try {
        return {parseIntArg(option, text.substr(0, x), 1, kMaxSide),
                parseIntArg(option, text.substr(x + 1), 1, kMaxSide)};
    } catch (const UsageError&) {
        throw UsageError("option '" + option + "' needs WIDTHxHEIGHT with sides from 1 to " + std::to_string(kMaxSide)
                         + ", got '" + text + "'");
    }
}

std::array<float, 3> parseFloat3Arg(const std::string& option, const std::string& text)
{
    std::array<float, 3> out{};
    size_t start = 0;
    for (int k = 0; k < 3; ++k) {
        const size_t comma = text.find(',', start);
        const bool last = k == 2;
        if (last != (comma == std::string::npos))
            throw UsageError("option '" + option + "' needs three comma-separated numbers (r,g,b), got '" + text + "'");
        const std::string part = text.substr(start, last ? std::string::npos : comma - start);
        const char* end = part.data() + part.size();
        const auto [ptr, ec] = std::from_chars(part.data(), end, out[k]);
        if (part.empty() || ec != std::errc() || ptr != end || !std::isfinite(out[k]))
            throw UsageError("option '" + option + "' needs three comma-separated numbers (r,g,b), got '" + text + "'");
        start = comma + 1;
    }
    return out;
}

const std::string& ParsedArgs::singlePositional(const std::string& what, const std::string& hint) const
{
    if (m_positionals.size() != 1)
        throw UsageError(m_positionals.empty() ? "missing " + what
                                               : "expected one " + what + ", got " + std::to_string(m_positionals.size()) + hint);
    return m_positionals.front();
}

} // namespace lnscope::app
