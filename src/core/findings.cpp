// SPDX-License-Identifier: GPL-2.0-only
#include "core/findings.hpp"

#include <algorithm>

namespace pasidtrace::core {
namespace {

std::string pasid_str(std::optional<std::uint32_t> p) { return p ? "PASID " + std::to_string(*p) : "a PASID"; }
std::string mm_str(const std::optional<MmRef>& m) { return m ? m->name() : "an unknown mm"; }
std::string ts_str(std::uint64_t ts) { return std::to_string(ts); }
std::string dev_str(const Ident& dev) { return dev.present() ? dev.to_string() : "a device"; }

}  // namespace

Findings::Findings(Model model, const ObservedTypes& observed) {
    for (const RuleInfo& r : all_rules()) checkable_[static_cast<std::size_t>(r.id)] = true;
    for (RuleId id : unchecked_rules(model, observed)) {
        checkable_[static_cast<std::size_t>(id)] = false;
        unchecked_.push_back(UncheckedRule{id, missing_types(id, model, observed)});
    }
}

Finding Findings::make(RuleId rule, std::optional<std::uint32_t> pasid, std::optional<MmRef> mm, std::uint64_t ts,
                       std::string message, std::vector<EvidenceRef> evidence) const {
    Finding f;
    f.rule = rule;
    f.pasid = pasid;
    f.mm = std::move(mm);
    f.ts = ts;
    f.uncertain = uncertain_now_;
    f.message = std::move(message);
    f.evidence = std::move(evidence);
    return f;
}

void Findings::emit(Finding f) {
    if (!checkable_[static_cast<std::size_t>(f.rule)]) return;
    f.order = next_order_++;
    if (sink_) sink_(f);
    found_.push_back(std::move(f));
}

std::vector<Finding> Findings::take_sorted() {
    std::stable_sort(found_.begin(), found_.end(), [](const Finding& a, const Finding& b) {
        return a.ts != b.ts ? a.ts < b.ts : a.order < b.order;
    });
    return std::move(found_);
}

// The recorder's ring buffer overflowed: what follows may miss events.
void Findings::lost(const Event& e) {
    if (e.count == 0 || lost_seen_) return;
    uncertain_now_ = false;
    emit(make(RuleId::events_lost, std::nullopt, std::nullopt, e.ts,
              std::to_string(e.count) + " events lost at " + ts_str(e.ts) +
                  "; findings after this point are uncertain",
              {evidence_of(e)}));
    lost_seen_ = true;
}

// early-free-bound: the device may still tag DMA with the PASID.
Finding Findings::early_free_bound(const Lifetime& l, const Ident& dev, EvidenceRef bind, const Event& free) {
    return make(RuleId::early_free_bound, l.pasid, l.mm, free.ts,
                pasid_str(l.pasid) + " freed at " + ts_str(free.ts) + " while " + dev_str(dev) +
                    " is still bound (bound at " + ts_str(bind.ts) + ")",
                {bind, evidence_of(free)});
}

// early-free-task: a thread still carries the PASID in IA32_PASID.
Finding Findings::early_free_task(const Lifetime& l, EvidenceRef msr, const Event& free) {
    return make(RuleId::early_free_task, l.pasid, l.mm, free.ts,
                pasid_str(l.pasid) + " freed at " + ts_str(free.ts) +
                    " while a thread that loaded it into its MSR (at " + ts_str(msr.ts) + ") has not exited",
                {msr, evidence_of(free)});
}

// early-free-mm-live: since 5.18 only __mmdrop frees an mm's PASID.
Finding Findings::early_free_mm_live(const Lifetime& l, EvidenceRef tie, const Event& free) {
    return make(RuleId::early_free_mm_live, l.pasid, l.mm, free.ts,
                pasid_str(l.pasid) + " freed at " + ts_str(free.ts) + " before its " + mm_str(l.mm) +
                    " was dropped",
                {tie, evidence_of(free)});
}

// pasid-reuse-live: one PASID value, two address spaces at once.
void Findings::reuse_live(const Lifetime& l, EvidenceRef first, std::optional<MmRef> second, const Event& e,
                          std::string_view how) {
    emit(make(RuleId::pasid_reuse_live, l.pasid, second, e.ts,
              pasid_str(l.pasid) + " " + std::string(how) + " at " + ts_str(e.ts) + " (" + mm_str(second) +
                  ") while it still belongs to " + mm_str(l.mm),
              {first, evidence_of(e)}));
}

// double-free: the allocator gets the same id back twice.
void Findings::double_free(const Lifetime& l, EvidenceRef first_free, const Event& e) {
    emit(make(RuleId::double_free, l.pasid, l.mm, e.ts,
              pasid_str(l.pasid) + " freed again at " + ts_str(e.ts) + " (first freed at " +
                  ts_str(first_free.ts) + ")",
              {first_free, evidence_of(e)}));
}

// use-after-free-msr: the #GP fix-up loaded a freed PASID.
void Findings::use_after_free_msr(const Lifetime& l, EvidenceRef free, std::optional<MmRef> thread_mm,
                                  const Event& e) {
    emit(make(RuleId::use_after_free_msr, l.pasid, std::move(thread_mm), e.ts,
              "thread " + std::to_string(e.tid.value_or(0)) + " loaded " + pasid_str(l.pasid) +
                  " into its MSR at " + ts_str(e.ts) + ", after it was freed at " + ts_str(free.ts),
              {free, evidence_of(e)}));
}

// use-after-free-iopf: a device still uses a freed PASID.
void Findings::use_after_free_iopf(const Lifetime& l, EvidenceRef free, const Event& e) {
    emit(make(RuleId::use_after_free_iopf, l.pasid, l.mm, e.ts,
              "I/O page fault on " + pasid_str(l.pasid) + " at " + ts_str(e.ts) + ", after it was freed at " +
                  ts_str(free.ts),
              {free, evidence_of(e)}));
}

// unbalanced-unbind: an unbind that matches no active binding.
void Findings::unbalanced_unbind(const Event& e, std::optional<MmRef> named) {
    std::string what = e.handle.present() ? "handle " + e.handle.to_string()
                                          : dev_str(e.dev) + " on " + mm_str(named);
    emit(make(RuleId::unbalanced_unbind, e.pasid, std::move(named), e.ts,
              "unbind of " + what + " at " + ts_str(e.ts) + " matches no active binding", {evidence_of(e)}));
}

// msr-pasid-mismatch: the MSR and the address space disagree.
void Findings::msr_mismatch(std::uint32_t pasid, MmRef m, std::optional<std::uint32_t> held, const Event& e,
                            bool device_owned) {
    std::string holds = held ? "holds " + pasid_str(held) : "holds no PASID";
    if (device_owned) holds += ", and " + pasid_str(pasid) + " is device-owned (tied to no mm)";
    emit(make(RuleId::msr_pasid_mismatch, pasid, m, e.ts,
              "thread " + std::to_string(e.tid.value_or(0)) + " loaded " + pasid_str(pasid) + " at " +
                  ts_str(e.ts) + " but its " + m.name() + " " + holds,
              {evidence_of(e)}));
}

// mmdrop-while-bound: the device can walk a freed address space.
void Findings::mmdrop_while_bound(std::optional<std::uint32_t> pasid, MmRef m, const Ident& dev, EvidenceRef bind,
                                  const Event& drop) {
    emit(make(RuleId::mmdrop_while_bound, pasid, m, drop.ts,
              m.name() + " dropped at " + ts_str(drop.ts) + " while " + dev_str(dev) + " is still bound to it (" +
                  pasid_str(pasid) + ", bound at " + ts_str(bind.ts) + ")",
              {bind, evidence_of(drop)}));
}

// pasid-leak (mm): the owner was dropped and its PASID never came back.
void Findings::mm_leak(const Lifetime& l, EvidenceRef tie, EvidenceRef drop) {
    Finding f = make(RuleId::pasid_leak, l.pasid, l.mm, drop.ts,
                     pasid_str(l.pasid) + " of " + mm_str(l.mm) + " was not freed when the mm was dropped at " +
                         ts_str(drop.ts) + ", nor before the end of the trace",
                     {tie, drop});
    f.uncertain = lost_seen_;
    emit(std::move(f));
}

// pasid-leak (task-refcount): the count reached zero and no free followed.
void Findings::refcount_leak(const Lifetime& l, EvidenceRef zero, std::optional<EvidenceRef> rise, bool uncertain) {
    std::vector<EvidenceRef> ev{zero};
    if (rise) ev.push_back(*rise);
    Finding f = make(RuleId::pasid_leak, l.pasid, l.mm, zero.ts,
                     pasid_str(l.pasid) + " of " + mm_str(l.mm) + ": its last reference went at " +
                         ts_str(zero.ts) + " and no free followed" +
                         (rise ? " before it was taken again at " + ts_str(rise->ts) : std::string()),
                     std::move(ev));
    f.uncertain = uncertain;
    emit(std::move(f));
}

// binding-leak: a binding outlives the process that made it.
void Findings::binding_leak(std::optional<std::uint32_t> pasid, MmRef m, const Ident& dev, EvidenceRef bind,
                            EvidenceRef gone, std::string_view why) {
    Finding f = make(RuleId::binding_leak, pasid, m, gone.ts,
                     dev_str(dev) + " is still bound to " + m.name() + " (" + pasid_str(pasid) + ", bound at " +
                         ts_str(bind.ts) + ") at the end of the trace, although " + std::string(why),
                     {bind, gone});
    f.uncertain = lost_seen_;
    emit(std::move(f));
}

}  // namespace pasidtrace::core
