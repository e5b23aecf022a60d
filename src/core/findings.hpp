// SPDX-License-Identifier: GPL-2.0-only
// How each rule of contract 2.3 reports: its finding's PASID, mm, ts,
// message and evidence, one builder per rule. Also the bookkeeping every
// finding shares: rules that cannot be checked with what the source observed
// are dropped (section 4, Unchecked), findings after the first loss are
// uncertain, and the order found breaks ties of ts.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/analysis.hpp"
#include "core/trace_header.hpp"

namespace pasidtrace::core {

class Findings {
public:
    Findings(Model model, const ObservedTypes& observed);

    void set_sink(std::function<void(const Finding&)> sink) { sink_ = std::move(sink); }
    // Marks the start of an event's processing: its findings are uncertain
    // when a loss came before it.
    void begin_event() { uncertain_now_ = lost_seen_; }
    bool uncertain_now() const { return uncertain_now_; }
    bool any_loss() const { return lost_seen_; }

    void emit(Finding f);

    // events-lost: one per trace, at the first loss; count 0 is no loss.
    void lost(const Event& e);

    // Early frees are built now and emitted once adjacency is settled.
    Finding early_free_bound(const Lifetime& l, const Ident& dev, EvidenceRef bind, const Event& free);
    Finding early_free_task(const Lifetime& l, EvidenceRef msr, const Event& free);
    Finding early_free_mm_live(const Lifetime& l, EvidenceRef tie, const Event& free);

    void reuse_live(const Lifetime& l, EvidenceRef first, std::optional<MmRef> second, const Event& e,
                    std::string_view how);
    void double_free(const Lifetime& l, EvidenceRef first_free, const Event& e);
    void use_after_free_msr(const Lifetime& l, EvidenceRef free, std::optional<MmRef> thread_mm, const Event& e);
    void use_after_free_iopf(const Lifetime& l, EvidenceRef free, const Event& e);
    void unbalanced_unbind(const Event& e, std::optional<MmRef> named);
    // `device_owned`: the PASID is live but tied to no mm (a driver's own).
    void msr_mismatch(std::uint32_t pasid, MmRef m, std::optional<std::uint32_t> held, const Event& e,
                      bool device_owned);
    void mmdrop_while_bound(std::optional<std::uint32_t> pasid, MmRef m, const Ident& dev, EvidenceRef bind,
                            const Event& drop);
    void mm_leak(const Lifetime& l, EvidenceRef tie, EvidenceRef drop);
    void refcount_leak(const Lifetime& l, EvidenceRef zero, std::optional<EvidenceRef> rise, bool uncertain);
    void binding_leak(std::optional<std::uint32_t> pasid, MmRef m, const Ident& dev, EvidenceRef bind,
                      EvidenceRef gone, std::string_view why);

    // False when the rule is unchecked: its findings are dropped.
    bool checkable(RuleId rule) const { return checkable_[static_cast<std::size_t>(rule)]; }

    std::vector<Finding> take_sorted();
    std::vector<UncheckedRule> unchecked() const { return unchecked_; }

private:
    Finding make(RuleId rule, std::optional<std::uint32_t> pasid, std::optional<MmRef> mm, std::uint64_t ts,
                 std::string message, std::vector<EvidenceRef> evidence) const;

    std::array<bool, kRuleCount> checkable_{};
    std::vector<UncheckedRule> unchecked_;
    std::function<void(const Finding&)> sink_;
    std::vector<Finding> found_;
    std::uint64_t next_order_ = 0;
    bool lost_seen_ = false;
    bool uncertain_now_ = false;
};

}  // namespace pasidtrace::core
