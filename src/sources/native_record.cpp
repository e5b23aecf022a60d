// SPDX-License-Identifier: GPL-2.0-only
#include "sources/native_record.hpp"

#include <array>
#include <cstring>

namespace pasidtrace::sources {
namespace {

using core::EventType;

// Per type (indexed by the type number): the optional fields it carries and
// those it cannot do without (contract 1, "Types"). Fields a type does not
// carry are not read, whatever the flags say, so a conversion to JSON Lines
// holds exactly what a JSON Lines reader would keep.
struct TypeFields {
    std::uint32_t carries;
    std::uint32_t needs;
};

constexpr std::uint32_t kMm = PT_F_HAS_MM;
constexpr std::uint32_t kMm2 = PT_F_HAS_MM2;
constexpr std::uint32_t kHandle = PT_F_HAS_HANDLE;
constexpr std::uint32_t kPasid = PT_F_HAS_PASID;
constexpr std::uint32_t kDev = PT_F_HAS_DEV;
constexpr std::uint32_t kAddr = PT_F_HAS_ADDR;

constexpr std::array<TypeFields, PT_EV_MAX> kFields{{
    {0, 0},                                    // unused
    {kMm | kPasid, kPasid},                    // pasid_alloc
    {kMm | kPasid, kPasid},                    // pasid_free
    {kDev | kMm | kPasid | kHandle, kDev | kMm},  // bind
    {kHandle | kDev | kMm | kPasid, 0},        // unbind: handle, or dev and mm (checked apart)
    {kPasid | kMm, kPasid},                    // pasid_msr
    {kMm | kMm2, 0},                           // fork
    {kMm | kMm2, kMm},                         // exec
    {kMm, 0},                                  // exit
    {kMm, kMm},                                // mmput
    {kMm, kMm},                                // mmdrop
    {kDev | kPasid | kAddr, kPasid},           // iopf
    {0, 0},                                    // lost
}};

const char* field_name(std::uint32_t flag) {
    switch (flag) {
    case kMm: return "mm";
    case kHandle: return "handle";
    case kPasid: return "pasid";
    case kDev: return "dev";
    default: return "flags";
    }
}

bool missing(std::uint32_t flags, std::uint32_t needs, RecordProblem& problem) {
    for (std::uint32_t bit = 1; bit != 0 && bit <= needs; bit <<= 1)
        if ((needs & bit) && !(flags & bit)) {
            problem = {field_name(bit), "required, but the record does not carry it"};
            return true;
        }
    return false;
}

std::string fixed_string(const char* s, std::size_t max) { return std::string(s, strnlen(s, max)); }

// bind/unbind may carry 0 or the kernel's invalid value: no PASID (contract 4).
bool take_pasid(const pt_event& rec, std::uint32_t needs, core::Event& out, RecordProblem& problem) {
    const bool optional = !(needs & kPasid);
    if (optional && (rec.pasid == 0 || rec.pasid == 0xFFFFFFFFu)) return true;
    if (!core::is_valid_pasid(rec.pasid)) {
        problem = {"pasid", std::to_string(rec.pasid) + " is out of range 1.." + std::to_string(core::kPasidMax)};
        return false;
    }
    out.pasid = rec.pasid;
    return true;
}

void take_identifiers(const pt_event& rec, std::uint32_t present, core::Event& out) {
    if (present & kMm) out.mm = core::Ident::address(rec.mm);
    if (present & kHandle) out.handle = core::Ident::address(rec.handle);
    if (present & kDev) out.dev = core::Ident::text(fixed_string(rec.dev, PT_DEV_LEN));
    if (present & kAddr) out.addr = rec.addr;
    if (out.type == EventType::exec && (present & kMm2)) out.old_mm = core::Ident::address(rec.mm2);
    if (out.type == EventType::fork && (present & kMm2)) out.child_mm = core::Ident::address(rec.mm2);
    // A CLONE_VM child shares its parent's mm (contract 1, fork).
    if (out.type == EventType::fork && !(present & kMm2) && (present & kMm) && (rec.flags & PT_F_CLONE_VM))
        out.child_mm = out.mm;
}

bool take_type_values(const pt_event& rec, core::Event& out, RecordProblem& problem) {
    switch (out.type) {
    case EventType::bind:
        if (rec.ret > 0) {
            problem = {"ret", std::to_string(rec.ret) + " is positive: bind returns 0 or a negative errno"};
            return false;
        }
        out.ret = rec.ret;
        break;
    case EventType::unbind:
        if (!out.handle && !(out.dev && out.mm)) {
            problem = {"handle", "unbind needs a handle, or dev and mm"};
            return false;
        }
        break;
    case EventType::fork:
        out.child_pid = rec.child_pid;
        out.child_tid = rec.child_tid;
        break;
    case EventType::exit: out.group_dead = (rec.flags & PT_F_GROUP_DEAD) != 0; break;
    case EventType::lost: out.count = rec.addr; break;
    default: break;
    }
    return true;
}

}  // namespace

RecordResult record_to_event(const pt_event& rec, core::Event& out, RecordProblem& problem) {
    if (rec.type == 0 || rec.type >= PT_EV_MAX) return RecordResult::unknown_type;
    const TypeFields fields = kFields[rec.type];
    out.type = static_cast<EventType>(rec.type);
    out.ts = rec.ts;
    out.cpu = rec.cpu;
    out.pid = rec.pid;
    out.tid = rec.tid;
    out.comm = fixed_string(rec.comm, PT_COMM_LEN);
    const std::uint32_t present = rec.flags & fields.carries;
    if (missing(present, fields.needs, problem)) return RecordResult::invalid;
    take_identifiers(rec, present, out);
    if ((present & kPasid) && !take_pasid(rec, fields.needs, out, problem)) return RecordResult::invalid;
    if (!take_type_values(rec, out, problem)) return RecordResult::invalid;
    if ((rec.flags & PT_F_HAS_STACK) && rec.stack_id >= 0) out.stack_id = static_cast<std::uint32_t>(rec.stack_id);
    return RecordResult::event;
}

}  // namespace pasidtrace::sources
