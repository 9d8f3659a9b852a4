#include "table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lnscope::app {

Table::Table(std::vector<Column> columns) : m_columns(std::move(columns)) {}

void Table::addRow(std::vector<std::string> cells)
{
    cells.resize(m_columns.size());
    m_rows.push_back(std::move(cells));
}

std::string Table::render(int indent) const
{
    std::vector<size_t> widths(m_columns.size());
    for (size_t c = 0; c < m_columns.size(); ++c) {
        widths[c] = displayWidth(m_columns[c].header);
        for (const auto& row : m_rows)
            widths[c] = std::max(widths[c], displayWidth(row[c]));
    }
    const std::string pad(static_cast<size_t>(std::max(indent, 0)), ' ');
    auto line = [&](const std::vector<std::string>& cells) {
        std::string out = pad;
        for (size_t c = 0; c < cells.size(); ++c) {
            const std::string fill(widths[c] - displayWidth(cells[c]), ' ');
            const bool last = c + 1 == cells.size();
            if (m_columns[c].align == Align::Right)
                out += fill + cells[c];
            else
                out += cells[c] + (last ? "" : fill);
            if (!last)
                out += "  ";
        }
        while (!out.empty() && out.back() == ' ')
            out.pop_back();
        return out + "\n";
    };
    std::vector<std::string> headers;
    std::vector<std::string> rules;
    for (size_t c = 0; c < m_columns.size(); ++c) {
        headers.push_back(m_columns[c].header);
        rules.push_back(std::string(widths[c], '-'));
    }
    std::string out = line(headers) + line(rules);
    for (const auto& row : m_rows)
        out += line(row);
    return out;
}

size_t displayWidth(const std::string& text)
{
    size_t n = 0;
    for (const char ch : text)
        n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80; // count lead bytes only
    return n;
}

std::string groupThousands(int64_t value)
{
    const std::string digits = std::to_string(value < 0 ? -value : value);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return value < 0 ? "-" + out : out;
}

std::string humanBytes(int64_t bytes)
{
    static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024)
        return std::to_string(bytes) + " B";
    double v = static_cast<double>(bytes);
    int unit = -1;
    while (v >= 1024.0 && unit < 3) {
        v /= 1024.0;
        ++unit;
    }
    return formatFixed(v, 1) + " " + kUnits[unit];
}

std::string formatNumber(double value, int precision)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", precision, value);
    return buf;
}

std::string formatFixed(double value, int decimals)
{
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    return buf;
}

} // namespace lnscope::app
