// SPDX-License-Identifier: GPL-2.0-only
#include "live/hook_outcome.hpp"

#include <algorithm>

#include "live/kernel_features.hpp"

namespace pasidtrace::live {
namespace {

bool function_exists(const std::string& name, const KernelFeatures& k) {
    return k.btf_has_function(name) || k.kallsyms_has(name);
}

// A function without an ftrace location (notrace, or in a section ftrace
// skips) passes the fentry load and the kprobe checks but fails to attach:
// say so before a load is wasted on it.
std::optional<Refusal> notrace_refusal(const Candidate& c, const KernelFeatures& k) {
    if (k.traceable(c.target).value_or(true)) return std::nullopt;
    return Refusal{c.target + " is notrace here (not in tracefs available_filter_functions): neither a trampoline "
                              "nor a kprobe can attach",
                   false};
}

std::optional<Refusal> function_refusal(const Candidate& c, const KernelFeatures& k) {
    const bool exists = function_exists(c.target, k);
    if (c.mechanism == Mechanism::fentry) {
        std::string r = k.fentry_refusal(c.target);
        if (!r.empty()) return Refusal{r, !exists};
        return notrace_refusal(c, k);
    }
    if (!k.kprobe_refusal().empty()) return Refusal{k.kprobe_refusal(), !exists};
    if (k.kallsyms_readable() && !k.kallsyms_has(c.target))
        return Refusal{c.target + " is not in kallsyms (absent or inlined in this kernel)", true};
    return notrace_refusal(c, k);
}

std::optional<Refusal> tracepoint_refusal(const Candidate& c, const KernelFeatures& k) {
    const bool exists = k.tracepoint_exists(c.target);
    if (!k.has_btf()) return Refusal{k.btf_error(), !exists};
    if (c.mechanism == Mechanism::tp_btf && !k.tracepoint_params(c.target))
        return Refusal{"tracepoint " + c.target + " has no BTF prototype here (not in this kernel)", !exists};
    if (c.mechanism == Mechanism::raw_tp && !exists)
        return Refusal{"tracepoint " + c.target + " is not in this kernel", true};
    return std::nullopt;
}

}  // namespace

std::string HookAttempt::status() const {
    switch (result) {
        case AttemptResult::attached:
            return "attached";
        case AttemptResult::not_attachable:
            return "loaded, not attachable: " + reason;
        case AttemptResult::unavailable:
            return "unavailable: " + reason;
    }
    return reason;
}

sources::HookStatus HookOutcome::header_entry() const {
    if (attempts.empty()) return {spec->name, "none", "unavailable: no mechanism in the catalogue"};
    const HookAttempt* shown = &attempts.front();
    if (attached()) {
        shown = &attempts.back();
    } else {
        for (const auto& a : attempts)
            if (!a.target_missing) {
                shown = &a;
                break;
            }
    }
    return {spec->name, shown->candidate->label(), shown->status()};
}

std::optional<Refusal> static_refusal(const Candidate& c, const KernelFeatures& kernel) {
    const bool function = c.mechanism == Mechanism::fentry || c.mechanism == Mechanism::kprobe;
    if (auto r = function ? function_refusal(c, kernel) : tracepoint_refusal(c, kernel)) return r;
    if (c.precondition)
        if (auto why = c.precondition(kernel)) return Refusal{*why, false};
    return std::nullopt;
}

std::optional<std::string> excluded_by(MechanismChoice choice, const Candidate& c) {
    const bool excluded = (choice == MechanismChoice::kprobe && c.mechanism == Mechanism::fentry) ||
                          (choice == MechanismChoice::tracepoint &&
                           (c.mechanism == Mechanism::fentry || c.mechanism == Mechanism::kprobe));
    if (!excluded) return std::nullopt;
    return "left out by --mechanism " + std::string(to_string(choice));
}

std::vector<core::EventType> observed_types(const std::vector<HookOutcome>& hooks) {
    std::vector<core::EventType> out{core::EventType::lost};
    for (const auto& h : hooks)
        if (h.attached()) out.push_back(h.spec->yields);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

core::MmdropProbe mmdrop_probe_of(const std::vector<HookOutcome>& hooks) {
    for (const auto& h : hooks) {
        if (h.spec->id != PT_HOOK_MMDROP || !h.attached()) continue;
        const Mechanism m = h.chosen()->mechanism;
        return m == Mechanism::fentry || m == Mechanism::kprobe ? core::MmdropProbe::entry : core::MmdropProbe::exit;
    }
    return core::MmdropProbe::unknown;
}

}  // namespace pasidtrace::live
