// SPDX-License-Identifier: GPL-2.0-only
// Facts: shared/docs/kernel-pasid-lifecycle.md (sections 2-4); the
// resulting table per era is in docs/live-tracing.md.
#include "live/hook_catalogue.hpp"

#include <set>

#include "live/kernel_features.hpp"

namespace pasidtrace::live {
namespace {

using core::EventType;

// sched_process_exit gained its group_dead argument around 6.16; before,
// the program derives it from signal->live.
std::optional<std::string> exit_has_group_dead(const KernelFeatures& k) {
    auto params = k.tracepoint_params("sched:sched_process_exit");
    if (!params) return "no BTF prototype for sched_process_exit";
    if (params->size() < 2) return "sched_process_exit has no group_dead argument here (added ~6.16)";
    return std::nullopt;
}

// kmem_cache_free's third argument: the cache (6.2+) or its name (5.13-5.19).
std::optional<std::string> kmem_cache_free_third_arg(const KernelFeatures& k, const char* want) {
    auto params = k.tracepoint_params("kmem:kmem_cache_free");
    if (!params) return "no BTF prototype for kmem_cache_free";
    if (params->size() < 3)
        return "kmem_cache_free names no cache here (before 5.13): no way to tell an mm_struct free";
    const TracepointParam& p = (*params)[2];
    if (!p.pointer || p.type_name != want)
        return std::string("kmem_cache_free's third argument is '") + p.type_name + (p.pointer ? " *" : "") +
               "', this variant reads '" + want + " *'";
    return std::nullopt;
}
std::optional<std::string> kmem_cache_free_passes_cache(const KernelFeatures& k) {
    return kmem_cache_free_third_arg(k, "kmem_cache");
}
std::optional<std::string> kmem_cache_free_passes_name(const KernelFeatures& k) {
    return kmem_cache_free_third_arg(k, "char");
}

// fentry/fexit first (cheapest, typed arguments), then kprobe/kretprobe.
void add_function(std::vector<Candidate>& out, const std::string& function, std::vector<std::string> fentry_programs,
                  std::vector<std::string> kprobe_programs, const std::string& eras) {
    out.push_back({Mechanism::fentry, function, std::move(fentry_programs), eras});
    out.push_back({Mechanism::kprobe, function, std::move(kprobe_programs), eras});
}

// tp_btf first (typed, no tracefs needed), raw_tp when BTF tracepoints are refused.
void add_tracepoint(std::vector<Candidate>& out, const std::string& tracepoint, const std::string& tp_btf_program,
                    const std::string& raw_tp_program, const std::string& eras, Precondition pre = nullptr,
                    const std::string& variant = {}) {
    out.push_back({Mechanism::tp_btf, tracepoint, {tp_btf_program}, eras, pre, variant});
    out.push_back({Mechanism::raw_tp, tracepoint, {raw_tp_program}, eras, pre, variant});
}

std::vector<HookSpec> build_catalogue() {
    std::vector<HookSpec> c(PT_HOOK_COUNT);
    auto hook = [&](pt_hook id, const char* name, EventType yields) -> std::vector<Candidate>& {
        c[id].id = id;
        c[id].name = name;
        c[id].yields = yields;
        return c[id].candidates;
    };

    auto& bind = hook(PT_HOOK_BIND, "bind", EventType::bind);
    add_function(bind, "iommu_sva_bind_device", {"bind_fexit"}, {"bind_kprobe", "bind_kretprobe"},
                 "all eras; (dev, mm, drvdata) until 6.1, (dev, mm) from 6.2: fexit reads them arity-free (5.17+)");

    auto& unbind = hook(PT_HOOK_UNBIND, "unbind", EventType::unbind);
    add_function(unbind, "iommu_sva_unbind_device", {"unbind_fentry"}, {"unbind_kprobe"},
                 "all eras; stamped at entry: 6.2+ may drop the mm and free the PASID inside it");

    auto& alloc = hook(PT_HOOK_PASID_ALLOC, "pasid_alloc", EventType::pasid_alloc);
    add_function(alloc, "iommu_alloc_global_pasid", {"alloc_ret_fexit"}, {"alloc_ret_kretprobe"},
                 "6.6+ (2dcebc7ddce7): PASID = return value, no mm");
    add_function(alloc, "iommu_sva_alloc_pasid", {"alloc_mm_fentry", "alloc_mm_fexit"},
                 {"alloc_mm_kprobe", "alloc_mm_kretprobe"},
                 "5.15-6.3 (global; inlined in 6.4-6.5): mm->pasid going from none to valid");
    add_function(alloc, "ioasid_alloc", {"alloc_ret_fexit"}, {"alloc_ret_kretprobe"},
                 "5.8-6.2 (ioasid layer, removed in 6.4): PASID = return value");

    auto& free = hook(PT_HOOK_PASID_FREE, "pasid_free", EventType::pasid_free);
    add_function(free, "iommu_free_global_pasid", {"free_arg_fentry"}, {"free_arg_kprobe"},
                 "6.6+: every global PASID free, mm ones from mm_pasid_drop in __mmdrop");
    add_function(free, "mm_pasid_drop", {"free_mm_fentry"}, {"free_mm_kprobe"},
                 "6.4-6.5 (out of line in iommu-sva.c; inlined before 6.4)");
    add_function(free, "ioasid_free", {"free_arg_fentry"}, {"free_arg_kprobe"},
                 "5.8-5.10 and 5.18-6.3 (from __mmdrop since 2667ed10d9f0)");
    add_function(free, "ioasid_put", {"free_put_fexit"}, {"free_put_kprobe", "free_put_kretprobe"},
                 "5.11-5.17: returns true when the last reference freed it");

    auto& msr = hook(PT_HOOK_PASID_MSR, "pasid_msr", EventType::pasid_msr);
    add_tracepoint(msr, "msr:write_msr", "msr_tp_btf", "msr_raw_tp",
                   "every era: MSR 0xd93 (IA32_PASID) written by the #GP fix-up (try_fixup_enqcmd_gp is inlined "
                   "in noinstr code)");

    auto& fork = hook(PT_HOOK_FORK, "fork", EventType::fork);
    add_tracepoint(fork, "sched:sched_process_fork", "fork_tp_btf", "fork_raw_tp",
                   "every era; CLONE_VM when parent and child share the mm");

    auto& exec = hook(PT_HOOK_EXEC, "exec", EventType::exec);
    add_tracepoint(exec, "sched:sched_process_exec", "exec_tp_btf", "exec_raw_tp", "every era; fires on the new mm");

    auto& exit = hook(PT_HOOK_EXIT, "exit", EventType::exit);
    add_tracepoint(exit, "sched:sched_process_exit", "exit_gd_tp_btf", "exit_gd_raw_tp",
                   "~6.16+: (task, group_dead), fired before exit_mm()", exit_has_group_dead, "group_dead");
    add_tracepoint(exit, "sched:sched_process_exit", "exit_tp_btf", "exit_raw_tp",
                   "before ~6.16: (task), fired after exit_mm(); mm from the recorder's process map", nullptr, "task");

    auto& mmput = hook(PT_HOOK_MMPUT, "mmput", EventType::mmput);
    add_function(mmput, "__mmput", {"mmput_fentry"}, {"mmput_kprobe"},
                 "every era; static, out of line in 6.2-6.8 (inlined into mmput in some 5.x builds; no ftrace "
                 "location in Debian 6.1.0-56, so neither mechanism attaches there)");
    add_tracepoint(mmput, "mmap:exit_mmap", "mmput_tp_btf", "mmput_raw_tp",
                   "6.1+ (maple tree): exit_mmap() is called only from __mmput");

    auto& mmdrop = hook(PT_HOOK_MMDROP, "mmdrop", EventType::mmdrop);
    add_function(mmdrop, "__mmdrop", {"mmdrop_fentry"}, {"mmdrop_kprobe"},
                 "every era; taken at entry, before the PASID free inside it");
    add_tracepoint(mmdrop, "kmem:kmem_cache_free", "mmdrop_cache_tp_btf", "mmdrop_cache_raw_tp",
                   "6.2+: (call_site, ptr, cache), filtered on the mm_struct cache; after the PASID free",
                   kmem_cache_free_passes_cache, "cache");
    add_tracepoint(mmdrop, "kmem:kmem_cache_free", "mmdrop_name_tp_btf", "mmdrop_name_raw_tp",
                   "5.13-5.19: (call_site, ptr, name), filtered on the mm_struct cache's name",
                   kmem_cache_free_passes_name, "name");

    auto& iopf = hook(PT_HOOK_IOPF, "iopf", EventType::iopf);
    add_tracepoint(iopf, "intel_iommu:prq_report", "iopf_tp_btf", "iopf_raw_tp",
                   "Intel VT-d 5.15+: page requests with the PASID in the raw descriptor; no generic IOPF "
                   "tracepoint carries a PASID");
    return c;
}

}  // namespace

std::string_view to_string(Mechanism m) {
    switch (m) {
        case Mechanism::fentry:
            return "fentry";
        case Mechanism::kprobe:
            return "kprobe";
        case Mechanism::tp_btf:
            return "tp_btf";
        case Mechanism::raw_tp:
            return "raw_tp";
    }
    return "?";
}

std::string Candidate::label() const {
    std::string s = std::string(to_string(mechanism)) + ":" + target;
    return variant.empty() ? s : s + "[" + variant + "]";
}

const std::vector<HookSpec>& hook_catalogue() {
    static const std::vector<HookSpec> catalogue = build_catalogue();
    return catalogue;
}

std::vector<std::string> all_program_names() {
    std::set<std::string> seen;
    std::vector<std::string> out;
    for (const auto& hook : hook_catalogue())
        for (const auto& cand : hook.candidates)
            for (const auto& prog : cand.programs)
                if (seen.insert(prog).second) out.push_back(prog);
    return out;
}

}  // namespace pasidtrace::live
