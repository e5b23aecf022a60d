// SPDX-License-Identifier: GPL-2.0-only
#include "reports/text_report.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include "reports/text_table.hpp"

namespace pasidtrace::reports {
namespace {

constexpr const char* kRed = "\033[31m";
constexpr const char* kYellow = "\033[33m";
constexpr const char* kGreen = "\033[32m";
constexpr const char* kBold = "\033[1m";
constexpr const char* kReset = "\033[0m";
constexpr std::size_t kWrap = 76;

const char* severity_color(core::Severity s) {
    switch (s) {
    case core::Severity::error: return kRed;
    case core::Severity::warning: return kYellow;
    case core::Severity::info: return nullptr;
    }
    return nullptr;
}

const char* state_color(core::LifetimeState s) {
    switch (s) {
    case core::LifetimeState::freed: return kGreen;
    case core::LifetimeState::open: return kYellow;
    case core::LifetimeState::leaked:
    case core::LifetimeState::early_freed: return kRed;
    }
    return nullptr;
}

std::string paint(const std::string& s, const char* color, bool on) {
    return on && color ? color + s + kReset : s;
}

std::string opt_ts(const std::optional<std::uint64_t>& ts) { return ts ? std::to_string(*ts) : "-"; }

std::string mm_label(const std::optional<core::MmRef>& mm, const ReportOptions& o) {
    if (!mm) return "-";
    return o.show_kernel_pointers ? mm->name() + " (" + mm->raw.to_string() + ")" : mm->name();
}

std::string process_label(const core::Lifetime& l) {
    if (!l.owner_pid && l.owner_comm.empty()) return "-";
    return (l.owner_comm.empty() ? "?" : l.owner_comm) + (l.owner_pid ? "[" + std::to_string(*l.owner_pid) + "]" : "");
}

std::string bindings_label(const core::Lifetime& l) {
    if (l.bindings.empty()) return "-";
    std::string s;
    for (const auto& b : l.bindings) {
        if (!s.empty()) s += ", ";
        s += b.dev.present() ? b.dev.to_string() : "?";
        if (!b.unbind_ts) s += " (bound)";
    }
    return s;
}

std::string threads_label(const core::Lifetime& l) {
    if (l.threads.empty()) return "-";
    std::string s;
    for (const auto& t : l.threads) {
        if (!s.empty()) s += ",";
        s += std::to_string(t.tid);
        if (!t.exit_ts) s += "*";  // still running at the end of the trace
    }
    return s;
}

void write_lifetimes(std::ostream& out, const ReportInput& in, const ReportOptions& o) {
    if (in.result.lifetimes.empty()) {
        out << "No PASID appears in this trace.\n";
        return;
    }
    TextTable table({"PASID", "MM", "PROCESS", "ALLOC → FREE", "BINDINGS", "MSR THREADS", "STATE"});
    for (const auto& l : in.result.lifetimes) {
        std::string span = std::to_string(l.alloc_ts) + (l.alloc_seen ? "" : "?") + " → " + opt_ts(l.free_ts);
        table.add_row({{std::to_string(l.pasid)}, {mm_label(l.mm, o)}, {process_label(l)}, {span},
                       {bindings_label(l)}, {threads_label(l)},
                       {std::string(core::to_string(l.state)), state_color(l.state)}});
    }
    table.print(out, o.color);
    out << "(ALLOC? : first seen there, no pasid_alloc in the trace; tid* : thread still running at the end)\n";
}

// Greedy word wrap with an indent, for the explanation paragraphs.
void write_wrapped(std::ostream& out, std::string_view text, const std::string& indent) {
    std::istringstream words{std::string(text)};
    std::string word, line;
    while (words >> word) {
        if (!line.empty() && indent.size() + line.size() + 1 + word.size() > kWrap) {
            out << indent << line << '\n';
            line.clear();
        }
        line += (line.empty() ? "" : " ") + word;
    }
    if (!line.empty()) out << indent << line << '\n';
}

void write_evidence(std::ostream& out, const core::EvidenceRef& e, const ReportInput& in) {
    std::string type(core::to_string(e.type));
    type.resize(std::max<std::size_t>(type.size(), 10), ' ');
    out << "      " << e.ts << "  " << type << "  (" << (in.path == "-" ? "<stdin>" : in.path)
        << ":" << e.line << ")\n";
    if (!in.stacks || !e.stack_id) return;
    for (const auto& frame : in.stacks->frames(*e.stack_id)) out << "          " << frame << '\n';
}

void write_finding(std::ostream& out, const core::Finding& f, const ReportInput& in, const ReportOptions& o) {
    const core::RuleInfo& info = core::rule_info(f.rule);
    std::string sev(core::to_string(info.severity));
    out << paint(sev, severity_color(info.severity), o.color) << ": " << paint(std::string(info.name), kBold, o.color);
    if (f.pasid) out << "  PASID " << *f.pasid;
    if (f.mm) out << "  " << mm_label(f.mm, o);
    out << "  at " << f.ts << (f.uncertain ? "  (uncertain: events were lost before this)" : "") << '\n';
    out << "    " << f.message << '\n';
    write_wrapped(out, info.explanation, "    ");
    if (f.evidence.empty()) return;
    out << "    evidence:\n";
    for (const auto& e : f.evidence) write_evidence(out, e, in);
}

void write_unchecked(std::ostream& out, const core::AnalysisResult& r) {
    if (r.unchecked.empty()) return;
    out << "\nNot checked (the source did not observe the events they need):\n";
    for (const auto& u : r.unchecked) {
        out << "  " << core::rule_info(u.rule).name << ": missing";
        for (auto t : u.missing) out << ' ' << core::to_string(t);
        out << '\n';
    }
}

void write_summary(std::ostream& out, const ReportInput& in, const ReportOptions& o) {
    const core::AnalysisResult& r = in.result;
    std::array<std::uint64_t, 3> count{};
    std::uint64_t uncertain = 0;
    for (const auto& f : r.findings) {
        ++count[static_cast<std::size_t>(core::rule_info(f.rule).severity)];
        uncertain += f.uncertain ? 1 : 0;
    }
    auto n = [&](core::Severity s) { return count[static_cast<std::size_t>(s)]; };
    std::ostringstream s;
    s << "summary: " << r.distinct_pasids << " PASID(s) in " << r.mms_with_pasid << " mm(s); "
      << n(core::Severity::error) << " error(s), " << n(core::Severity::warning) << " warning(s)";
    if (uncertain) s << " (" << uncertain << " uncertain)";
    s << "; " << r.input.events << " events";
    if (r.input.lost) s << ", " << r.input.lost << " lost";
    if (r.input.late) s << ", " << r.input.late << " late";
    if (r.input.skipped) s << ", " << r.input.skipped << " of unknown type skipped";
    const char* color = n(core::Severity::error) ? kRed : n(core::Severity::warning) ? kYellow : kGreen;
    out << '\n' << paint(s.str(), color, o.color) << '\n';
}

}  // namespace

void write_text_report(std::ostream& out, const ReportInput& in, const ReportOptions& options) {
    out << paint("pasidtrace", kBold, options.color) << ": " << (in.path == "-" ? "<stdin>" : in.path) << " ("
        << in.format << ", model " << core::to_string(in.result.model) << ")\n\n";
    write_lifetimes(out, in, options);
    for (const auto& f : in.result.findings) {
        out << '\n';
        write_finding(out, f, in, options);
    }
    write_unchecked(out, in.result);
    write_summary(out, in, options);
}

}  // namespace pasidtrace::reports
