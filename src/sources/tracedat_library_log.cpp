// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_library_log.hpp"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "sources/tracedat_libtracecmd.hpp"

// libtraceevent's printer and its default implementation. Declared here
// because event-utils.h, which declares them, is not usable from C++ (it
// defines min/max macros with typeof).
extern "C" {
int tep_vprint(const char* name, enum tep_loglevel level, bool print_err, const char* fmt, va_list ap);
int __tep_vprint(const char* name, enum tep_loglevel level, bool print_err, const char* fmt, va_list ap);
}

namespace pasidtrace::sources::tracedat {
namespace {

// The innermost capture of this thread; nested captures restore the outer one.
thread_local LibraryLogCapture* active_capture = nullptr;

constexpr std::size_t kMaxKept = 8;

std::string format_message(const char* name, const char* fmt, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    const int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::string text(n > 0 ? static_cast<std::size_t>(n) : 0, '\0');
    if (n > 0) std::vsnprintf(text.data(), text.size() + 1, fmt, ap);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return std::string(name ? name : "library") + ": " + text;
}

}  // namespace

LibraryLogCapture::LibraryLogCapture() : outer_(active_capture) {
    active_capture = this;
    // Warnings are what the libraries say when a page or section cannot be
    // read; below that level tracecmd_warning() returns without printing.
    tracecmd_set_loglevel(TEP_LOG_WARNING);
}

LibraryLogCapture::~LibraryLogCapture() { active_capture = outer_; }

void LibraryLogCapture::keep(std::string message) {
    if (messages_.size() == kMaxKept) messages_.erase(messages_.begin());
    messages_.push_back(std::move(message));
}

}  // namespace pasidtrace::sources::tracedat

// Overrides the weak default of libtraceevent (documented as overridable in
// tep_vprint(3)); libtracecmd and libtracefs print through it too.
extern "C" int tep_vprint(const char* name, enum tep_loglevel level, bool print_err, const char* fmt, va_list ap) {
    using pasidtrace::sources::tracedat::active_capture;
    if (!active_capture) return __tep_vprint(name, level, print_err, fmt, ap);
    const int saved_errno = errno;
    if (level <= TEP_LOG_WARNING) {
        std::string message = pasidtrace::sources::tracedat::format_message(name, fmt, ap);
        if (print_err && saved_errno) message += std::string(" (") + std::strerror(saved_errno) + ")";
        active_capture->keep(std::move(message));
    }
    errno = saved_errno;
    return 0;
}

#if defined(__SANITIZE_ADDRESS__)
// LeakSanitizer's default suppressions for sanitizer builds: libtraceevent
// 1.7 keeps tokens it strdup()s while parsing print formats and printk
// strings beyond tep_free(), on every file, and libtracecmd the strings its
// sscanf("%ms") calls allocate for kallsyms and options (the stack of those
// ends in libc, which pasidtrace never calls sscanf from). Those leaks are
// the libraries'; pasidtrace's own allocations are still checked.
extern "C" const char* __lsan_default_suppressions() {
    return "leak:libtraceevent.so\nleak:libtracecmd.so\nleak:__isoc99_vsscanf\n";
}
#endif
