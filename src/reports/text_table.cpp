// SPDX-License-Identifier: GPL-2.0-only
#include "reports/text_table.hpp"

#include <algorithm>

namespace pasidtrace::reports {

std::size_t display_width(const std::string& s) {
    // Count bytes that start a code point (not 10xxxxxx continuation bytes).
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

TextTable::TextTable(std::vector<std::string> headings) : headings_(std::move(headings)) {}

void TextTable::add_row(std::vector<Cell> cells) {
    cells.resize(headings_.size());
    rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out, bool color) const {
    std::vector<std::size_t> width(headings_.size());
    for (std::size_t c = 0; c < headings_.size(); ++c) {
        width[c] = display_width(headings_[c]);
        for (const auto& row : rows_) width[c] = std::max(width[c], display_width(row[c].text));
    }
    auto put = [&](const Cell& cell, std::size_t c) {
        const bool last = c + 1 == headings_.size();
        if (color && cell.color) out << cell.color << cell.text << "\033[0m";
        else out << cell.text;
        if (!last) out << std::string(width[c] - display_width(cell.text) + 2, ' ');
    };
    for (std::size_t c = 0; c < headings_.size(); ++c) put(Cell{headings_[c], "\033[1m"}, c);
    out << '\n';
    for (const auto& row : rows_) {
        for (std::size_t c = 0; c < row.size(); ++c) put(row[c], c);
        out << '\n';
    }
}

}  // namespace pasidtrace::reports
