// SPDX-License-Identifier: GPL-2.0-only
// Turning a catalogue candidate into loaded and attached programs: which
// programs to autoload with which target, and how to attach each kind.
// Shared by the session loader and the verifier checks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "live/hook_catalogue.hpp"
#include "live/live_options.hpp"

struct bpf_link;
struct bpf_program;

namespace pasidtrace::live {

class BpfObject;

// Marks the candidate's programs to load, against its target where the
// kind needs one at load time (fentry/fexit, tp_btf). 0 or a negative errno.
int prepare_candidate(BpfObject& obj, const Candidate& c);

// Attaches one prepared, loaded program; nullptr and errno on failure.
bpf_link* attach_candidate_program(bpf_program* prog, const Candidate& c);

// Loads `candidates` (their programs together, nothing attached) in a fresh
// object with `options`' knobs: nullopt when the verifier accepts them all,
// else why not, naming the program.
std::optional<std::string> verify_load(const std::vector<const Candidate*>& candidates, const LiveOptions& options);

}  // namespace pasidtrace::live
