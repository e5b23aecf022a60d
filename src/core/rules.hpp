// SPDX-License-Identifier: GPL-2.0-only
// The rule catalogue (contract 2.3): stable identifiers, severities, the
// kernel fact each rule checks, and the event types its evidence needs
// (contract 4, "Unchecked"). Identifiers are stable forever: never rename or
// reuse one.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "core/event.hpp"
#include "core/model.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::core {

enum class Severity { info, warning, error };
std::string_view to_string(Severity s);

enum class RuleId {
    pasid_leak,
    binding_leak,
    early_free_bound,
    early_free_task,
    early_free_mm_live,
    mmdrop_while_bound,
    pasid_reuse_live,
    use_after_free_msr,
    use_after_free_iopf,
    double_free,
    unbalanced_unbind,
    msr_pasid_mismatch,
    events_lost,
};
inline constexpr std::size_t kRuleCount = 13;

struct RuleInfo {
    RuleId id;
    std::string_view name;  // the stable identifier, e.g. "pasid-leak"
    Severity severity;
    // The kernel fact the rule checks, one line.
    std::string_view kernel_fact;
    // A paragraph for the text report: why this matters on a real system.
    std::string_view explanation;
};

const RuleInfo& rule_info(RuleId id);
const std::array<RuleInfo, kRuleCount>& all_rules();
std::optional<RuleId> rule_from_string(std::string_view name);

// Whether the rule applies under the model at all (early-free-mm-live is
// model mm only).
bool rule_applies(RuleId id, Model model);

// Event types a rule's evidence needs under a model, per contract 4. The
// result may depend on what was observed (task-refcount pasid-leak needs
// `exit` only when `pasid_msr` is observed; binding-leak needs mmput or exit).
bool rule_checkable(RuleId id, Model model, const ObservedTypes& observed);

// The event types the rule needs under the model that were not observed
// (for the report's "missing"); empty when the rule is checkable.
std::vector<EventType> missing_types(RuleId id, Model model, const ObservedTypes& observed);

// Rules of the model that cannot be checked with what was observed, in
// identifier order. events-lost is never listed.
std::vector<RuleId> unchecked_rules(Model model, const ObservedTypes& observed);

}  // namespace pasidtrace::core
