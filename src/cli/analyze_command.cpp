// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace analyze FILE...`: the offline job. Reads every input to the
// end before printing anything, so an input error leaves stdout and -o empty.
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include <unistd.h>

#include "app/analysis_pipeline.hpp"
#include "cli/command.hpp"
#include "cli/fail_on.hpp"
#include "cli/output_file.hpp"
#include "reports/json_report.hpp"
#include "reports/text_report.hpp"
#include "sources/source_factory.hpp"

namespace pasidtrace::cli {
namespace {

struct AnalyzeOptions {
    std::vector<std::string> files;
    std::string format = "text";
    std::string output;
    std::string model = "auto";
    std::string fail_on = "error";
    bool show_kernel_pointers = false;
    std::uint64_t reorder_window_ns = core::ReorderBuffer::kDefaultWindowNs;
    std::size_t reorder_max_events = core::ReorderBuffer::kDefaultMaxEvents;
};

bool no_color_requested() {
    const char* v = std::getenv("NO_COLOR");
    return v && *v;  // https://no-color.org: set and not empty
}

class ProgressLine {
public:
    explicit ProgressLine(std::string path) : path_(std::move(path)), on_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressLine() {
        if (shown_) std::cerr << "\r\033[K" << std::flush;
    }
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    std::function<void(std::uint64_t)> callback() {
        if (!on_) return {};
        return [this](std::uint64_t n) {
            shown_ = true;
            std::cerr << "\r" << path_ << ": " << n << " events read" << std::flush;
        };
    }

private:
    std::string path_;
    bool on_;
    bool shown_ = false;
};

class AnalyzeCommand final : public Command {
public:
    CLI::App* add_to(CLI::App& app) override {
        CLI::App* sub = app.add_subcommand("analyze", "Reconstruct PASID lifetimes from saved traces and check them");
        sub->add_option("FILE", o_.files, "Traces to analyze: .jsonl scenarios or recordings; '-' reads stdin")
            ->required();
        sub->add_option("--format", o_.format, "Report format")
            ->check(CLI::IsMember({"text", "json"}))
            ->capture_default_str();
        sub->add_option("-o,--output", o_.output, "Write the report to PATH (complete or not at all)");
        sub->add_option("--model", o_.model, "Lifetime model; auto picks by the trace's kernel release")
            ->check(CLI::IsMember({"auto", "mm", "task-refcount"}))
            ->capture_default_str();
        sub->add_option("--fail-on", o_.fail_on, "Exit 1 when a finding has this severity or higher")
            ->check(CLI::IsMember({"error", "warning", "never"}))
            ->capture_default_str();
        sub->add_flag("--show-kernel-pointers", o_.show_kernel_pointers,
                      "Print raw mm values (mm_id) next to mm#N; they are kernel addresses");
        sub->add_option("--reorder-window", o_.reorder_window_ns,
                        "Reorder events by ts within this many nanoseconds")
            ->capture_default_str();
        sub->add_option("--reorder-max-events", o_.reorder_max_events,
                        "At most this many events wait in the reorder window")
            ->check(CLI::PositiveNumber)
            ->capture_default_str();
        sub->footer(
            "Examples:\n"
            "  pasidtrace analyze samples/demo-leak-and-early-free.jsonl\n"
            "  pasidtrace analyze --format json -o report.json trace.jsonl\n"
            "  trace-to-jsonl | pasidtrace analyze --model task-refcount --fail-on warning -\n"
            "Exit status: 0 no finding at --fail-on severity, 1 findings, 2 usage or input error.");
        return sub;
    }

    int run() override {
        std::vector<Analysis> analyses;
        for (const auto& file : o_.files) {
            auto a = analyze(file);
            if (!a) return kExitUsage;
            analyses.push_back(std::move(*a));
        }
        std::string report = render(analyses);
        if (!o_.output.empty()) {
            if (auto err = write_file_atomically(o_.output, report); !err.empty()) {
                std::cerr << "pasidtrace: " << err << '\n';
                return kExitUsage;
            }
        } else {
            std::cout << report << std::flush;
        }
        for (const auto& a : analyses)
            if (fails_at(a.out.result, o_.fail_on)) return kExitFindings;
        return kExitOk;
    }

private:
    struct Analysis {
        app::PipelineOutput out;
        std::unique_ptr<sources::EventSource> source;  // kept for its stack table
    };

    std::optional<Analysis> analyze(const std::string& file) {
        auto opened = sources::open_source(file);
        if (auto* err = std::get_if<core::InputError>(&opened)) {
            std::cerr << "pasidtrace: " << err->to_string() << '\n';
            return std::nullopt;
        }
        Analysis a;
        a.source = std::move(std::get<std::unique_ptr<sources::EventSource>>(opened));
        app::PipelineOptions popts;
        popts.model = *core::model_choice_from_string(o_.model);
        popts.reorder_window_ns = o_.reorder_window_ns;
        popts.reorder_max_events = o_.reorder_max_events;
        ProgressLine progress(file);
        popts.on_progress = progress.callback();
        auto result = app::run_analysis(*a.source, file, popts);
        if (auto* err = std::get_if<core::InputError>(&result)) {
            std::cerr << "pasidtrace: " << err->to_string() << '\n';
            return std::nullopt;
        }
        a.out = std::move(std::get<app::PipelineOutput>(result));
        if (!a.out.warning.empty()) std::cerr << "pasidtrace: " << file << ": warning: " << a.out.warning << '\n';
        return a;
    }

    std::string render(const std::vector<Analysis>& analyses) const {
        reports::ReportOptions ro;
        ro.show_kernel_pointers = o_.show_kernel_pointers;
        ro.color = o_.output.empty() && ::isatty(STDOUT_FILENO) == 1 && !no_color_requested();
        std::ostringstream out;
        if (o_.format == "json") {
            auto report_of = [&](const Analysis& a) { return reports::json_report(input_of(a), ro); };
            if (analyses.size() == 1) {
                out << report_of(analyses.front()).dump(2) << '\n';
            } else {
                auto all = nlohmann::ordered_json::array();
                for (const auto& a : analyses) all.push_back(report_of(a));
                out << all.dump(2) << '\n';
            }
            return out.str();
        }
        for (std::size_t i = 0; i < analyses.size(); ++i) {
            if (i) out << '\n';
            reports::write_text_report(out, input_of(analyses[i]), ro);
        }
        return out.str();
    }

    static reports::ReportInput input_of(const Analysis& a) {
        return reports::ReportInput{a.out.result, a.out.input_path, a.out.input_format, a.source->stacks()};
    }

    AnalyzeOptions o_;
};

const CommandRegistration kRegistration{10, [] { return std::unique_ptr<Command>(new AnalyzeCommand()); }};

}  // namespace
}  // namespace pasidtrace::cli
