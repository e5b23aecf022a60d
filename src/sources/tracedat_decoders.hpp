// SPDX-License-Identifier: GPL-2.0-only
// The events pasidtrace reads from a trace.dat file, as a table: for each
// (system, event) the fields it needs, resolved once per event id when the
// file is opened (no lookups by name per record), and a decoder that turns
// a record into values by meaning. Turning those values into contract
// events is tracedat_mapping's job.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct tep_format_field;
struct tep_handle;
struct tep_record;

namespace pasidtrace::sources::tracedat {

// The group the ftrace recipe puts its kprobe events in.
inline constexpr std::string_view kProbeGroup = "pasidtrace";

enum class RecordKind : std::uint8_t {
    task_newtask,            // task:task_newtask (clone flags of the child about to be forked)
    process_fork,            // sched:sched_process_fork
    process_exec,            // sched:sched_process_exec
    process_exit,            // sched:sched_process_exit
    cache_free,              // kmem:kmem_cache_free
    msr_write,               // msr:write_msr
    io_page_fault,           // iommu:io_page_fault (only with a pasid field)
    prq_report,              // intel_iommu:prq_report
    task_rename,             // task:task_rename (prctl PR_SET_NAME, pthread_setname_np, exec)
    probe_bind,              // pasidtrace:bind        (iommu_sva_bind_device entry)
    probe_bind_return,       // pasidtrace:bind_ret    (its return)
    probe_unbind,            // pasidtrace:unbind
    probe_pasid_alloc,       // pasidtrace:pasid_alloc
    probe_pasid_free,        // pasidtrace:pasid_free
    probe_pasid_put,         // pasidtrace:pasid_put   (ioasid_put entry, 5.11-5.17)
    probe_pasid_put_return,  // pasidtrace:pasid_put_ret
    probe_mmput,             // pasidtrace:mmput       (__mmput)
    probe_mmdrop,            // pasidtrace:mmdrop      (__mmdrop entry)
    probe_exec_mm,           // pasidtrace:exec_mm     (setup_new_exec: the mm exec switched to)
};
inline constexpr std::size_t kRecordKindCount = 19;

std::string_view to_string(RecordKind kind);  // "sched:sched_process_fork"

// A record's values by meaning; strings point into the record's data.
struct NewTaskFields {
    std::int64_t child_tid = 0;
    std::uint64_t clone_flags = 0;
};
struct ForkFields {
    std::int64_t parent_tid = 0;
    std::int64_t child_tid = 0;
    std::string_view parent_comm;
    std::string_view child_comm;
};
struct ExecFields {
    std::int64_t pid = 0;      // after exec: the thread-group leader's id
    std::int64_t old_pid = 0;  // the exec'ing thread's id before de_thread()
    std::string_view filename;
};
struct ExitFields {
    std::int64_t tid = 0;
    std::string_view comm;
    std::optional<bool> group_dead;  // only where the format has it (6.16+ seen)
};
struct CacheFreeFields {
    std::uint64_t ptr = 0;
    std::optional<std::string_view> cache;  // the `name` field (5.13+)
};
struct MsrWriteFields {
    std::uint32_t msr = 0;
    std::uint64_t value = 0;
    bool failed = false;
};
struct PageRequestFields {
    std::optional<std::uint32_t> pasid;  // absent: the request carried none
    std::optional<std::uint64_t> addr;
    std::string_view device;
};
struct RenameFields {
    std::int64_t tid = 0;
    std::string_view comm;  // the new one
};
struct ProbeFields {
    std::optional<std::uint64_t> mm;
    std::optional<std::uint64_t> pasid;
    std::optional<std::uint64_t> handle;  // bind_ret: the return value
    std::optional<std::uint64_t> freed;   // pasid_put_ret: the return value
    std::optional<std::string_view> dev;
};

using KindFields = std::variant<NewTaskFields, ForkFields, ExecFields, ExitFields, CacheFreeFields, MsrWriteFields,
                                PageRequestFields, RenameFields, ProbeFields>;

struct DecodedRecord {
    RecordKind kind = RecordKind::process_fork;
    std::uint64_t ts = 0;
    std::uint32_t cpu = 0;
    std::int64_t tid = 0;  // common_pid: the thread that was running
    KindFields fields;
};

enum class DecodeResult { decoded, not_ours, corrupt };

class DecoderTable {
public:
    // Resolves the fields of every event the file defines that pasidtrace
    // reads. An event whose format lacks a field it cannot do without is
    // left out, with a note saying why.
    static DecoderTable build(tep_handle* tep);

    // The file defines this event with every field its decoder needs.
    bool defines(RecordKind kind) const { return defined_[static_cast<std::size_t>(kind)]; }
    bool has_field(RecordKind kind, std::string_view field) const;
    const std::vector<std::string>& notes() const { return notes_; }

    // corrupt: the record's event id is not defined in the file, or a field
    // lies outside the record; `problem` says which.
    DecodeResult decode(const tep_record& record, DecodedRecord& out, std::string& problem) const;

private:
    static constexpr std::size_t kMaxFields = 5;
    struct Decoder {
        RecordKind kind = RecordKind::process_fork;
        std::array<const tep_format_field*, kMaxFields> fields{};
    };

    bool decode_fields(const Decoder& decoder, const tep_record& record, KindFields& out) const;

    std::vector<std::optional<Decoder>> by_id_;  // index: event id
    std::vector<bool> id_defined_;               // every event id the file defines
    std::array<bool, kRecordKindCount> defined_{};
    std::array<std::array<bool, kMaxFields>, kRecordKindCount> field_found_{};
    const tep_format_field* common_type_ = nullptr;
    const tep_format_field* common_pid_ = nullptr;
    bool swap_bytes_ = false;  // the file's byte order is not this machine's
    std::vector<std::string> notes_;
};

}  // namespace pasidtrace::sources::tracedat
