// SPDX-License-Identifier: GPL-2.0-only
#include "live/bpf_object.hpp"

#include <bpf/libbpf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "live/libbpf_log.hpp"
#include "pasidtrace.skel.h"

namespace pasidtrace::live {
namespace {

void set_knobs(pasidtrace_bpf& skel, const LiveOptions& o) {
    skel.rodata->all_mm = o.all_mm;
    skel.rodata->filter_tgid = o.pid;
    skel.rodata->filter_cgroup = o.cgroup_id;
    skel.rodata->filter_comm_on = !o.comm.empty();
    const std::size_t n = std::min(o.comm.size(), sizeof(skel.rodata->filter_comm) - 1);
    std::memcpy(skel.rodata->filter_comm, o.comm.data(), n);
}

}  // namespace

std::variant<std::unique_ptr<BpfObject>, LiveError> BpfObject::open(const LiveOptions& options) {
    libbpf_log_begin();
    pasidtrace_bpf* skel = pasidtrace_bpf__open();
    if (!skel) return LiveError{"BPF object", std::string("cannot open: ") + std::strerror(errno)};
    std::unique_ptr<BpfObject> obj(new BpfObject(skel));
    set_knobs(*skel, options);
    if (int err = bpf_map__set_max_entries(skel->maps.events,
                                           static_cast<std::uint32_t>(ring_buffer_size(options.buffer_bytes))))
        return LiveError{"ring buffer", std::string("cannot size it: ") + std::strerror(-err)};
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, skel->obj) bpf_program__set_autoload(prog, false);
    return obj;
}

BpfObject::~BpfObject() { pasidtrace_bpf__destroy(skel_); }

bpf_program* BpfObject::program(const std::string& name) const {
    return bpf_object__find_program_by_name(skel_->obj, name.c_str());
}

bpf_map* BpfObject::map(const std::string& name) const {
    return bpf_object__find_map_by_name(skel_->obj, name.c_str());
}

int BpfObject::map_fd(const std::string& name) const {
    bpf_map* m = map(name);
    return m ? bpf_map__fd(m) : -1;
}

int BpfObject::load() { return pasidtrace_bpf__load(skel_); }

}  // namespace pasidtrace::live
