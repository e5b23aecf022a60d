// SPDX-License-Identifier: GPL-2.0-only
// Helpers for the trace.dat tests: read a file through the same factory
// `analyze` and `convert` use, record real trace.dat files with tracefs and
// `trace-cmd extract`, and the scenarios whose events the tests expect.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/event.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::core {
inline void PrintTo(const Ident& id, std::ostream* os) { *os << (id ? id.to_string() : "(absent)"); }
}  // namespace pasidtrace::core

namespace pasidtrace::tracedat_test {

struct ReadResult {
    bool opened = false;
    core::TraceHeader header;
    std::vector<core::Event> events;
    std::uint64_t skipped = 0;
    std::optional<core::InputError> error;  // from open or from next()
};

// Reads the file to its end through sources::open_source().
ReadResult read_all(const std::string& path);

std::filesystem::path source_dir();                      // the repository
std::filesystem::path fixture(const std::string& name);  // samples/tracedat/NAME
std::string pasidtrace_binary();

// Why real recordings cannot be made here, or empty when they can: root,
// tracefs mounted (or mountable), trace-cmd installed.
std::string recording_unavailable();

// `command` run by sh in a private mount namespace where /proc/kallsyms is
// empty (see TraceInstance::extract for why). The new namespace's /proc is
// made private first, so the bind mount never propagates back to the host;
// "/" is left alone because in a chroot it is not a mount point.
std::string with_kallsyms_hidden(const std::string& command);

// A tracefs buffer instance of the test's own, so that the top buffer and
// other tests are left alone. `trace-cmd extract -B` removes the instance.
class TraceInstance {
public:
    explicit TraceInstance(const std::string& tag);
    ~TraceInstance();
    TraceInstance(const TraceInstance&) = delete;
    TraceInstance& operator=(const TraceInstance&) = delete;

    const std::string& name() const { return name_; }
    // "sched/sched_process_fork", with an optional filter; false when the
    // kernel has no such event.
    bool enable(const std::string& event, const std::string& filter = {});
    void start();
    void stop();
    // trace-cmd extract -B NAME -o PATH, with /proc/kallsyms hidden from
    // trace-cmd in a private mount namespace (see the definition for why).
    bool extract(const std::filesystem::path& out);

private:
    std::string dir_;
    std::string name_;
};

// ---- the process scenario -------------------------------------------------
// The test's thread forks S ("pt-scenario"), which forks A (exec /bin/true,
// exits), forks B (exits at once, no exec), starts thread T (renames itself
// "pt-worker", exits) and exits.
struct ProcessTruth {
    std::uint32_t test_pid = 0, test_tid = 0;
    std::string test_comm;
    std::uint32_t s = 0, a = 0, b = 0, t = 0;
    std::string kernel;  // uname -r where it ran
};
ProcessTruth run_process_scenario();

// Records the process scenario with the tracepoint-only recipe's events.
// Returns an error text, empty on success.
std::string record_process_scenario(const std::filesystem::path& out, ProcessTruth& truth);

// ---- the SVA scenario -------------------------------------------------------
// No SVA device and no kprobes here: the recipe's kprobe events are
// recreated as uprobes on stand-in functions of this test binary, with the
// same group, names, fetch arguments (on user memory laid out like the
// 6.11+ kernel structs) and field types, so the kernel's probe machinery
// writes records shaped exactly as on a kernel with kprobes. Process
// "pt-sva-app" binds, unbinds, and frees its PASID in __mmdrop as the kernel
// does; "pt-sva-early" frees its PASID while still bound.
struct SvaTruth {
    std::uint32_t app_pid = 0, early_pid = 0;
    std::uint64_t app_mm = 0, app_handle = 0, early_mm = 0, early_handle = 0;
    std::uint32_t app_pasid = 0, early_pasid = 0;
    std::string dev;
    std::int64_t failed_ret = 0;
};
std::string record_sva_scenario(const std::filesystem::path& out, SvaTruth& truth);

// Ground truth next to a fixture, as JSON.
void write_truth(const std::filesystem::path& path, const ProcessTruth& truth);
void write_truth(const std::filesystem::path& path, const SvaTruth& truth);
ProcessTruth read_process_truth(const std::filesystem::path& path);
SvaTruth read_sva_truth(const std::filesystem::path& path);

}  // namespace pasidtrace::tracedat_test
