// SPDX-License-Identifier: GPL-2.0-only
#include "core/rules.hpp"

#include <algorithm>

namespace pasidtrace::core {
namespace {

using E = EventType;

constexpr std::array<RuleInfo, kRuleCount> kRules{{
    {RuleId::pasid_leak, "pasid-leak", Severity::error,
     "mm model: __mmdrop frees mm->pasid (mm_pasid_drop), so a PASID that outlives its mm leaks; "
     "task-refcount: the last reference frees it",
     "The PASID space is 20 bits and shared by every device on the IOMMU; a PASID that is never "
     "returned to the allocator is lost until reboot, and enough of them exhaust the space so that "
     "later binds fail. In the mm model the kernel frees an mm's PASID inside __mmdrop() "
     "(mm_pasid_drop, 5.18-rc6 and later); in the per-task refcount scheme the last unbind or the "
     "exit of the last thread that loaded the PASID must free it."},
    {RuleId::binding_leak, "binding-leak", Severity::warning,
     "a binding pins mm_count (mmu_notifier before 6.2, SVA domain mmgrab after): an unbound "
     "binding keeps a dead mm and its PASID alive",
     "The process that owns this address space is gone (mmput, or every thread known to use it has "
     "exited), yet a device is still bound to it. The binding holds a reference on the mm_struct, "
     "so the mm and its PASID are never dropped: usually a driver that does not unbind on "
     "release()/close() of its file, or a file descriptor inherited by a process that never closes it."},
    {RuleId::early_free_bound, "early-free-bound", Severity::error,
     "a bound device still tags DMA with the PASID; freeing it lets the allocator hand it to "
     "another mm while the device uses it",
     "A device is still bound to the address space, so it may still issue DMA and page requests "
     "tagged with this PASID. Once the PASID is back in the allocator another process can receive "
     "the same value, and the device then reads and writes that process's memory."},
    {RuleId::early_free_task, "early-free-task", Severity::error,
     "a thread that took the #GP fix-up keeps the PASID in IA32_PASID (XSAVE state) until it exits",
     "A thread loaded this PASID into its IA32_PASID MSR (the ENQCMD #GP fix-up) and is still "
     "running. Its ENQCMD submissions keep carrying the value after the free; if the PASID is "
     "reallocated, work it submits runs in another process's address space (the hazard Tony Luck "
     "described for per-task refcounting, 2021)."},
    {RuleId::early_free_mm_live, "early-free-mm-live", Severity::error,
     "since 5.18 the PASID belongs to the mm and is freed only in __mmdrop()",
     "In the mm model (upstream since 5.18) a PASID belongs to its mm until __mmdrop() frees it; "
     "mm->pasid (or mm->iommu_mm->pasid) stays set meanwhile. Freeing it earlier leaves the mm "
     "pointing at a value the allocator may hand out again, and __mmdrop() will free it a second "
     "time."},
    {RuleId::mmdrop_while_bound, "mmdrop-while-bound", Severity::error,
     "every era pins the mm while bound, so __mmdrop with an active binding means a missing "
     "reference",
     "The mm_struct was freed while a device binding to it was still active. Bindings pin the mm "
     "(an mmu_notifier before 6.2, the SVA domain's mmgrab() after), so this means a reference was "
     "dropped twice or never taken: the device can still walk page tables of a freed address space."},
    {RuleId::pasid_reuse_live, "pasid-reuse-live", Severity::error,
     "one PASID names one address space: a second owner means two mms share a value",
     "The same PASID value is in use by two address spaces at once, or was allocated again while "
     "still live. DMA tagged with it can no longer be attributed to one address space; a forked "
     "child that wrongly inherited its parent's PASID shows up this way."},
    {RuleId::use_after_free_msr, "use-after-free-msr", Severity::error,
     "the #GP fix-up loaded a PASID that the allocator had already taken back",
     "A thread loaded a PASID into its IA32_PASID MSR after that PASID was freed. Its ENQCMD work "
     "is tagged with a value the allocator may have given to another process."},
    {RuleId::use_after_free_iopf, "use-after-free-iopf", Severity::error,
     "a device faulted on a PASID after it was freed: it was never told to stop using it",
     "A device raised an I/O page fault tagged with a PASID after that PASID was freed: the device "
     "still uses the value, and if it is reallocated the device works in another address space."},
    {RuleId::double_free, "double-free", Severity::error,
     "ioasid_free/iommu_free_global_pasid of an id that is already free corrupts the allocator",
     "The PASID was returned to the allocator twice. If it was reallocated in between, the second "
     "free takes it away from its new owner; this is what happens when a driver frees mm->pasid and "
     "leaves the field set, so that __mmdrop() frees it again."},
    {RuleId::unbalanced_unbind, "unbalanced-unbind", Severity::warning,
     "each iommu_sva_bind_device() is matched by exactly one iommu_sva_unbind_device()",
     "An unbind matched no active binding: the handle was already released, or never returned by a "
     "bind that was seen. A second unbind of a released handle is a use-after-free of the handle in "
     "the driver."},
    {RuleId::msr_pasid_mismatch, "msr-pasid-mismatch", Severity::warning,
     "the #GP fix-up loads current->mm's PASID, nothing else",
     "A thread loaded a PASID into its MSR that is not the PASID its mm holds: the MSR and the "
     "address space disagree, so the device would translate the thread's work through another "
     "address space, or through none."},
    {RuleId::events_lost, "events-lost", Severity::warning,
     "the recorder's ring buffer overflowed",
     "The recorder dropped events. Findings whose evidence comes after the first loss are marked "
     "uncertain: a missing free, unbind or exit can make a correct lifetime look wrong."},
}};

// Contract 4, "Unchecked": the types each rule needs under a model. A rule
// needs every type of `all`, and at least one of `any` when it is not empty.
struct Needs {
    std::vector<EventType> all;
    std::vector<EventType> any;
};

Needs needs_of(RuleId id, Model model, const ObservedTypes& o) {
    switch (id) {
    case RuleId::pasid_leak:
        if (model == Model::mm) return {{E::mmdrop, E::pasid_free}, {}};
        // Thread exits lower the count only where MSR loads raise it.
        if (o.has(E::pasid_msr)) return {{E::bind, E::unbind, E::pasid_free, E::exit}, {}};
        return {{E::bind, E::unbind, E::pasid_free}, {}};
    case RuleId::binding_leak: return {{E::bind, E::unbind, E::mmdrop}, {E::mmput, E::exit}};
    case RuleId::early_free_bound: return {{E::bind, E::unbind, E::pasid_free}, {}};
    case RuleId::early_free_task: return {{E::pasid_msr, E::exit, E::pasid_free}, {}};
    case RuleId::early_free_mm_live: return {{E::mmdrop, E::pasid_free}, {}};
    case RuleId::mmdrop_while_bound: return {{E::mmdrop, E::bind, E::unbind}, {}};
    case RuleId::pasid_reuse_live: return {{E::pasid_free}, {}};
    case RuleId::use_after_free_msr: return {{E::pasid_msr, E::pasid_free}, {}};
    case RuleId::use_after_free_iopf: return {{E::iopf, E::pasid_free}, {}};
    case RuleId::double_free: return {{E::pasid_alloc, E::pasid_free}, {}};
    case RuleId::unbalanced_unbind: return {{E::bind, E::unbind}, {}};
    case RuleId::msr_pasid_mismatch: return {{E::pasid_msr}, {}};
    case RuleId::events_lost: return {};
    }
    return {};
}

}  // namespace

std::string_view to_string(Severity s) {
    switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
    }
    return "error";
}

