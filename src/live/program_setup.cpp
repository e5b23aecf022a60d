// SPDX-License-Identifier: GPL-2.0-only
#include "live/program_setup.hpp"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <variant>

#include "live/bpf_object.hpp"
#include "live/libbpf_log.hpp"

namespace pasidtrace::live {
namespace {

// A tracepoint's name without its category: what libbpf and the kernel take.
std::string attach_name(const Candidate& c) {
    if (c.mechanism == Mechanism::tp_btf || c.mechanism == Mechanism::raw_tp)
        return c.target.substr(c.target.find(':') + 1);
    return c.target;
}

bool is_return_probe(bpf_program* prog) {
    return std::string_view(bpf_program__section_name(prog)).rfind("kretprobe", 0) == 0;
}

}  // namespace

int prepare_candidate(BpfObject& obj, const Candidate& c) {
    for (const auto& name : c.programs) {
        bpf_program* prog = obj.program(name);
        if (!prog) return -ENOENT;
        bpf_program__set_autoload(prog, true);
        if (c.mechanism == Mechanism::fentry || c.mechanism == Mechanism::tp_btf)
            if (int err = bpf_program__set_attach_target(prog, 0, attach_name(c).c_str())) return err;
    }
    return 0;
}

bpf_link* attach_candidate_program(bpf_program* prog, const Candidate& c) {
    const std::string target = attach_name(c);
    switch (c.mechanism) {
        case Mechanism::fentry:
        case Mechanism::tp_btf:
            return bpf_program__attach_trace(prog);
        case Mechanism::raw_tp:
            return bpf_program__attach_raw_tracepoint(prog, target.c_str());
        case Mechanism::kprobe:
            return bpf_program__attach_kprobe(prog, is_return_probe(prog), target.c_str());
    }
    errno = EINVAL;
    return nullptr;
}

std::optional<std::string> verify_load(const std::vector<const Candidate*>& candidates, const LiveOptions& options) {
    auto opened = BpfObject::open(options);
    if (auto* err = std::get_if<LiveError>(&opened)) return err->to_string();
    auto& obj = *std::get<std::unique_ptr<BpfObject>>(opened);
    for (const Candidate* c : candidates)
        if (int err = prepare_candidate(obj, *c)) return c->label() + ": cannot prepare: " + std::strerror(-err);
    libbpf_log_begin();
    if (int err = obj.load()) {
        auto lines = libbpf_log_lines();
        std::string program = failed_program_in_log(lines);
        return (program.empty() ? std::string("object") : program) + ": " + load_failure_reason(lines, program, err);
    }
    return std::nullopt;
}

}  // namespace pasidtrace::live
