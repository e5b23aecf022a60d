// SPDX-License-Identifier: GPL-2.0-only
#include "app/ftrace_recipe.hpp"

#include <functional>
#include <sstream>

#include "core/model.hpp"
#include "core/rules.hpp"

namespace pasidtrace::app {
namespace {

using core::EventType;

constexpr const char* kGroup = "pasidtrace";

// ---- fetch arguments ------------------------------------------------------

std::string deref(std::uint32_t offset, const std::string& inner) {
    return "+" + std::to_string(offset) + "(" + inner + ")";
}

// The mm an SVA handle belongs to, from the handle's domain (6.2+; before,
// the handle is embedded in a vendor struct and names no mm).
std::optional<std::string> mm_of_handle(const StructLayout& l, const std::string& handle) {
    if (!l.domain_mm) return std::nullopt;
    std::optional<std::string> domain;
    if (l.sva_domain)
        domain = deref(*l.sva_domain, handle);        // 6.2-6.10: handle->domain
    else if (l.sva_handle && l.attach_handle_domain)  // 6.11+: handle->handle.domain
        domain = deref(*l.sva_handle + *l.attach_handle_domain, handle);
    if (!domain) return std::nullopt;
    return deref(*l.domain_mm, *domain);
}

// The PASID an mm holds: mm->pasid (5.10-6.7) or mm->iommu_mm->pasid (6.8+).
std::optional<std::string> pasid_of_mm(const StructLayout& l, const std::string& mm) {
    if (l.mm_pasid) return deref(*l.mm_pasid, mm);
    if (l.mm_iommu_mm && l.iommu_mm_data_pasid) return deref(*l.iommu_mm_data_pasid, deref(*l.mm_iommu_mm, mm));
    return std::nullopt;
}

std::string with_mm_and_pasid(const StructLayout& l, const std::string& handle) {
    auto mm = mm_of_handle(l, handle);
    if (!mm) return {};
    std::string args = " mm=" + *mm + ":x64";
    if (auto pasid = pasid_of_mm(l, *mm)) args += " pasid=" + *pasid + ":u32";
    return args;
}

// ---- hook tables ----------------------------------------------------------

struct Probe {
    const char* event;  // under the pasidtrace group
    char kind;          // 'p' entry, 'r' return
    const char* function;
    std::function<std::optional<std::string>(const KernelDescription&)> args;  // nullopt: cannot be built here
};

// One way to see a contract event: the probes it takes (all of them, e.g.
// an entry and its return), the kernels it is for, and why.
struct Candidate {
    std::vector<Probe> probes;
    const char* why;
};

struct Hook {
    EventType type;
    std::vector<Candidate> candidates;  // first usable wins
    const char* when_missing;
};

std::optional<std::string> plain(std::string args) { return args; }

const std::vector<Hook>& hooks() {
    static const std::vector<Hook> table = {
        {EventType::bind,
         {{{{"bind", 'p', "iommu_sva_bind_device",
             [](const KernelDescription& k) {
                 // dev_name(dev) is dev->kobj.name; kobj is the first member of struct device.
                 const std::uint32_t name = k.layout.device_name.value_or(0);
                 return plain(" dev=+0(" + deref(name, "$arg1") + "):string mm=$arg2:x64");
             }},
            {"bind_ret", 'r', "iommu_sva_bind_device",
             [](const KernelDescription& k) {
                 std::string args = " handle=$retval:x64";
                 if (auto mm = mm_of_handle(k.layout, "$retval"))
                     if (auto pasid = pasid_of_mm(k.layout, *mm)) args += " pasid=" + *pasid + ":u32";
                 return plain(args);
             }}},
           "iommu_sva_bind_device() is the one entry of every SVA bind (iommu.c, iommu-sva.c since 6.2); "
           "its return gives the handle or ERR_PTR"}},
         "iommu_sva_bind_device is not in this kernel (no CONFIG_IOMMU_SVA): nothing can bind"},
        {EventType::unbind,
         {{{{"unbind", 'p', "iommu_sva_unbind_device",
             [](const KernelDescription& k) {
                 return plain(" handle=$arg1:x64" + with_mm_and_pasid(k.layout, "$arg1"));
             }}},
           "taken at its entry: from 6.2 the unbind can drop the mm and free the PASID inside it"}},
         "iommu_sva_unbind_device is not in this kernel (no CONFIG_IOMMU_SVA)"},
        {EventType::pasid_alloc,
         {{{{"pasid_alloc", 'r', "iommu_alloc_global_pasid",
             [](const KernelDescription&) { return plain(" pasid=$retval:u32"); }}},
           "6.6+: global PASIDs come from iommu_alloc_global_pasid() (2dcebc7ddce7); IOMMU_PASID_INVALID on failure"},
          {{{"pasid_alloc", 'r', "ioasid_alloc", [](const KernelDescription&) { return plain(" pasid=$retval:u32"); }}},
           "5.8-6.3: SVA PASIDs come from the ioasid allocator; INVALID_IOASID on failure"}},
         "6.4-6.5 allocate from an IDA inside the inlined iommu_sva_alloc_pasid(): no function to probe "
         "(the bind still ties the PASID to its mm)"},
        {EventType::pasid_free,
         {{{{"pasid_free", 'p', "iommu_free_global_pasid",
             [](const KernelDescription&) { return plain(" pasid=$arg1:u32"); }}},
           "6.6+: mm_pasid_drop() in __mmdrop frees through iommu_free_global_pasid()"},
          {{{"pasid_put", 'p', "ioasid_put", [](const KernelDescription&) { return plain(" pasid=$arg1:u32"); }},
            {"pasid_put_ret", 'r', "ioasid_put", [](const KernelDescription&) { return plain(" freed=$retval:u8"); }}},
           "5.11-5.17: the PASID is refcounted by binds; ioasid_put() returns true when it freed it"},
          {{{"pasid_free", 'p', "mm_pasid_drop",
             [](const KernelDescription& k) -> std::optional<std::string> {
                 auto pasid = pasid_of_mm(k.layout, "$arg1");
                 if (!pasid) return std::nullopt;
                 return " mm=$arg1:x64 pasid=" + *pasid + ":u32";
             }}},
           "6.4-6.5: mm_pasid_drop() is global and frees mm->pasid from an IDA"},
          {{{"pasid_free", 'p', "ioasid_free", [](const KernelDescription&) { return plain(" pasid=$arg1:u32"); }}},
           "5.10 and 5.18-6.3: ioasid_free(), called from __mmdrop's inlined mm_pasid_drop() since 5.18"}},
         "no PASID free function is out of line in this kernel"},
        {EventType::mmput,
         {{{{"mmput", 'p', "__mmput", [](const KernelDescription&) { return plain(" mm=$arg1:x64"); }}},
           "__mmput() runs once per mm, when mm_users reaches 0 (mmput() itself runs on every put)"}},
         "__mmput is inlined into mmput in this build: the last put cannot be told from the others"},
        {EventType::mmdrop,
         {{{{"mmdrop", 'p', "__mmdrop", [](const KernelDescription&) { return plain(" mm=$arg1:x64"); }}},
           "taken at __mmdrop()'s entry, before mm_pasid_drop() frees the PASID inside it"}},
         "__mmdrop is not probe-able"},
    };
    return table;
}

// A kprobe on setup_new_exec() names the mm exec switched to (bprm->mm):
// sched_process_exec does not carry it, and the contract's exec wants it.
std::optional<ProbeDefinition> exec_mm_probe(const KernelDescription& k) {
    if (!k.functions.count("setup_new_exec") || !k.layout.binprm_mm) return std::nullopt;
    return ProbeDefinition{
        "exec_mm",
        std::string("p:") + kGroup + "/exec_mm setup_new_exec mm=" + deref(*k.layout.binprm_mm, "$arg1") + ":x64",
        "setup_new_exec(bprm) runs in the exec'ing thread once bprm->mm is its mm, just before "
        "sched_process_exec: it gives the exec its mm"};
}

bool usable(const Candidate& c, const KernelDescription& k) {
    for (const auto& p : c.probes)
        if (!k.functions.count(p.function) || !p.args(k)) return false;
    return true;
}

void add_probes(Recipe& r, const KernelDescription& k) {
    for (const auto& hook : hooks()) {
        const Candidate* chosen = nullptr;
        for (const auto& c : hook.candidates)
            if (usable(c, k)) {
                chosen = &c;
                break;
            }
        if (!chosen) {
            if (hook.type != EventType::mmdrop) r.missing.push_back({hook.type, hook.when_missing});
            continue;
        }
        for (const auto& p : chosen->probes)
            r.probes.push_back(ProbeDefinition{
                p.event, std::string(1, p.kind) + ":" + kGroup + "/" + p.event + " " + p.function + *p.args(k),
                chosen->why});
        r.observed.add(hook.type);
    }
    if (auto exec = exec_mm_probe(k)) r.probes.push_back(*exec);
}

bool has_probe(const Recipe& r, const char* event) {
    for (const auto& p : r.probes)
        if (p.event == event) return true;
    return false;
}

void add_tracepoint(Recipe& r, const KernelDescription& k, const char* event, std::string filter, const char* why,
                    std::initializer_list<EventType> gives) {
    if (!k.tracepoints.count(event)) return;
    r.tracepoints.push_back({event, std::move(filter), why});
    for (EventType t : gives) r.observed.add(t);
}

void add_tracepoints(Recipe& r, const KernelDescription& k) {
    add_tracepoint(r, k, "sched:sched_process_fork", "", "fork: parent and child thread", {EventType::fork});
    add_tracepoint(r, k, "task:task_newtask", "",
                   "the child's clone flags: a thread (CLONE_THREAD) or a process, sharing the mm (CLONE_VM) or not",
                   {EventType::fork});
    add_tracepoint(r, k, "sched:sched_process_exec", "", "exec: the thread switched to a new address space",
                   {EventType::exec});
    add_tracepoint(r, k, "task:task_rename", "",
                   "comm changes (prctl PR_SET_NAME, pthread_setname_np), so events carry the comm of their moment",
                   {});
    add_tracepoint(r, k, "sched:sched_process_exit", "", "thread exit, with group_dead where the format has it",
                   {EventType::exit});
    if (!has_probe(r, "mmdrop")) {
        if (k.tracepoint_fields.count("kmem:kmem_cache_free.name"))
            add_tracepoint(r, k, "kmem:kmem_cache_free", "name==\"mm_struct\"",
                           "free_mm() at the end of __mmdrop: the mm_struct itself is freed (after the PASID)",
                           {EventType::mmdrop});
        else
            r.missing.push_back(
                {EventType::mmdrop, k.tracepoints.count("kmem:kmem_cache_free")
                                        ? "kmem_cache_free has no cache name before 5.13 and __mmdrop cannot be probed"
                                        : "no kmem_cache_free tracepoint and no kprobe on __mmdrop"});
    }
    // The #GP fix-up writes PASID | bit 31 into IA32_PASID; the only trace
    // of a thread noticing its PASID (try_fixup_enqcmd_gp is inlined, noinstr).
    add_tracepoint(r, k, "msr:write_msr", "msr==0xd93", "IA32_PASID loads by the ENQCMD #GP fix-up",
                   {EventType::pasid_msr});
    if (!r.observed.has(EventType::pasid_msr))
        r.missing.push_back({EventType::pasid_msr, "no msr:write_msr tracepoint (not x86)"});
    add_tracepoint(r, k, "intel_iommu:prq_report", "", "VT-d page requests; the PASID is in the descriptor",
                   {EventType::iopf});
    if (k.tracepoint_fields.count("iommu:io_page_fault.pasid"))
        add_tracepoint(r, k, "iommu:io_page_fault", "", "I/O page faults with their PASID", {EventType::iopf});
    if (!r.observed.has(EventType::iopf))
        r.missing.push_back({EventType::iopf,
                             "no page-request tracepoint with a PASID (intel_iommu:prq_report "
                             "needs CONFIG_INTEL_IOMMU; upstream iommu:io_page_fault has none)"});
}

void add_notes(Recipe& r, const KernelDescription& k) {
    if (r.kprobes && !k.btf)
        r.notes.push_back(
            "no BTF (/sys/kernel/btf/vmlinux): fetch arguments that need struct offsets are left "
            "out, so binds and unbinds carry no PASID and the analyzer takes the mm's");
    if (has_probe(r, "bind") && !mm_of_handle(k.layout, "$arg1"))
        r.notes.push_back("before 6.2 an SVA handle names no mm or PASID: unbinds are matched by handle");
    if (!has_probe(r, "exec_mm"))
        r.notes.push_back(
            "exec events carry no mm (no kprobe on setup_new_exec): fork and exec are known by "
            "thread only, as every tracepoint-based recording is");
    r.notes.push_back("fork events never carry child_mm: sched_process_fork does not say which mm the child got");
}

// The record command, one `-e EVENT [-f FILTER]` per line.
std::string wrapped_command(const std::vector<std::string>& args) {
    std::string out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i && (args[i] == "-e" || args[i] == "-o"))
            out += " \\\n     ";
        else if (i)
            out += ' ';
        out += shell_join({args[i]});
    }
    return out;
}

}  // namespace

