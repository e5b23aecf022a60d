// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_mapping.hpp"

#include <variant>

namespace pasidtrace::sources::tracedat {
namespace {

using core::EventType;
using core::Ident;

// The slab cache mm_structs come from (kernel/fork.c, mm_cachep).
constexpr std::string_view kMmCache = "mm_struct";

// A kernel pointer that is an ERR_PTR(-errno) (include/linux/err.h).
constexpr std::uint64_t kMaxErrno = 4095;
bool is_err_ptr(std::uint64_t v) { return v >= ~kMaxErrno; }

std::optional<std::uint32_t> valid_pasid(std::optional<std::uint64_t> v) {
    if (!v || !core::is_valid_pasid(*v)) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

Ident address_or_absent(std::optional<std::uint64_t> v) { return v && *v ? Ident::address(*v) : Ident(); }
Ident text_or_absent(std::optional<std::string_view> v) {
    return v && !v->empty() ? Ident::text(std::string(*v)) : Ident();
}
std::uint32_t as_tid(std::int64_t v) { return v < 0 ? 0 : static_cast<std::uint32_t>(v); }

}  // namespace

ContractMapper::ContractMapper(const DecoderTable& table, TaskTable tasks)
    : tasks_(std::move(tasks)),
      fork_from_newtask_(!table.defines(RecordKind::process_fork)),
      mmdrop_from_cache_free_(!table.defines(RecordKind::probe_mmdrop)) {}

void ContractMapper::stamp(const DecodedRecord& record, EventType type, core::Event& out) const {
    const std::uint32_t tid = as_tid(record.tid);
    out.ts = record.ts;
    out.type = type;
    out.cpu = record.cpu;
    out.tid = tid;
    out.pid = tasks_.tgid_of(tid);
    out.comm = tasks_.comm_of(tid);
}

MapOutcome ContractMapper::map(const DecodedRecord& record, core::Event& out) {
    return std::visit(
        [&](const auto& f) -> MapOutcome {
            using F = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<F, NewTaskFields>) return on_newtask(record, f, out);
            if constexpr (std::is_same_v<F, ForkFields>) return on_fork(record, f, out);
            if constexpr (std::is_same_v<F, ExecFields>) return on_exec(record, f, out);
            if constexpr (std::is_same_v<F, ExitFields>) return on_exit(record, f, out);
            if constexpr (std::is_same_v<F, CacheFreeFields>) return on_cache_free(record, f, out);
            if constexpr (std::is_same_v<F, MsrWriteFields>) return on_msr_write(record, f, out);
            if constexpr (std::is_same_v<F, PageRequestFields>) return on_page_request(record, f, out);
            if constexpr (std::is_same_v<F, RenameFields>) return on_rename(record, f);
            if constexpr (std::is_same_v<F, ProbeFields>) return on_probe(record, f, out);
        },
        record.fields);
}

MapOutcome ContractMapper::on_newtask(const DecodedRecord& record, const NewTaskFields& f, core::Event& out) {
    tasks_.remember_clone_flags(as_tid(f.child_tid), f.clone_flags);
    if (!fork_from_newtask_) return MapOutcome::consumed;
    // Without sched_process_fork the new task's record is the fork: it is
    // taken in the parent, with the child's id.
    return on_fork(record, ForkFields{record.tid, f.child_tid, {}, {}}, out);
}

MapOutcome ContractMapper::on_fork(const DecodedRecord& record, const ForkFields& f, core::Event& out) {
    const auto parent_tid = as_tid(f.parent_tid);
    const auto child_tid = as_tid(f.child_tid);
    const TaskTable::ForkResult r = tasks_.on_fork(parent_tid, child_tid, f.parent_comm, f.child_comm);
    stamp(record, EventType::fork, out);
    out.tid = parent_tid;
    out.pid = r.parent_tgid;
    if (!f.parent_comm.empty()) out.comm = std::string(f.parent_comm.substr(0, 15));
    out.child_tid = child_tid;
    out.child_pid = r.child_tgid;
    return MapOutcome::event;
}

MapOutcome ContractMapper::on_exec(const DecodedRecord& record, const ExecFields& f, core::Event& out) {
    const auto tgid = as_tid(f.pid);
    const auto old_tid = as_tid(f.old_pid);
    tasks_.on_exec(old_tid, tgid, f.filename);
    stamp(record, EventType::exec, out);
    // The exec ends the MSR reference of the thread that called it, which is
    // old_pid when a non-leader thread exec'ed (de_thread gave it the
    // leader's id, under which the record was taken).
    out.tid = old_tid;
    out.pid = tgid;
    out.comm = tasks_.comm_of(tgid);
    if (auto mm = exec_mms_.find(as_tid(record.tid)); mm != exec_mms_.end()) {
        out.mm = Ident::address(mm->second);
        exec_mms_.erase(mm);
    }
    return MapOutcome::event;
}

MapOutcome ContractMapper::on_exit(const DecodedRecord& record, const ExitFields& f, core::Event& out) {
    const auto tid = as_tid(f.tid);
    stamp(record, EventType::exit, out);
    out.tid = tid;
    out.pid = tasks_.tgid_of(tid);
    if (!f.comm.empty()) out.comm = std::string(f.comm);
    const bool last_known = tasks_.on_exit(tid);
    out.group_dead = f.group_dead.value_or(last_known);
    return MapOutcome::event;
}

MapOutcome ContractMapper::on_cache_free(const DecodedRecord& record, const CacheFreeFields& f, core::Event& out) {
    if (!mmdrop_from_cache_free_ || f.cache != kMmCache || !f.ptr) return MapOutcome::skipped;
    // free_mm() is the last step of __mmdrop(), after the PASID was freed:
    // this mmdrop is taken at the exit of __mmdrop (header mmdrop_probe).
    stamp(record, EventType::mmdrop, out);
    out.mm = Ident::address(f.ptr);
    return MapOutcome::event;
}

MapOutcome ContractMapper::on_msr_write(const DecodedRecord& record, const MsrWriteFields& f, core::Event& out) {
    if (f.msr != kMsrIa32Pasid || f.failed) return MapOutcome::skipped;
    // The #GP fix-up writes PASID | valid bit. A write without the valid bit
    // (0 on 5.10's update_pasid, a context being cleared) loads nothing.
    if (!(f.value & kMsrPasidValid)) return MapOutcome::skipped;
    auto pasid = valid_pasid(f.value & 0xfffff);
    if (!pasid) return MapOutcome::skipped;
    stamp(record, EventType::pasid_msr, out);
    out.pasid = pasid;  // the tracepoint cannot read the mm: left out (contract 1)
    return MapOutcome::event;
}

MapOutcome ContractMapper::on_page_request(const DecodedRecord& record, const PageRequestFields& f, core::Event& out) {
    auto pasid = valid_pasid(f.pasid);
    if (!pasid) return MapOutcome::skipped;  // a request without PASID is not an SVA fault
    stamp(record, EventType::iopf, out);
    out.pasid = pasid;
    out.addr = f.addr;
    out.dev = text_or_absent(f.device);
    return MapOutcome::event;
}

MapOutcome ContractMapper::on_rename(const DecodedRecord& record, const RenameFields& f) {
    tasks_.rename(as_tid(f.tid >= 0 ? f.tid : record.tid), f.comm);
    return MapOutcome::consumed;
}

MapOutcome ContractMapper::on_probe(const DecodedRecord& record, const ProbeFields& f, core::Event& out) {
    const std::uint32_t tid = as_tid(record.tid);
    switch (record.kind) {
        case RecordKind::probe_bind:
            open_binds_[tid] = OpenBind{text_or_absent(f.dev), address_or_absent(f.mm)};
            return MapOutcome::consumed;
        case RecordKind::probe_bind_return:
            return on_bind_return(record, f, out);
        case RecordKind::probe_unbind:
            if (!f.handle || !*f.handle) return MapOutcome::skipped;
            stamp(record, EventType::unbind, out);
            out.handle = Ident::address(*f.handle);
            out.pasid = valid_pasid(f.pasid);
            out.mm = address_or_absent(f.mm);
            out.dev = text_or_absent(f.dev);
            return MapOutcome::event;
        case RecordKind::probe_pasid_alloc:
        case RecordKind::probe_pasid_free: {
            // Allocators return, and mm_pasid_drop() sees, an invalid PASID for
            // "none"; that is no allocation or free.
            auto pasid = valid_pasid(f.pasid);
            if (!pasid) return MapOutcome::skipped;
            stamp(record, record.kind == RecordKind::probe_pasid_alloc ? EventType::pasid_alloc : EventType::pasid_free,
                  out);
            out.pasid = pasid;
            out.mm = address_or_absent(f.mm);
            return MapOutcome::event;
        }
        case RecordKind::probe_pasid_put:
            if (auto pasid = valid_pasid(f.pasid)) open_puts_[tid] = *pasid;
            return MapOutcome::consumed;
        case RecordKind::probe_pasid_put_return:
            return on_pasid_put_return(record, f, out);
        case RecordKind::probe_exec_mm:
            if (f.mm && *f.mm) exec_mms_[tid] = *f.mm;
            return MapOutcome::consumed;
        case RecordKind::probe_mmput:
        case RecordKind::probe_mmdrop:
            if (!f.mm || !*f.mm) return MapOutcome::skipped;
            stamp(record, record.kind == RecordKind::probe_mmput ? EventType::mmput : EventType::mmdrop, out);
            out.mm = Ident::address(*f.mm);
            return MapOutcome::event;
        default:
            return MapOutcome::skipped;
    }
}

// iommu_sva_bind_device() returned: pair with its entry on the same thread.
MapOutcome ContractMapper::on_bind_return(const DecodedRecord& record, const ProbeFields& f, core::Event& out) {
    auto entry = open_binds_.find(as_tid(record.tid));
    if (entry == open_binds_.end()) return MapOutcome::skipped;  // entered before the recording started
    OpenBind bind = std::move(entry->second);
    open_binds_.erase(entry);
    stamp(record, EventType::bind, out);
    out.dev = bind.dev.present() ? std::move(bind.dev) : Ident::text("unknown");
    out.mm = std::move(bind.mm);
    const std::uint64_t handle = f.handle.value_or(0);
    if (handle == 0 || is_err_ptr(handle)) {
        // ERR_PTR(-errno); a NULL return, which upstream never gives, counts as -EINVAL.
        out.ret = handle ? static_cast<std::int64_t>(handle) : -22;
        return MapOutcome::event;
    }
    out.ret = 0;
    out.handle = Ident::address(handle);
    out.pasid = valid_pasid(f.pasid);
    return MapOutcome::event;
}

// ioasid_put() (5.11-5.17) returns true when it dropped the last reference
// and freed the PASID; other puts only drop a bind's reference.
MapOutcome ContractMapper::on_pasid_put_return(const DecodedRecord& record, const ProbeFields& f, core::Event& out) {
    auto entry = open_puts_.find(as_tid(record.tid));
    if (entry == open_puts_.end()) return MapOutcome::skipped;
    const std::uint32_t pasid = entry->second;
    open_puts_.erase(entry);
    if (!f.freed.value_or(0)) return MapOutcome::consumed;
    stamp(record, EventType::pasid_free, out);
    out.pasid = pasid;
    return MapOutcome::event;
}

}  // namespace pasidtrace::sources::tracedat
