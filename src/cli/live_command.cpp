// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace live`: record and analyze at once. Each finding is printed the
// moment the analyzer is sure of it, with the kernel stacks of its evidence;
// on Ctrl-C (or --duration) the full report follows, in the chosen format,
// with analyze's exit statuses. Only in builds with live tracing.
#ifdef PASIDTRACE_HAVE_LIVE

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/analysis_pipeline.hpp"
#include "cli/command.hpp"
#include "cli/fail_on.hpp"
#include "cli/recorder_cli.hpp"
#include "cli/output_file.hpp"
#include "live/live_options.hpp"
#include "live/live_source.hpp"
#include "live/stop_signal.hpp"
#include "reports/json_report.hpp"
#include "reports/text_report.hpp"

namespace pasidtrace::cli {
namespace {

constexpr const char* kInputName = "live";

int fail(const std::string& message) {
    std::cerr << "pasidtrace: " << message << '\n';
    return kExitUsage;
}

// One finding as it fires: rule, PASID, mm, message, evidence with stacks.
void print_finding(std::ostream& out, const core::Finding& f, const sources::StackTable* stacks) {
    const core::RuleInfo& info = core::rule_info(f.rule);
    out << "[live] " << core::to_string(info.severity) << ": " << info.name;
    if (f.pasid) out << "  PASID " << *f.pasid;
    if (f.mm) out << "  " << f.mm->name();
    out << "  at " << f.ts << (f.uncertain ? "  (uncertain: events were lost before this)" : "") << '\n';
    out << "    " << f.message << '\n';
    for (const auto& e : f.evidence) {
        out << "      " << e.ts << "  " << core::to_string(e.type) << "  (" << kInputName << ":" << e.line << ")\n";
        if (stacks && e.stack_id)
            for (const auto& frame : stacks->frames(*e.stack_id)) out << "          " << frame << '\n';
    }
    out << std::flush;
}

class LiveCommand final : public Command {
public:
    CLI::App* add_to(CLI::App& app) override {
        CLI::App* sub =
            app.add_subcommand("live", "Trace PASID lifetimes live: findings as they happen, report on Ctrl-C");
        sub->add_option("--format", format_, "Format of the final report")
            ->check(CLI::IsMember({"text", "json"}))
            ->capture_default_str();
        sub->add_option("-o,--output", output_, "Write the final report to PATH (complete or not at all)");
        sub->add_option("--model", model_, "Lifetime model; auto picks by this kernel's release")
            ->check(CLI::IsMember({"auto", "mm", "task-refcount"}))
            ->capture_default_str();
        sub->add_option("--fail-on", fail_on_, "Exit 1 when a finding has this severity or higher")
            ->check(CLI::IsMember({"error", "warning", "never"}))
            ->capture_default_str();
        sub->add_flag("--show-kernel-pointers", show_kernel_pointers_, "Print raw mm values next to mm#N");
        sub->add_option("--reorder-window", reorder_window_ns_,
                        "Hold events this many ns to restore ts order across CPUs (findings wait as long)")
            ->capture_default_str();
        sub->add_option("--duration", duration_s_, "Stop after SECONDS (default: until Ctrl-C)")
            ->check(CLI::PositiveNumber);
        add_recorder_flags(*sub, flags_);
        sub->footer(
            "Findings print as they happen (to stdout, or to stderr with --format json so stdout stays JSON).\n"
            "Exit status: 0 no finding at --fail-on severity, 1 findings, 2 usage error or tracing failed.");
        return sub;
    }

    int run() override {
        auto prepared = prepare_recorder(flags_);
        if (auto* message = std::get_if<std::string>(&prepared)) return fail(*message);
        auto& [options, kernel] = std::get<RecorderPreflight>(prepared);
        auto started = live::LiveSource::start(options, *kernel, stop_condition());
        if (auto* e = std::get_if<live::LiveError>(&started)) return fail(e->to_string());
        auto& source = *std::get<std::unique_ptr<live::LiveSource>>(started);
        announce(source.session());

        std::ostream& live_out = format_ == "json" && output_.empty() ? std::cerr : std::cout;
        app::PipelineOptions popts;
        popts.model = *core::model_choice_from_string(model_);
        popts.reorder_window_ns = reorder_window_ns_;
        popts.on_finding = [&](const core::Finding& f) { print_finding(live_out, f, source.stacks()); };
        auto analyzed = app::run_analysis(source, kInputName, popts);
        if (auto* e = std::get_if<core::InputError>(&analyzed)) return fail(e->to_string());
        const auto& out = std::get<app::PipelineOutput>(analyzed);
        if (int rc = write_report(out, source.stacks()); rc != kExitOk) return rc;
        return fails_at(out.result, fail_on_) ? kExitFindings : kExitOk;
    }

private:
    // --duration counts from the first look, once the hooks are attached
    // (loading them can take a while).
    live::LiveSource::ShouldStop stop_condition() const {
        if (!duration_s_) return live::stop_requested;
        const auto length = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(*duration_s_));
        return [length, deadline = std::optional<std::chrono::steady_clock::time_point>()]() mutable {
            const auto now = std::chrono::steady_clock::now();
            if (!deadline) deadline = now + length;
            return live::stop_requested() || now >= *deadline;
        };
    }

    void announce(const live::BpfSession& s) const {
        std::size_t attached = 0;
        for (const auto& h : s.hooks()) attached += h.attached() ? 1 : 0;
        std::cerr << "pasidtrace: live: " << attached << " of " << s.hooks().size()
                  << " hooks attached (pasidtrace check tells which); Ctrl-C for the full report" << std::endl;
    }

    int write_report(const app::PipelineOutput& out, const sources::StackTable* stacks) const {
        reports::ReportOptions ro;
        ro.show_kernel_pointers = show_kernel_pointers_;
        const char* no_color = std::getenv("NO_COLOR");  // https://no-color.org
        ro.color = output_.empty() && ::isatty(STDOUT_FILENO) == 1 && !(no_color && *no_color);
        const reports::ReportInput input{out.result, kInputName, out.input_format, stacks};
        std::ostringstream text;
        if (format_ == "json")
            text << reports::json_report(input, ro).dump(2) << '\n';
        else
            reports::write_text_report(text, input, ro);
        if (output_.empty()) {
            std::cout << text.str() << std::flush;
            return kExitOk;
        }
        if (auto e = write_file_atomically(output_, text.str()); !e.empty()) return fail(e);
        return kExitOk;
    }

    std::string format_ = "text";
    std::string output_;
    std::string model_ = "auto";
    std::string fail_on_ = "error";
    bool show_kernel_pointers_ = false;
    std::uint64_t reorder_window_ns_ = core::ReorderBuffer::kDefaultWindowNs;
    std::optional<double> duration_s_;
    live::RecorderFlags flags_;
};

const CommandRegistration kRegistration{24, [] { return std::unique_ptr<Command>(new LiveCommand()); }};

}  // namespace
}  // namespace pasidtrace::cli

#endif  // PASIDTRACE_HAVE_LIVE
