#pragma once
// A plain-text table for the CLI's human output: columns padded to their widest cell,
// numbers right-aligned so that digits line up.

#include <cstdint>
#include <string>
#include <vector>

namespace lnscope::app {

class Table
{
public:
    enum class Align { Left, Right };
    struct Column
    {
        std::string header;
        Align align = Align::Left;
    };

    explicit Table(std::vector<Column> columns);

    /// A row with one cell per column (missing cells are blank, extra ones are dropped).
    void addRow(std::vector<std::string> cells);
    bool empty() const { return m_rows.empty(); }

    /// The table with a header and a rule, each line indented by `indent` spaces.
    std::string render(int indent = 2) const;

private:
    std::vector<Column> m_columns;
    std::vector<std::vector<std::string>> m_rows;
};

/// Display width of UTF-8 text (code points; the CLI prints no wide characters).
size_t displayWidth(const std::string& text);

/// "1234567" → "1,234,567": parameter counts read at a glance.
std::string groupThousands(int64_t value);
/// "12.3 KiB", "4.0 MiB", "512 B".
std::string humanBytes(int64_t bytes);
/// A number with `precision` significant digits, "%g" style (e.g. "0.0123", "1.5e-07").
std::string formatNumber(double value, int precision = 6);
/// Fixed point with `decimals` digits (for milliseconds).
std::string formatFixed(double value, int decimals);

} // namespace lnscope::app
