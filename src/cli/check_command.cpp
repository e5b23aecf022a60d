// SPDX-License-Identifier: GPL-2.0-only
// `pasidtrace check`: can this host trace PASID lifetimes live, and with
// which hook mechanisms. Exit 0 when live tracing can run at all (some hook
// attached), 2 otherwise.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.hpp"

#ifdef PASIDTRACE_HAVE_LIVE
#include "cli/recorder_cli.hpp"
#include "live/check_report.hpp"
#include "sources/recording_header.hpp"
#endif

namespace pasidtrace::cli {
namespace {

#ifdef PASIDTRACE_HAVE_LIVE

using live::CheckReport;

std::string yes_no(bool v, const std::string& note) { return std::string(v ? "yes" : "no") + " (" + note + ")"; }

std::string observed_list(const CheckReport& r) {
    std::string s;
    for (auto t : r.observed) s += (s.empty() ? "" : " ") + std::string(core::to_string(t));
    return s;
}

void print_facts(std::ostream& out, const CheckReport& r) {
    out << std::left;
    auto row = [&](const char* k, const std::string& v) { out << "  " << std::setw(14) << k << v << '\n'; };
    row("kernel", r.kernel_release);
    row("BTF", yes_no(r.btf, r.btf_note));
    row("privileges", r.privileges.describe());
    row("CPU ENQCMD", yes_no(r.host.cpu_enqcmd, r.host.cpu_note));
    row("IOMMU SVA", yes_no(r.host.iommu_sva, r.host.iommu_note));
}

int mechanism_width(const CheckReport& r) {
    std::size_t w = 9;  // "MECHANISM"
    for (const auto& h : r.hooks)
        for (const auto& a : h.attempts) w = std::max(w, a.candidate->label().size());
    return static_cast<int>(w + 2);
}

// One row per mechanism tried; '>' marks the one in use.
void print_hooks(std::ostream& out, const CheckReport& r) {
    const int width = mechanism_width(r);
    out << '\n'
        << "  " << std::setw(13) << "HOOK"
        << "  " << std::setw(width) << "MECHANISM"
        << "STATUS\n";
    for (const auto& h : r.hooks) {
        bool first = true;
        for (const auto& a : h.attempts) {
            const bool in_use = a.result == live::AttemptResult::attached;
            out << "  " << std::setw(13) << (first ? h.spec->name : "") << (in_use ? "> " : "  ") << std::setw(width)
                << a.candidate->label() << a.status() << '\n';
            first = false;
        }
        if (h.attempts.empty())
            out << "  " << std::setw(13) << h.spec->name << "  " << std::setw(width) << "-"
                << "no candidate\n";
    }
}

void print_text(std::ostream& out, const CheckReport& r) {
    out << "pasidtrace check: live tracing on this host\n\n";
    print_facts(out, r);
    if (!r.hooks.empty()) print_hooks(out, r);
    out << '\n';
    if (r.load_error) out << "  error: " << r.load_error->to_string() << '\n';
    std::size_t attached = 0;
    for (const auto& h : r.hooks) attached += h.attached() ? 1 : 0;
    if (r.can_trace())
        out << "live tracing can run: " << attached << " of " << r.hooks.size()
            << " hooks attached; observed: " << observed_list(r)
            << "; mmdrop probe: " << sources::to_string(r.mmdrop_probe) << '\n';
    else
        out << "live tracing cannot run here\n";
}

nlohmann::ordered_json to_json(const CheckReport& r) {
    nlohmann::ordered_json j;
    j["kernel"] = r.kernel_release;
    j["btf"] = {{"present", r.btf}, {"note", r.btf_note}};
    j["privileges"] = {{"root", r.privileges.root},
                       {"cap_bpf", r.privileges.cap_bpf},
                       {"cap_perfmon", r.privileges.cap_perfmon},
                       {"cap_sys_admin", r.privileges.cap_sys_admin}};
    j["cpu_enqcmd"] = r.host.cpu_enqcmd;
    j["iommu_sva"] = r.host.iommu_sva;
    j["hooks"] = nlohmann::ordered_json::array();
    for (const auto& h : r.hooks) {
        nlohmann::ordered_json attempts = nlohmann::ordered_json::array();
        for (const auto& a : h.attempts)
            attempts.push_back({{"mechanism", std::string(live::to_string(a.candidate->mechanism))},
                                {"target", a.candidate->target},
                                {"variant", a.candidate->variant},
                                {"programs", a.candidate->programs},
                                {"status", a.status()}});
        j["hooks"].push_back({{"hook", h.spec->name}, {"attached", h.attached()}, {"attempts", attempts}});
    }
    j["observed"] = nlohmann::ordered_json::array();
    for (auto t : r.observed) j["observed"].push_back(std::string(core::to_string(t)));
    j["mmdrop_probe"] = std::string(sources::to_string(r.mmdrop_probe));
    j["error"] = r.load_error ? nlohmann::ordered_json(r.load_error->to_string()) : nlohmann::ordered_json();
    j["can_trace"] = r.can_trace();
    return j;
}

#endif

class CheckCommand final : public Command {
public:
    CLI::App* add_to(CLI::App& app) override {
        CLI::App* sub = app.add_subcommand("check", "Tell whether and how this host can trace PASID lifetimes live");
        sub->add_option("--format", format_, "Output format")
            ->check(CLI::IsMember({"text", "json"}))
            ->capture_default_str();
#ifdef PASIDTRACE_HAVE_LIVE
        add_mechanism_flag(*sub, mechanism_);
#endif
        sub->footer(
            "Loads the recorder, attaches each hook with the first mechanism that works here, and detaches.\n"
            "Exit status: 0 live tracing can run, 2 it cannot (missing privileges, BTF, or no hook).");
        return sub;
    }

    int run() override {
#ifdef PASIDTRACE_HAVE_LIVE
        const CheckReport r = live::run_check(*live::parse_mechanism_choice(mechanism_));
        if (!r.privileges.can_trace()) {
            std::cerr << "pasidtrace: " << live::missing_privileges_message(r.privileges) << '\n';
            return kExitUsage;
        }
        if (format_ == "json")
            std::cout << to_json(r).dump(2) << '\n';
        else
            print_text(std::cout, r);
        return r.can_trace() ? kExitOk : kExitUsage;
#else
        std::cerr << "pasidtrace: this build has no live tracing (configured with PASIDTRACE_BPF=OFF)\n";
        return kExitUsage;
#endif
    }

private:
    std::string format_ = "text";
    std::string mechanism_ = "auto";  // checked by CLI11
};

const CommandRegistration kRegistration{20, [] { return std::unique_ptr<Command>(new CheckCommand()); }};

}  // namespace
}  // namespace pasidtrace::cli
