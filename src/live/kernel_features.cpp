// SPDX-License-Identifier: GPL-2.0-only
#include "live/kernel_features.hpp"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "live/libbpf_log.hpp"

namespace pasidtrace::live {
namespace {

namespace fs = std::filesystem;

std::unordered_set<std::string> read_kallsyms_names() {
    std::unordered_set<std::string> names;
    std::ifstream in("/proc/kallsyms");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string addr, type, name;
        if (!(fields >> addr >> type >> name)) continue;
        if (type == "t" || type == "T" || type == "w" || type == "W") names.insert(name);
    }
    return names;
}

// tracefs's list of functions with an ftrace location: "name" or
// "name [module]" per line. Empty when it cannot be read.
std::unordered_set<std::string> read_filter_functions() {
    std::unordered_set<std::string> names;
    for (const char* f : {"/sys/kernel/tracing/available_filter_functions",
                          "/sys/kernel/debug/tracing/available_filter_functions"}) {
        std::ifstream in(f);
        std::string line;
        while (std::getline(in, line)) names.insert(line.substr(0, line.find_first_of(" \t")));
        if (!names.empty()) break;
    }
    return names;
}

std::string find_tracefs_events() {
    std::error_code ec;  // unprivileged: permission denied, not an exception
    for (const char* dir : {"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events"})
        if (fs::is_directory(dir, ec)) return dir;
    return {};
}

// kprobes need the kprobe PMU (CONFIG_KPROBE_EVENTS) or the legacy
// kprobe_events file; without CONFIG_KPROBES neither exists.
std::string find_kprobe_refusal() {
    std::error_code ec;
    if (fs::exists("/sys/bus/event_source/devices/kprobe/type", ec)) return {};
    for (const char* f : {"/sys/kernel/tracing/kprobe_events", "/sys/kernel/debug/tracing/kprobe_events"})
        if (fs::exists(f, ec)) return {};
    return "kprobes are not built into this kernel (CONFIG_KPROBES off: no kprobe PMU)";
}

const btf_type* skip_modifiers(const ::btf* b, std::uint32_t id, std::uint32_t* out_id = nullptr) {
    const btf_type* t = btf__type_by_id(b, id);
    while (t && (btf_is_const(t) || btf_is_volatile(t) || btf_is_restrict(t) || btf_is_typedef(t))) {
        // Typedefs stay when they name the type (bool, u64): stop at them.
        if (btf_is_typedef(t)) break;
        id = t->type;
        t = btf__type_by_id(b, id);
    }
    if (out_id) *out_id = id;
    return t;
}

TracepointParam describe_param(const ::btf* b, std::uint32_t type_id) {
    TracepointParam p;
    const btf_type* t = skip_modifiers(b, type_id);
    if (t && btf_is_ptr(t)) {
        p.pointer = true;
        t = skip_modifiers(b, t->type);
    }
    if (t) {
        const char* name = btf__name_by_offset(b, t->name_off);
        p.type_name = name ? name : "";
    }
    return p;
}

}  // namespace

std::pair<std::string, std::string> split_tracepoint(const std::string& tracepoint) {
    auto colon = tracepoint.find(':');
    if (colon == std::string::npos) return {"", tracepoint};
    return {tracepoint.substr(0, colon), tracepoint.substr(colon + 1)};
}

std::unique_ptr<KernelFeatures> KernelFeatures::probe() {
    std::unique_ptr<KernelFeatures> k(new KernelFeatures());
    utsname u{};
    if (uname(&u) == 0) k->release_ = u.release;
    libbpf_log_begin();
    k->btf_ = btf__load_vmlinux_btf();
    if (!k->btf_) {
        int err = errno;
        k->btf_error_ = std::string("no kernel BTF (/sys/kernel/btf/vmlinux): ") + std::strerror(err) +
                        "; CO-RE programs need CONFIG_DEBUG_INFO_BTF";
    }
    k->kallsyms_ = read_kallsyms_names();
    k->tracefs_events_ = find_tracefs_events();
    k->kprobe_refusal_ = find_kprobe_refusal();
    return k;
}

KernelFeatures::~KernelFeatures() { btf__free(btf_); }

std::optional<int> KernelFeatures::btf_func_id(const std::string& name) const {
    if (!btf_) return std::nullopt;
    int id = btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_FUNC);
    if (id < 0) return std::nullopt;
    return id;
}

bool KernelFeatures::btf_has_function(const std::string& name) const { return btf_func_id(name).has_value(); }

bool KernelFeatures::btf_has_type(const std::string& struct_name) const {
    return btf_ && btf__find_by_name_kind(btf_, struct_name.c_str(), BTF_KIND_STRUCT) >= 0;
}

std::optional<std::vector<TracepointParam>> KernelFeatures::tracepoint_params(const std::string& tracepoint) const {
    if (!btf_) return std::nullopt;
    const std::string name = "btf_trace_" + split_tracepoint(tracepoint).second;
    int id = btf__find_by_name_kind(btf_, name.c_str(), BTF_KIND_TYPEDEF);
    if (id < 0) return std::nullopt;
    // typedef void (*btf_trace_X)(void *__data, args...): ptr -> func_proto.
    const btf_type* t = btf__type_by_id(btf_, btf__type_by_id(btf_, id)->type);
    if (!t || !btf_is_ptr(t)) return std::nullopt;
    t = btf__type_by_id(btf_, t->type);
    if (!t || !btf_is_func_proto(t)) return std::nullopt;
    std::vector<TracepointParam> params;
    const btf_param* p = btf_params(t);
    for (int i = 1; i < btf_vlen(t); ++i) params.push_back(describe_param(btf_, p[i].type));
    return params;
}

bool KernelFeatures::tracepoint_exists(const std::string& tracepoint) const {
    if (tracepoint_params(tracepoint)) return true;
    auto [category, name] = split_tracepoint(tracepoint);
    std::error_code ec;
    return !tracefs_events_.empty() && fs::is_directory(fs::path(tracefs_events_) / category / name, ec);
}

std::optional<bool> KernelFeatures::traceable(const std::string& function) const {
    if (!filter_functions_) filter_functions_ = read_filter_functions();
    if (filter_functions_->empty()) return std::nullopt;
    return filter_functions_->count(function) != 0;
}

std::string KernelFeatures::fentry_refusal(const std::string& function) const {
    if (auto it = fentry_refusals_.find(function); it != fentry_refusals_.end()) return it->second;
    std::string refusal;
    if (auto id = btf_func_id(function)) {
        // The smallest fentry program (return 0), as libbpf-tools'
        // fentry_can_attach(): the kernel decides at load whether the
        // trampoline may go on this function.
        const bpf_insn insns[] = {
            {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
            {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
        };
        bpf_prog_load_opts opts{};
        opts.sz = sizeof(opts);
        opts.expected_attach_type = BPF_TRACE_FENTRY;
        opts.attach_btf_id = static_cast<std::uint32_t>(*id);
        int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "pt_fentry_probe", "GPL", insns, 2, &opts);
        if (fd >= 0) {
            ::close(fd);
        } else {
            int err = errno;
            refusal = std::string("fentry load refused: ") + std::strerror(err);
            if (err == EPERM) refusal += " (the kernel does not let BPF trampolines attach here)";
        }
    } else {
        refusal = btf_ ? function + " is not in the kernel's BTF" : btf_error_;
    }
    fentry_refusals_[function] = refusal;
    return refusal;
}

}  // namespace pasidtrace::live
