// SPDX-License-Identifier: GPL-2.0-only
// The analyzer's working state: the objects alive at a moment (mms, threads,
// bindings, live PASID periods) and the decisions that wait for a thread's
// next event (a free that may pair with an mmdrop). Everything here is
// released when the object it describes ends; only the report's lifetimes
// and findings accumulate.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/analysis.hpp"
#include "core/analyzer.hpp"
#include "core/ident.hpp"

namespace pasidtrace::core::detail {

using MmId = std::uint32_t;     // mm#N's N
using LifeId = std::uint32_t;   // index into result.lifetimes
using BindingId = std::uint64_t;

// A thread known to use an mm (contract 2.3: named with it by pasid_msr,
// fork (child), exec or exit), for binding-leak.
struct KnownThread {
    bool exited = false;
    std::uint64_t exit_ts = 0;
    EvidenceRef exit_ev;
};

struct MmObject {
    MmRef ref;
    bool dropped = false;
    std::optional<std::uint64_t> mmput_ts;
    EvidenceRef mmput_ev;
    std::vector<LifeId> held;    // live periods it holds now
    std::vector<LifeId> owned;   // every period it ever held (for mmput/mmdrop ts)
    std::vector<BindingId> bindings_waiting;  // binds without a PASID, waiting for one
    std::uint32_t active_bindings = 0;
    std::unordered_map<std::uint32_t, KnownThread> threads;  // by tid
};

struct LifeState {
    bool live = true;
    std::optional<MmId> owner;
    bool owner_dropped = false;
    EvidenceRef start_ev;  // the event that began the period
    EvidenceRef tie_ev;    // the event that tied it to its owner
    EvidenceRef drop_ev;
    EvidenceRef free_ev;
    std::vector<BindingId> active_bindings;  // in bind order
    std::uint32_t msr_alive = 0;
    EvidenceRef first_msr_ev;
    bool early = false;
    bool leak_fired = false;
    // task-refcount bookkeeping
    bool count_was_positive = false;
    bool awaiting_free = false;
    EvidenceRef zero_ev;
};

struct Binding {
    Ident handle;
    Ident dev;
    MmId mm = 0;
    MmRef mm_ref;
    std::optional<LifeId> life;
    std::size_t record = 0;  // index in lifetimes[life].bindings
    std::uint32_t refs = 1;
    std::optional<std::uint32_t> bind_tid;
    EvidenceRef bind_ev;
};

struct MsrLoad {
    LifeId life;
    std::size_t record;  // index in lifetimes[life].threads
};

struct ThreadState {
    std::optional<std::uint32_t> pid;
    std::string comm;
    std::optional<MmId> mm;  // last known mm (fork, exec, exit, pasid_msr)
    std::vector<MsrLoad> loads;
};

// A free whose early-free finding waits for the freeing thread's next event:
// an mmdrop of the owner there means the free was the one inside __mmdrop.
struct PendingFree {
    LifeId life = 0;
    std::uint32_t pasid = 0;
    MmId owner = 0;
    std::optional<Finding> candidate;
};

// An mmdrop waiting for its thread's next event: a free of the dropped mm's
// PASID there is the free inside __mmdrop (or, after an earlier free, proof
// that the earlier one was early).
struct PendingDrop {
    MmId mm = 0;
    std::optional<PendingFree> before;
};

}  // namespace pasidtrace::core::detail
