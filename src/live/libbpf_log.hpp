// SPDX-License-Identifier: GPL-2.0-only
// libbpf reports why a load or attach failed only through its print
// callback. This captures those lines so a failure can carry its reason
// (the verifier's last words, the errno) to the hook it belongs to, instead
// of libbpf writing them to stderr. PASIDTRACE_LIBBPF_DEBUG=1 echoes
// everything to stderr as well.
#pragma once

#include <string>
#include <vector>

namespace pasidtrace::live {

// Installs the capture (idempotent) and starts a fresh capture.
void libbpf_log_begin();
// Lines captured since libbpf_log_begin(), without the "libbpf: " prefix.
std::vector<std::string> libbpf_log_lines();

// The program libbpf names in a load failure ("prog 'NAME': failed to
// load"), or empty.
std::string failed_program_in_log(const std::vector<std::string>& lines);

// A one-line reason for a failed load of `program`: the errno and the
// verifier's last meaningful line when there is one.
std::string load_failure_reason(const std::vector<std::string>& lines, const std::string& program, int err);

}  // namespace pasidtrace::live
