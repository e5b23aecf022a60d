// SPDX-License-Identifier: GPL-2.0-only
// A plain column-aligned table for terminals. Cells may carry ANSI colour;
// widths are measured on the visible text.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pasidtrace::reports {

struct Cell {
    std::string text;
    const char* color = nullptr;  // ANSI SGR sequence, or null
};

class TextTable {
public:
    explicit TextTable(std::vector<std::string> headings);
    void add_row(std::vector<Cell> cells);
    // Columns separated by two spaces; the last column is not padded.
    void print(std::ostream& out, bool color) const;

private:
    std::vector<std::string> headings_;
    std::vector<std::vector<Cell>> rows_;
};

// Visible width of UTF-8 text (code points; the table's arrows are one column).
std::size_t display_width(const std::string& s);

}  // namespace pasidtrace::reports
