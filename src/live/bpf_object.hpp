// SPDX-License-Identifier: GPL-2.0-only
// One instance of the recorder's BPF object (the bpftool skeleton of
// bpf/pasidtrace.bpf.c), owned: destroyed with everything it loaded. The
// only file that includes the generated skeleton.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <variant>

#include "live/live_error.hpp"
#include "live/live_options.hpp"

struct bpf_object;
struct bpf_program;
struct bpf_map;
struct pasidtrace_bpf;

namespace pasidtrace::live {

class BpfObject {
public:
    // Opens the embedded object with the knobs of `options` set and the ring
    // buffer sized; nothing is loaded yet and no program will autoload.
    static std::variant<std::unique_ptr<BpfObject>, LiveError> open(const LiveOptions& options);
    ~BpfObject();
    BpfObject(const BpfObject&) = delete;
    BpfObject& operator=(const BpfObject&) = delete;

    bpf_program* program(const std::string& name) const;  // nullptr when unknown
    bpf_map* map(const std::string& name) const;
    int map_fd(const std::string& name) const;  // -1 before load or when unknown
    // bpf_object__load(): 0 or a negative errno (libbpf's log says more).
    int load();

private:
    explicit BpfObject(pasidtrace_bpf* skel) : skel_(skel) {}
    pasidtrace_bpf* skel_;
};

}  // namespace pasidtrace::live
