// SPDX-License-Identifier: GPL-2.0-only
// The contract's event (event-contract.md section 1), as every source
// produces it and the analyzer consumes it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ident.hpp"
#include "pasidtrace/event_abi.h"

namespace pasidtrace::core {

// Values equal the ABI's pt_event_type so records convert by a cast.
enum class EventType : std::uint8_t {
    pasid_alloc = PT_EV_PASID_ALLOC,
    pasid_free = PT_EV_PASID_FREE,
    bind = PT_EV_BIND,
    unbind = PT_EV_UNBIND,
    pasid_msr = PT_EV_PASID_MSR,
    fork = PT_EV_FORK,
    exec = PT_EV_EXEC,
    exit = PT_EV_EXIT,
    mmput = PT_EV_MMPUT,
    mmdrop = PT_EV_MMDROP,
    iopf = PT_EV_IOPF,
    lost = PT_EV_LOST,
};
inline constexpr int kEventTypeCount = PT_EV_MAX;  // index 0 unused

std::string_view to_string(EventType t);
std::optional<EventType> event_type_from_string(std::string_view name);

// PASID values: 0 is "no PASID", 0xFFFFFFFF the kernel's invalid value.
inline constexpr std::uint32_t kPasidMax = 1048575;  // 20 bits
inline constexpr bool is_valid_pasid(std::uint64_t v) { return v >= 1 && v <= kPasidMax; }

// Where an event came from, for evidence and error messages: the line of a
// JSON Lines file, or the record index of a binary recording.
struct SourcePos {
    std::uint64_t line = 0;
};

struct Event {
    std::uint64_t ts = 0;
    EventType type = EventType::lost;
    std::optional<std::uint32_t> cpu;
    std::optional<std::uint32_t> pid;
    std::optional<std::uint32_t> tid;
    std::string comm;

    Ident mm;        // every type that names an mm
    Ident child_mm;  // fork
    Ident old_mm;    // exec
    Ident handle;    // bind / unbind
    Ident dev;       // bind / unbind / iopf

    std::optional<std::uint32_t> pasid;  // absent when 0 / 0xFFFFFFFF on bind/unbind
    std::int64_t ret = 0;                // bind
    std::optional<std::uint32_t> child_pid;
    std::optional<std::uint32_t> child_tid;
    bool group_dead = false;             // exit
    std::uint64_t count = 0;             // lost
    std::optional<std::uint64_t> addr;   // iopf

    // Kernel stack of the event in the source's stack table (live and native
    // recordings), resolved by the report through the source's symbols.
    std::optional<std::uint32_t> stack_id;

    SourcePos pos;
};

}  // namespace pasidtrace::core
