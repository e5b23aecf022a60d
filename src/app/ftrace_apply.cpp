// SPDX-License-Identifier: GPL-2.0-only
#include "app/ftrace_apply.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace pasidtrace::app {
namespace {

std::string base_dir(const ApplyTarget& t) {
    return t.instance.empty() ? t.tracefs : t.tracefs + "/instances/" + t.instance;
}

std::string event_dir(const std::string& base, const std::string& event) {
    const auto colon = event.find(':');
    return base + "/events/" + event.substr(0, colon) + "/" + event.substr(colon + 1);
}

// One write(2) per value, as tracefs wants it: a control file acts on each
// write, and kprobe_events must be appended to, never truncated (that
// would delete every probe on the system).
std::optional<std::string> write_value(const std::string& path, const std::string& value, bool append,
                                       AppliedRecipe& log) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
    if (fd < 0) return "cannot open " + path + ": " + std::strerror(errno);
    const std::string line = value + "\n";
    const ssize_t n = ::write(fd, line.data(), line.size());
    const int saved = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(line.size()))
        return "writing '" + value + "' to " + path + " failed: " + std::strerror(n < 0 ? saved : EIO);
    log.written.push_back(path + " <- " + value);
    return std::nullopt;
}

std::optional<std::string> make_instance(const ApplyTarget& t, AppliedRecipe& log) {
    if (t.instance.empty()) return std::nullopt;
    const std::string dir = base_dir(t);
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
        return "cannot create the buffer instance " + dir + ": " + std::strerror(errno);
    log.written.push_back(dir + " <- (instance)");
    return std::nullopt;
}

// Old definitions of the same names go first: an enabled probe cannot be
// redefined, so it is disabled everywhere it may be enabled, then removed.
void remove_old_probes(const Recipe& r, const ApplyTarget& t, AppliedRecipe& log) {
    AppliedRecipe ignored;
    write_value(t.tracefs + "/events/pasidtrace/enable", "0", false, ignored);
    write_value(base_dir(t) + "/events/pasidtrace/enable", "0", false, ignored);
    for (const auto& p : r.probes)
        if (!write_value(t.tracefs + "/kprobe_events", "-:pasidtrace/" + p.event, true, ignored))
            log.written.push_back(t.tracefs + "/kprobe_events <- -:pasidtrace/" + p.event);
}

}  // namespace

std::variant<AppliedRecipe, std::string> apply_recipe(const Recipe& r, const ApplyTarget& t) {
    AppliedRecipe log;
    log.target = t;
    if (auto err = make_instance(t, log)) return *err;
    const std::string base = base_dir(t);
    // Stopped until the user starts it: enabling events must not begin the recording.
    if (auto err = write_value(base + "/tracing_on", "0", false, log)) return *err;
    // The contract's ts is CLOCK_MONOTONIC, as a BPF recording's.
    if (auto err = write_value(base + "/trace_clock", "mono", false, log)) return *err;
    if (!r.probes.empty()) {
        remove_old_probes(r, t, log);
        for (const auto& p : r.probes) {
            if (auto err = write_value(t.tracefs + "/kprobe_events", p.definition, true, log)) return *err;
            log.probe_events.push_back(p.event);
        }
    }
    for (const auto& tp : r.tracepoints) {
        const std::string dir = event_dir(base, tp.event);
        if (auto err = write_value(dir + "/filter", tp.filter.empty() ? "0" : tp.filter, false, log)) return *err;
        if (auto err = write_value(dir + "/enable", "1", false, log)) return *err;
    }
    if (!r.probes.empty())
        if (auto err = write_value(base + "/events/pasidtrace/enable", "1", false, log)) return *err;
    return log;
}

std::string how_to_record(const AppliedRecipe& a) {
    const std::string base = base_dir(a.target);
    const std::string buffer = a.target.instance.empty() ? "" : " -B " + a.target.instance;
    std::ostringstream out;
    out << "Start recording:   echo 1 > " << base << "/tracing_on\n"
        << "Stop recording:    echo 0 > " << base << "/tracing_on\n"
        << "Save it:           trace-cmd extract" << buffer << " -o trace.dat\n";
    if (!a.target.instance.empty())
        out << "                   (trace-cmd extract -B removes the instance: run --apply again for the next one)\n";
    out << "Analyze:           pasidtrace analyze trace.dat\n"
        << "Undo:              echo 0 > " << base << "/events/enable\n";
    if (!a.target.instance.empty()) out << "                   rmdir " << base << '\n';
    for (const auto& p : a.probe_events)
        out << "                   echo '-:pasidtrace/" << p << "' >> " << a.target.tracefs << "/kprobe_events\n";
    return out.str();
}

}  // namespace pasidtrace::app
