// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace record -o FILE`: records PASID lifetime events into a native
// recording (docs/recording-format.md) to analyze later, here or elsewhere.
// SIGINT/SIGTERM finish the file cleanly. Exit 0 when the recording was
// closed, 2 on a usage error or when recording could not start or failed.
// Only in builds with live tracing (PASIDTRACE_BPF).
#ifdef PASIDTRACE_HAVE_LIVE

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/command.hpp"
#include "cli/recorder_cli.hpp"
#include "live/live_options.hpp"
#include "live/recorder.hpp"
#include "live/stop_signal.hpp"

namespace pasidtrace::cli {
namespace {

// The refreshed one-line status, on a terminal only.
class StatusLine {
public:
    StatusLine() : on_(::isatty(STDERR_FILENO) == 1) {}
    ~StatusLine() { clear(); }
    StatusLine(const StatusLine&) = delete;
    StatusLine& operator=(const StatusLine&) = delete;

    live::Recorder::StatusSink sink() {
        if (!on_) return {};
        return [this](const live::RecordStatus& s) {
            shown_ = true;
            std::fprintf(stderr, "\r\033[K%.0f events/s, %llu events, %llu lost, %zu live PASID(s)",
                         s.events_per_second, static_cast<unsigned long long>(s.events),
                         static_cast<unsigned long long>(s.lost), s.live_pasids);
            std::fflush(stderr);
        };
    }
    void clear() {
        if (shown_) std::fputs("\r\033[K", stderr);
        shown_ = false;
    }

private:
    bool on_;
    bool shown_ = false;
};

int fail(const std::string& message) {
    std::cerr << "pasidtrace: " << message << '\n';
    return kExitUsage;
}

// Said on every start, terminal or not: scripts wait for this line to know
// the hooks are in place.
void announce(const std::string& output, const live::BpfSession& s) {
    std::size_t attached = 0;
    std::string missing;
    for (const auto& h : s.hooks()) {
        if (h.attached())
            ++attached;
        else
            missing += (missing.empty() ? "" : ", ") + h.spec->name;
    }
    std::cerr << "pasidtrace: recording to " << output << ": " << attached << " of " << s.hooks().size()
              << " hooks attached";
    if (!missing.empty()) std::cerr << " (not attached: " << missing << ")";
    std::cerr << "; Ctrl-C to stop" << std::endl;
}

void report(const std::string& output, const live::RecordSummary& s) {
    std::cerr << "pasidtrace: " << output << ": " << s.events << " events, " << s.lost
              << " lost (kernel drop counters: " << s.kernel_drops << "), " << s.stacks << " stacks\n";
    if (!s.warning.empty()) std::cerr << "pasidtrace: " << output << ": warning: " << s.warning << '\n';
}

class RecordCommand final : public Command {
public:
    CLI::App* add_to(CLI::App& app) override {
        CLI::App* sub = app.add_subcommand("record", "Record PASID lifetime events with eBPF into a file");
        sub->add_option("-o,--output", output_, "Recording to write (created with mode 0600)")->required();
        sub->add_option("--duration", duration_s_, "Stop after SECONDS (default: until Ctrl-C)")
            ->check(CLI::PositiveNumber);
        add_recorder_flags(*sub, flags_);
        sub->footer(
            "Examples:\n"
            "  sudo pasidtrace record -o run.ptr\n"
            "  sudo pasidtrace record --all-mm --duration 3 -o f && pasidtrace convert f --to jsonl\n"
            "Exit status: 0 recording closed, 2 usage error or recording failed.");
        return sub;
    }

    int run() override {
        auto prepared = prepare_recorder(flags_);
        if (auto* message = std::get_if<std::string>(&prepared)) return fail(*message);
        auto& [options, kernel] = std::get<RecorderPreflight>(prepared);
        auto started = live::Recorder::start(options, output_, *kernel);
        if (auto* e = std::get_if<live::LiveError>(&started)) return fail(e->to_string());
        auto& recorder = *std::get<std::unique_ptr<live::Recorder>>(started);
        announce(output_, recorder.session());
        StatusLine status;
        auto done = recorder.run(live::stop_requested, duration_s_, status.sink());
        status.clear();
        if (auto* e = std::get_if<live::LiveError>(&done)) return fail(e->to_string());
        report(output_, std::get<live::RecordSummary>(done));
        return kExitOk;
    }

private:
    std::string output_;
    std::optional<double> duration_s_;
    live::RecorderFlags flags_;
};

const CommandRegistration kRegistration{22, [] { return std::unique_ptr<Command>(new RecordCommand()); }};

}  // namespace
}  // namespace pasidtrace::cli

#endif  // PASIDTRACE_HAVE_LIVE