std::vector<std::string> recipe_functions() {
    std::vector<std::string> names = {"setup_new_exec"};
    for (const auto& hook : hooks())
        for (const auto& c : hook.candidates)
            for (const auto& p : c.probes) names.emplace_back(p.function);
    return names;
}

std::vector<std::string> recipe_tracepoints() {
    return {"sched:sched_process_fork", "task:task_newtask",    "task:task_rename", "sched:sched_process_exec",
            "sched:sched_process_exit", "kmem:kmem_cache_free", "msr:write_msr",    "intel_iommu:prq_report",
            "iommu:io_page_fault"};
}

Recipe make_recipe(const KernelDescription& kernel) {
    Recipe r;
    r.kprobes = kernel.kprobe_events;
    if (r.kprobes) {
        add_probes(r, kernel);
    } else {
        for (EventType t :
             {EventType::bind, EventType::unbind, EventType::pasid_alloc, EventType::pasid_free, EventType::mmput})
            r.missing.push_back({t, "needs a kprobe, and this kernel has no kprobe events (CONFIG_KPROBE_EVENTS)"});
    }
    add_tracepoints(r, kernel);
    r.observed.add(EventType::lost);
    add_notes(r, kernel);
    return r;
}

std::vector<std::string> Recipe::record_arguments() const {
    // -C mono: the contract's ts is CLOCK_MONOTONIC, like a BPF recording's.
    // -b: a bigger per-CPU buffer, so a fork storm does not drop events.
    std::vector<std::string> args = {"trace-cmd", "record", "-C", "mono", "-b", "16384"};
    for (const auto& tp : tracepoints) {
        args.insert(args.end(), {"-e", tp.event});
        if (!tp.filter.empty()) args.insert(args.end(), {"-f", tp.filter});
    }
    if (!probes.empty()) args.insert(args.end(), {"-e", kGroup});
    args.insert(args.end(), {"-o", "trace.dat"});
    return args;
}

