// SPDX-License-Identifier: GPL-2.0-only
// Writes a report to -o PATH all or nothing: into a temporary file next to
// PATH, renamed over it only when complete, so a failed run never leaves a
// half-written report behind.
#pragma once

#include <string>

namespace pasidtrace::cli {

// Returns an error message, empty on success.
std::string write_file_atomically(const std::string& path, const std::string& contents);

}  // namespace pasidtrace::cli
