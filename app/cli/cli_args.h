#pragma once
// Command-line parsing for lnscope-cli. A command declares its options; parseArgs() checks the
// command line against them and throws UsageError (exit code 2) on anything it does not know.

#include <array>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lnscope::app {

/// The command line does not follow the command's usage. main() prints the message and the
/// command's usage text and exits with 2.
class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

struct OptionSpec
{
    std::string name;      ///< "--runs"
    std::string shortName; ///< "-h", or "" for none
    bool takesValue = false;
    bool repeatable = false; ///< may be given more than once (values are kept in order)
};

class ParsedArgs
{
public:
    bool has(const std::string& name) const { return m_values.count(name) != 0; }
    /// The option's value, if given (options are not repeatable unless declared so).
    std::optional<std::string> value(const std::string& name) const;
    /// Every value of a repeatable option, in command-line order.
    std::vector<std::string> values(const std::string& name) const;
    const std::vector<std::string>& positionals() const { return m_positionals; }
    /// The one positional argument (e.g. "MODEL"); UsageError naming it when absent or repeated.
    /// `hint` is appended to the "expected one" message.
    const std::string& singlePositional(const std::string& what, const std::string& hint = {}) const;

    /// Integer option in [min, max]; `def` when absent. UsageError on anything else.
    int intValue(const std::string& name, int def, int min, int max) const;

private:
    friend ParsedArgs parseArgs(const std::vector<std::string>&, const std::vector<OptionSpec>&);
    std::map<std::string, std::vector<std::string>> m_values;
    std::vector<std::string> m_positionals;
};

/// Accepts "--name value", "--name=value", short names, and "--" to end the options.
/// Throws UsageError for unknown options, missing values and repeated single options.
ParsedArgs parseArgs(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs);

/// Parses an integer in [min, max]; UsageError naming `option` otherwise.
int parseIntArg(const std::string& option, const std::string& text, int min, int max);
/// Parses "WxH" (both ≥ 1); UsageError naming `option` otherwise.
std::array<int, 2> parseSizeArg(const std::string& option, const std::string& text);
/// Parses "a,b,c" (finite floats); UsageError naming `option` otherwise.
std::array<float, 3> parseFloat3Arg(const std::string& option, const std::string& text);

} // namespace lnscope::app
