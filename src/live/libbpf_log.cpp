// SPDX-License-Identifier: GPL-2.0-only
#include "live/libbpf_log.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace pasidtrace::live {
namespace {

std::mutex g_mutex;
std::vector<std::string> g_lines;
constexpr std::size_t kMaxLines = 4000;  // a verifier log can be long; keep its end

bool debug_echo() {
    static const bool on = [] {
        const char* v = std::getenv("PASIDTRACE_LIBBPF_DEBUG");
        return v && *v && std::strcmp(v, "0") != 0;
    }();
    return on;
}

void append_text(const char* text) {
    std::lock_guard lock(g_mutex);
    std::string s(text);
    std::size_t start = 0;
    while (start < s.size()) {
        std::size_t nl = s.find('\n', start);
        std::string line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (line.rfind("libbpf: ", 0) == 0) line.erase(0, 8);
        if (!line.empty()) g_lines.push_back(std::move(line));
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    if (g_lines.size() > kMaxLines) g_lines.erase(g_lines.begin(), g_lines.end() - kMaxLines);
}

int capture(enum libbpf_print_level level, const char* format, va_list args) {
    char buf[4096];
    va_list copy;
    va_copy(copy, args);
    std::vsnprintf(buf, sizeof buf, format, copy);
    va_end(copy);
    if (debug_echo()) std::fputs(buf, stderr);
    // Debug lines are the bulk of it and say nothing about failures.
    if (level != LIBBPF_DEBUG) append_text(buf);
    return 0;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

void libbpf_log_begin() {
    static std::once_flag installed;
    std::call_once(installed, [] { libbpf_set_print(capture); });
    std::lock_guard lock(g_mutex);
    g_lines.clear();
}

std::vector<std::string> libbpf_log_lines() {
    std::lock_guard lock(g_mutex);
    return g_lines;
}

std::string failed_program_in_log(const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        if (!starts_with(line, "prog '")) continue;
        std::size_t end = line.find('\'', 6);
        if (end == std::string::npos) continue;
        if (line.find("failed to load", end) != std::string::npos ||
            line.find("BEGIN PROG LOAD LOG", end) != std::string::npos ||
            line.find("failed to", end) != std::string::npos)
            return line.substr(6, end - 6);
    }
    return {};
}

std::string load_failure_reason(const std::vector<std::string>& lines, const std::string& program, int err) {
    std::string reason = std::strerror(err < 0 ? -err : err);
    // The verifier's last line before the end of its log says what it refused.
    std::string last;
    bool in_log = false;
    for (const auto& line : lines) {
        if (line.find("BEGIN PROG LOAD LOG") != std::string::npos) {
            in_log = true;
            continue;
        }
        if (line.find("END PROG LOAD LOG") != std::string::npos) break;
        if (in_log && !starts_with(line, "processed ") && line.find("verification time") == std::string::npos)
            last = line;
    }
    if (last.empty()) {
        // Otherwise libbpf's own complaint about this program, when it made one.
        for (const auto& line : lines)
            if (starts_with(line, "prog '" + program + "'") && line.find("failed to load") == std::string::npos)
                last = line.substr(program.size() + 9);
    }
    if (!last.empty()) reason += " (" + last + ")";
    return reason;
}

}  // namespace pasidtrace::live