const RuleInfo& rule_info(RuleId id) { return kRules[static_cast<std::size_t>(id)]; }
const std::array<RuleInfo, kRuleCount>& all_rules() { return kRules; }

std::optional<RuleId> rule_from_string(std::string_view name) {
    for (const auto& r : kRules)
        if (r.name == name) return r.id;
    return std::nullopt;
}

bool rule_applies(RuleId id, Model model) {
    return !(id == RuleId::early_free_mm_live && model != Model::mm);
}

std::vector<EventType> missing_types(RuleId id, Model model, const ObservedTypes& observed) {
    Needs needs = needs_of(id, model, observed);
    std::vector<EventType> out;
    for (EventType t : needs.all)
        if (!observed.has(t)) out.push_back(t);
    bool any_seen = needs.any.empty() ||
                    std::any_of(needs.any.begin(), needs.any.end(), [&](EventType t) { return observed.has(t); });
    if (!any_seen) out.insert(out.end(), needs.any.begin(), needs.any.end());
    return out;
}

bool rule_checkable(RuleId id, Model model, const ObservedTypes& observed) {
    return missing_types(id, model, observed).empty();
}

std::vector<RuleId> unchecked_rules(Model model, const ObservedTypes& observed) {
    std::vector<RuleId> out;
    for (const auto& r : kRules)
        if (rule_applies(r.id, model) && !rule_checkable(r.id, model, observed)) out.push_back(r.id);
    std::sort(out.begin(), out.end(),
              [](RuleId a, RuleId b) { return rule_info(a).name < rule_info(b).name; });
    return out;
}

}  // namespace pasidtrace::core
