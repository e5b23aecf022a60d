// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_decoders.hpp"

#include <event-parse.h>

#include "sources/tracedat_fields.hpp"

namespace pasidtrace::sources::tracedat {
namespace {

struct FieldSpec {
    const char* name = nullptr;
    bool required = false;
};

struct EventSpec {
    RecordKind kind;
    const char* system;
    const char* event;
    std::array<FieldSpec, 5> fields;
    const char* without_required;  // why the event is useless when a required field is missing
};

// Probe events all use the same slots, named as the recipe names them.
enum ProbeSlot : std::size_t { kMm, kPasid, kHandle, kFreed, kDev };
constexpr std::array<FieldSpec, 5> probe_slots(bool mm, bool pasid, bool handle, bool freed, bool dev) {
    return {{{"mm", mm}, {"pasid", pasid}, {"handle", handle}, {"freed", freed}, {"dev", dev}}};
}

constexpr const char* kRecipeMismatch = "not defined as `pasidtrace ftrace-recipe` prints it; ignored";

// Field names are the kernel's (include/trace/events/*.h) and the recipe's.
constexpr EventSpec kEvents[] = {
    {RecordKind::task_newtask,
     "task",
     "task_newtask",
     {{{"pid", true}, {"clone_flags", true}}},
     "ignored: forks cannot be told apart from thread creation"},
    {RecordKind::process_fork,
     "sched",
     "sched_process_fork",
     {{{"parent_pid", true}, {"child_pid", true}, {"parent_comm", false}, {"child_comm", false}}},
     "ignored"},
    {RecordKind::process_exec,
     "sched",
     "sched_process_exec",
     {{{"pid", true}, {"old_pid", true}, {"filename", false}}},
     "ignored"},
    {RecordKind::process_exit,
     "sched",
     "sched_process_exit",
     {{{"pid", true}, {"comm", false}, {"group_dead", false}}},
     "ignored"},
    // Before 5.13 the event has no cache name, so an mm_struct free cannot
    // be told from any other slab free (kernel-pasid-lifecycle.md section 4).
    {RecordKind::cache_free,
     "kmem",
     "kmem_cache_free",
     {{{"ptr", true}, {"name", true}}},
     "has no cache name (kernels before 5.13): mm_struct frees cannot be told apart, no mmdrop from it"},
    {RecordKind::msr_write, "msr", "write_msr", {{{"msr", true}, {"val", true}, {"failed", false}}}, "ignored"},
    // Upstream io_page_fault carries no PASID; vendor trees that add one are read.
    {RecordKind::io_page_fault,
     "iommu",
     "io_page_fault",
     {{{"pasid", true}, {"iova", false}, {"device", false}}},
     "carries no PASID (upstream format): no iopf from it"},
    {RecordKind::prq_report, "intel_iommu", "prq_report", {{{"dw0", true}, {"dw1", true}, {"dev", false}}}, "ignored"},
    // 6.13+ dropped `pid` (the renamed task is the current one): common_pid then.
    {RecordKind::task_rename, "task", "task_rename", {{{"newcomm", true}, {"pid", false}}}, "ignored"},
    {RecordKind::probe_bind, "pasidtrace", "bind", probe_slots(true, false, false, false, true), kRecipeMismatch},
    {RecordKind::probe_bind_return, "pasidtrace", "bind_ret", probe_slots(false, false, true, false, false),
     kRecipeMismatch},
    {RecordKind::probe_unbind, "pasidtrace", "unbind", probe_slots(false, false, true, false, false), kRecipeMismatch},
    {RecordKind::probe_pasid_alloc, "pasidtrace", "pasid_alloc", probe_slots(false, true, false, false, false),
     kRecipeMismatch},
    {RecordKind::probe_pasid_free, "pasidtrace", "pasid_free", probe_slots(false, true, false, false, false),
     kRecipeMismatch},
    {RecordKind::probe_pasid_put, "pasidtrace", "pasid_put", probe_slots(false, true, false, false, false),
     kRecipeMismatch},
    {RecordKind::probe_pasid_put_return, "pasidtrace", "pasid_put_ret", probe_slots(false, false, false, true, false),
     kRecipeMismatch},
    {RecordKind::probe_mmput, "pasidtrace", "mmput", probe_slots(true, false, false, false, false), kRecipeMismatch},
    {RecordKind::probe_mmdrop, "pasidtrace", "mmdrop", probe_slots(true, false, false, false, false), kRecipeMismatch},
    {RecordKind::probe_exec_mm, "pasidtrace", "exec_mm", probe_slots(true, false, false, false, false),
     kRecipeMismatch},
};
static_assert(std::size(kEvents) == kRecordKindCount);

// spec_of() indexes the table by kind.
constexpr bool table_in_kind_order() {
    for (std::size_t i = 0; i < std::size(kEvents); ++i)
        if (static_cast<std::size_t>(kEvents[i].kind) != i) return false;
    return true;
}
static_assert(table_in_kind_order());

const EventSpec& spec_of(RecordKind kind) { return kEvents[static_cast<std::size_t>(kind)]; }

bool is_probe(RecordKind kind) { return kind >= RecordKind::probe_bind; }

// VT-d page request descriptor, first quadword: bit 8 "PASID present",
// bits 32..51 the PASID; second quadword: page address in bits 12..63.
constexpr std::uint64_t kPrqPasidPresent = 1ull << 8;
PageRequestFields page_request_from_descriptor(std::uint64_t dw0, std::uint64_t dw1) {
    PageRequestFields f;
    if (dw0 & kPrqPasidPresent) f.pasid = static_cast<std::uint32_t>((dw0 >> 32) & 0xfffff);
    f.addr = dw1 & ~std::uint64_t{0xfff};
    return f;
}

}  // namespace

std::string_view to_string(RecordKind kind) {
    static const std::array<std::string, kRecordKindCount> names = [] {
        std::array<std::string, kRecordKindCount> out;
        for (const auto& spec : kEvents)
            out[static_cast<std::size_t>(spec.kind)] = std::string(spec.system) + ":" + spec.event;
        return out;
    }();
    return names[static_cast<std::size_t>(kind)];
}

DecoderTable DecoderTable::build(tep_handle* tep) {
    DecoderTable table;
    table.swap_bytes_ = tep_is_file_bigendian(tep) != tep_is_local_bigendian(tep);
    const int count = tep_get_events_count(tep);
    for (int i = 0; i < count; ++i) {
        tep_event* event = tep_get_event(tep, i);
        if (!event || event->id < 0) continue;
        const auto id = static_cast<std::size_t>(event->id);
        if (id >= table.id_defined_.size()) {
            table.id_defined_.resize(id + 1, false);
            table.by_id_.resize(id + 1);
        }
        table.id_defined_[id] = true;
        if (!table.common_type_) {
            table.common_type_ = tep_find_common_field(event, "common_type");
            table.common_pid_ = tep_find_common_field(event, "common_pid");
        }
        for (const auto& spec : kEvents) {
            if (!event->system || !event->name || std::string_view(event->system) != spec.system ||
                std::string_view(event->name) != spec.event)
                continue;
            Decoder decoder;
            decoder.kind = spec.kind;
            bool usable = true;
            std::string missing;
            auto& found = table.field_found_[static_cast<std::size_t>(spec.kind)];
            for (std::size_t f = 0; f < kMaxFields; ++f) {
                if (!spec.fields[f].name) continue;
                decoder.fields[f] = tep_find_field(event, spec.fields[f].name);
                found[f] = decoder.fields[f] != nullptr;
                if (!decoder.fields[f] && spec.fields[f].required) {
                    usable = false;
                    missing += missing.empty() ? spec.fields[f].name : std::string(", ") + spec.fields[f].name;
                }
            }
            if (!usable) {
                table.notes_.push_back(std::string(to_string(spec.kind)) + " has no field " + missing + ": " +
                                       spec.without_required);
                continue;
            }
            table.by_id_[id] = decoder;
            table.defined_[static_cast<std::size_t>(spec.kind)] = true;
        }
    }
    return table;
}

bool DecoderTable::has_field(RecordKind kind, std::string_view field) const {
    const auto& spec = spec_of(kind);
    for (std::size_t f = 0; f < kMaxFields; ++f)
        if (spec.fields[f].name && field == spec.fields[f].name)
            return defined_[static_cast<std::size_t>(kind)] && field_found_[static_cast<std::size_t>(kind)][f];
    return false;
}

DecodeResult DecoderTable::decode(const tep_record& record, DecodedRecord& out, std::string& problem) const {
    RecordFields fields(record, swap_bytes_);
    const auto type = common_type_ ? fields.number(*common_type_) : std::nullopt;
    if (!type) {
        problem = "record of " + std::to_string(record.size) + " bytes has no room for its event id";
        return DecodeResult::corrupt;
    }
    if (*type >= id_defined_.size() || !id_defined_[*type]) {
        problem = "record names event id " + std::to_string(*type) + ", which the file's formats do not define";
        return DecodeResult::corrupt;
    }
    const auto& decoder = by_id_[*type];
    if (!decoder) return DecodeResult::not_ours;
    out.kind = decoder->kind;
    out.ts = record.ts;
    out.cpu = static_cast<std::uint32_t>(record.cpu);
    const auto tid = common_pid_ ? fields.number(*common_pid_) : std::nullopt;
    if (!tid || !decode_fields(*decoder, record, out.fields)) {
        problem = std::string(to_string(decoder->kind)) + " record of " + std::to_string(record.size) +
                  " bytes has a field that lies outside it";
        return DecodeResult::corrupt;
    }
    out.tid = as_signed(*tid, common_pid_->size);
    return DecodeResult::decoded;
}

// Reads the decoder's fields; false when one lies outside the record.
bool DecoderTable::decode_fields(const Decoder& d, const tep_record& record, KindFields& out) const {
    RecordFields r(record, swap_bytes_);
    bool ok = true;
    auto num = [&](std::size_t slot) -> std::optional<std::uint64_t> {
        if (!d.fields[slot]) return std::nullopt;
        auto v = r.number(*d.fields[slot]);
        if (!v) ok = false;
        return v;
    };
    auto pid = [&](std::size_t slot) -> std::int64_t {
        auto v = num(slot);
        return v ? as_signed(*v, d.fields[slot]->size) : 0;
    };
    auto text = [&](std::size_t slot) -> std::optional<std::string_view> {
        if (!d.fields[slot]) return std::nullopt;
        auto v = r.text(*d.fields[slot]);
        if (!v) ok = false;
        return v;
    };
    switch (d.kind) {
        case RecordKind::task_newtask:
            out = NewTaskFields{pid(0), num(1).value_or(0)};
            break;
        case RecordKind::process_fork:
            out = ForkFields{pid(0), pid(1), text(2).value_or(""), text(3).value_or("")};
            break;
        case RecordKind::process_exec:
            out = ExecFields{pid(0), pid(1), text(2).value_or("")};
            break;
        case RecordKind::process_exit: {
            ExitFields f{pid(0), text(1).value_or(""), std::nullopt};
            if (auto dead = num(2)) f.group_dead = *dead != 0;
            out = f;
            break;
        }
        case RecordKind::cache_free:
            out = CacheFreeFields{num(0).value_or(0), text(1)};
            break;
        case RecordKind::msr_write:
            out = MsrWriteFields{static_cast<std::uint32_t>(num(0).value_or(0)), num(1).value_or(0),
                                 num(2).value_or(0) != 0};
            break;
        case RecordKind::io_page_fault: {
            PageRequestFields f;
            if (auto p = num(0)) f.pasid = static_cast<std::uint32_t>(*p);
            f.addr = num(1);
            f.device = text(2).value_or("");
            out = f;
            break;
        }
        case RecordKind::prq_report: {
            PageRequestFields f = page_request_from_descriptor(num(0).value_or(0), num(1).value_or(0));
            f.device = text(2).value_or("");
            out = f;
            break;
        }
        case RecordKind::task_rename: {
            RenameFields f;
            f.comm = text(0).value_or("");
            f.tid = d.fields[1] ? pid(1) : -1;
            out = f;
            break;
        }
        default: {
            if (!is_probe(d.kind)) return false;
            out = ProbeFields{num(kMm), num(kPasid), num(kHandle), num(kFreed), text(kDev)};
            break;
        }
    }
    return ok;
}

}  // namespace pasidtrace::sources::tracedat
