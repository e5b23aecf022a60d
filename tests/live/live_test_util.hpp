// SPDX-License-Identifier: GPL-2.0-only
// Shared by the live tests: the skip rule (no root/BPF here: print SKIPPED
// with the reason, never pass silently), a fork storm, reading recordings
// back, and a background `pasidtrace record` to signal.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/event.hpp"
#include "live/check_report.hpp"
#include "sources/native_source.hpp"

namespace pasidtrace::test {

// `n` short-lived child processes, one after the other: task and mm
// events for the recorder, and a load that fills a small ring buffer.
inline void fork_storm(int n) {
    for (int i = 0; i < n; ++i) {
        pid_t p = fork();
        if (p == 0) _exit(0);
        waitpid(p, nullptr, 0);
    }
}

// Why live tests cannot run here, or nullopt. Checked once per process.
inline std::optional<std::string> live_unavailable() {
    static const std::optional<std::string> why = []() -> std::optional<std::string> {
        auto report = live::run_check();
        if (!report.privileges.can_trace())
            return "needs root or CAP_BPF+CAP_PERFMON (" + report.privileges.describe() + ")";
        if (!report.btf) return "no kernel BTF: " + report.btf_note;
        if (report.load_error) return "BPF unavailable: " + report.load_error->to_string();
        if (!report.can_trace()) return "no hook attaches on this kernel";
        return std::nullopt;
    }();
    return why;
}

#define REQUIRE_LIVE()                                                                              \
    do {                                                                                            \
        if (auto why = ::pasidtrace::test::live_unavailable()) GTEST_SKIP() << "SKIPPED: " << *why; \
    } while (0)

// Every event of a native recording, read through the same reader `analyze` uses.
struct Recording {
    sources::RecordingHeader header;
    std::vector<core::Event> events;
    bool closed_cleanly = false;
    std::string warning;
    std::map<std::uint32_t, std::vector<std::string>> frames;  // symbolized, by stack id
};

inline Recording read_recording(const std::string& path) {
    Recording r;
    auto opened = sources::NativeSource::open(path);
    if (auto* err = std::get_if<core::InputError>(&opened)) {
        ADD_FAILURE() << err->to_string();
        return r;
    }
    auto& src = *std::get<std::unique_ptr<sources::NativeSource>>(opened);
    r.header = src.recording_header();
    core::Event e;
    for (;;) {
        auto st = src.next(e);
        if (st == sources::ReadStatus::end) break;
        if (st == sources::ReadStatus::error) {
            ADD_FAILURE() << src.error().to_string();
            break;
        }
        r.events.push_back(e);
    }
    for (const auto& ev : r.events)
        if (ev.stack_id && !r.frames.count(*ev.stack_id)) r.frames[*ev.stack_id] = src.stacks()->frames(*ev.stack_id);
    r.closed_cleanly = src.trailer().has_value();
    r.warning = src.warning();
    return r;
}

// `pasidtrace COMMAND ARGS...` in the background (stdout to `stdout_path`
// when given); ready once it said its hooks are in place.
class BackgroundCommand {
public:
    BackgroundCommand(const std::string& command, const std::vector<std::string>& args,
                      const std::string& stdout_path = {}) {
        int fds[2];
        if (::pipe(fds) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], STDERR_FILENO);
            ::close(fds[0]);
            ::close(fds[1]);
            if (!stdout_path.empty() && !std::freopen(stdout_path.c_str(), "w", stdout)) ::_exit(126);
            std::vector<char*> argv;
            argv.push_back(const_cast<char*>(PASIDTRACE_BINARY));
            argv.push_back(const_cast<char*>(command.c_str()));
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(PASIDTRACE_BINARY, argv.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        err_ = ::fdopen(fds[0], "r");
    }
    ~BackgroundCommand() {
        if (pid_ > 0 && !waited_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (err_) std::fclose(err_);
    }
    BackgroundCommand(const BackgroundCommand&) = delete;
    BackgroundCommand& operator=(const BackgroundCommand&) = delete;

    // Reads stderr until a line holding `marker` ("Ctrl-C", said once the
    // hooks are attached); false if it ended first.
    bool wait_ready(const std::string& marker = "Ctrl-C") {
        char line[4096];
        while (err_ && std::fgets(line, sizeof line, err_)) {
            stderr_text_ += line;
            if (std::string(line).find(marker) != std::string::npos) return true;
        }
        return false;
    }
    void signal(int sig) const { ::kill(pid_, sig); }
    // Sends `sig`, waits, returns the exit status (-1 if killed by a signal).
    int stop(int sig = SIGINT) {
        ::kill(pid_, sig);
        return wait_exit();
    }
    int wait_exit() {
        int status = 0;
        ::waitpid(pid_, &status, 0);
        waited_ = true;
        char line[4096];
        while (err_ && std::fgets(line, sizeof line, err_)) stderr_text_ += line;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    const std::string& stderr_text() const { return stderr_text_; }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    FILE* err_ = nullptr;
    bool waited_ = false;
    std::string stderr_text_;
};

// `pasidtrace record ARGS...` in the background.
class BackgroundRecord : public BackgroundCommand {
public:
    explicit BackgroundRecord(const std::vector<std::string>& args) : BackgroundCommand("record", args) {}
};

}  // namespace pasidtrace::test