std::string shell_join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        const bool plain_word = w.find_first_not_of(
                                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                    "_-./:=+,%@") == std::string::npos;
        if (plain_word && !w.empty()) {
            out += w;
            continue;
        }
        out += '\'';
        for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

std::string render_recipe(const Recipe& r, const KernelDescription& k) {
    std::ostringstream out;
    const std::string release = k.release.empty() ? "an unknown release" : k.release;
    const core::Model model =
        core::resolve_model(core::ModelChoice::automatic, k.release.empty() ? std::nullopt : std::optional(k.release));
    out << "pasidtrace ftrace recipe for Linux " << release << " (" << k.machine << ")\n\n";
    if (!r.kprobes)
        out << "This kernel has no kprobe events (" << k.tracefs
            << "/kprobe_events is missing: CONFIG_KPROBE_EVENTS is off),\nso this is the tracepoint-only recipe.\n\n";
    if (!r.missing.empty()) {
        out << "The recording will not have:\n";
        for (const auto& m : r.missing) out << "  " << core::to_string(m.type) << ": " << m.reason << '\n';
        auto unchecked = core::unchecked_rules(model, r.observed);
        if (!unchecked.empty()) {
            out << "so `pasidtrace analyze` will list these rules as unchecked (model " << core::to_string(model)
                << "):\n ";
            for (auto id : unchecked) out << ' ' << core::rule_info(id).name;
            out << "\n";
        }
        out << '\n';
    }
    int step = 1;
    if (!r.probes.empty()) {
        out << step++ << ". Kernel probes (as root; `pasidtrace ftrace-recipe --apply` does this):\n";
        for (const auto& p : r.probes) out << "   echo '" << p.definition << "' >> " << k.tracefs << "/kprobe_events\n";
        out << "   Why each:\n";
        std::string last_why;
        for (const auto& p : r.probes) {
            // An entry and its return share one reason.
            if (p.why == last_why) continue;
            last_why = p.why;
            out << "     " << p.event << ": " << p.why << '\n';
        }
        out << '\n';
    }
    out << step++ << ". Tracepoints:\n";
    for (const auto& tp : r.tracepoints)
        out << "   " << tp.event << (tp.filter.empty() ? "" : "  filter: " + tp.filter) << "\n     " << tp.why << '\n';
    out << '\n';
    out << step++ << ". Record (Ctrl-C or the end of COMMAND stops it):\n   " << wrapped_command(r.record_arguments())
        << " [COMMAND]\n"
        << "   If trace-cmd says \"Can't enable ftrace\" (it writes /proc/sys/kernel/ftrace_enabled, which\n"
        << "   containers forbid), run `pasidtrace ftrace-recipe --apply`, which enables the same events in\n"
        << "   tracefs and prints how to start, stop and save with `trace-cmd extract`.\n\n";
    out << step++ << ". Analyze:\n   pasidtrace analyze trace.dat\n";
    if (!r.notes.empty()) {
        out << "\nNotes:\n";
        for (const auto& n : r.notes) out << "  - " << n << '\n';
    }
    return out.str();
}

}  // namespace pasidtrace::app
