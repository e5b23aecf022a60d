// SPDX-License-Identifier: GPL-2.0-only
// Errors of the live side as values: what failed (a hook, a map, a file)
// and why. Only the CLI turns them into a message and an exit status.
#pragma once

#include <string>

namespace pasidtrace::live {

struct LiveError {
    std::string where;    // "hook mmdrop", "ring buffer", "/tmp/x.ptr", ... empty when general
    std::string message;  // what went wrong, with the kernel's reason

    std::string to_string() const { return where.empty() ? message : where + ": " + message; }
};

}  // namespace pasidtrace::live
