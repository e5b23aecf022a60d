// SPDX-License-Identifier: GPL-2.0-only
// Typed input errors: readers return them as values, and only the CLI turns
// them into a message on stderr and exit status 2.
#pragma once

#include <cstdint>
#include <string>

namespace pasidtrace::core {

struct InputError {
    std::string file;        // path as given ("-" for stdin)
    std::uint64_t line = 0;  // 1-based line or record; 0 when not applicable
    std::string field;       // offending field, empty when not applicable
    std::string message;     // what is wrong, without the location

    // "samples/bad.jsonl:7: field \"pasid\": 2000000 is out of range 1..1048575"
    std::string to_string() const {
        std::string s = file;
        if (line) s += ":" + std::to_string(line);
        s += ": ";
        if (!field.empty()) s += "field \"" + field + "\": ";
        return s + message;
    }
};

}  // namespace pasidtrace::core
