// SPDX-License-Identifier: GPL-2.0-only
// Turns decoded trace.dat records into the contract's events
// (event-contract.md section 1). Some records are halves: a kprobe's entry
// waits for its kretprobe on the same thread (bind, ioasid_put), and
// task_newtask's clone flags wait for the sched_process_fork they belong to.
//
// What the tracepoints cannot say is left out, never guessed: no tracepoint
// names an mm, so fork and exec carry no `mm`/`child_mm` (docs/ftrace.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/event.hpp"
#include "sources/tracedat_decoders.hpp"
#include "sources/tracedat_tasks.hpp"

namespace pasidtrace::sources::tracedat {

// MSR_IA32_PASID and its valid bit (arch/x86/include/asm/msr-index.h).
inline constexpr std::uint32_t kMsrIa32Pasid = 0xd93;
inline constexpr std::uint64_t kMsrPasidValid = 1ull << 31;

enum class MapOutcome {
    event,     // `out` holds a contract event
    consumed,  // half of a pair, or the record only updates what is known of a thread
    skipped,   // not an event of the contract (another MSR, another slab cache, a cleared MSR ...)
};

class ContractMapper {
public:
    ContractMapper(const DecoderTable& table, TaskTable tasks);

    MapOutcome map(const DecodedRecord& record, core::Event& out);

private:
    struct OpenBind {
        core::Ident dev;
        core::Ident mm;
    };

    void stamp(const DecodedRecord& record, core::EventType type, core::Event& out) const;
    MapOutcome on_fork(const DecodedRecord& record, const ForkFields& f, core::Event& out);
    MapOutcome on_newtask(const DecodedRecord& record, const NewTaskFields& f, core::Event& out);
    MapOutcome on_exec(const DecodedRecord& record, const ExecFields& f, core::Event& out);
    MapOutcome on_exit(const DecodedRecord& record, const ExitFields& f, core::Event& out);
    MapOutcome on_cache_free(const DecodedRecord& record, const CacheFreeFields& f, core::Event& out);
    MapOutcome on_msr_write(const DecodedRecord& record, const MsrWriteFields& f, core::Event& out);
    MapOutcome on_page_request(const DecodedRecord& record, const PageRequestFields& f, core::Event& out);
    MapOutcome on_rename(const DecodedRecord& record, const RenameFields& f);
    MapOutcome on_probe(const DecodedRecord& record, const ProbeFields& f, core::Event& out);
    MapOutcome on_bind_return(const DecodedRecord& record, const ProbeFields& f, core::Event& out);
    MapOutcome on_pasid_put_return(const DecodedRecord& record, const ProbeFields& f, core::Event& out);

    TaskTable tasks_;
    bool fork_from_newtask_;       // no sched_process_fork in the file: task_newtask stands for it
    bool mmdrop_from_cache_free_;  // no pasidtrace:mmdrop probe: the mm_struct slab free stands for it
    std::unordered_map<std::uint32_t, OpenBind> open_binds_;      // tid -> bind entry awaiting its return
    std::unordered_map<std::uint32_t, std::uint32_t> open_puts_;  // tid -> PASID of an ioasid_put in flight
    std::unordered_map<std::uint32_t, std::uint64_t> exec_mms_;   // tid -> mm setup_new_exec saw, until its exec
};

}  // namespace pasidtrace::sources::tracedat
