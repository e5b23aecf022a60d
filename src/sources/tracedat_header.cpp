// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_header.hpp"

namespace pasidtrace::sources::tracedat {

using core::EventType;

core::ObservedTypes observed_types(const DecoderTable& t) {
    auto has = [&](RecordKind k) { return t.defines(k); };
    core::ObservedTypes o = core::ObservedTypes::none();
    if (has(RecordKind::process_fork) || has(RecordKind::task_newtask)) o.add(EventType::fork);
    if (has(RecordKind::process_exec)) o.add(EventType::exec);
    if (has(RecordKind::process_exit)) o.add(EventType::exit);
    if (has(RecordKind::probe_mmdrop) || has(RecordKind::cache_free)) o.add(EventType::mmdrop);
    if (has(RecordKind::msr_write)) o.add(EventType::pasid_msr);
    if (has(RecordKind::io_page_fault) || has(RecordKind::prq_report)) o.add(EventType::iopf);
    // A bind needs both halves: the entry has dev and mm, the return the result.
    if (has(RecordKind::probe_bind) && has(RecordKind::probe_bind_return)) o.add(EventType::bind);
    if (has(RecordKind::probe_unbind)) o.add(EventType::unbind);
    if (has(RecordKind::probe_pasid_alloc)) o.add(EventType::pasid_alloc);
    if (has(RecordKind::probe_pasid_free) ||
        (has(RecordKind::probe_pasid_put) && has(RecordKind::probe_pasid_put_return)))
        o.add(EventType::pasid_free);
    if (has(RecordKind::probe_mmput)) o.add(EventType::mmput);
    o.add(EventType::lost);  // ring-buffer losses are in every file's page headers
    return o;
}

core::MmdropProbe mmdrop_probe(const DecoderTable& t) {
    // A kprobe on __mmdrop fires before mm_pasid_drop(); the mm_struct slab
    // free is free_mm() at its very end, after the PASID was freed.
    if (t.defines(RecordKind::probe_mmdrop)) return core::MmdropProbe::entry;
    if (t.defines(RecordKind::cache_free)) return core::MmdropProbe::exit;
    return core::MmdropProbe::unknown;
}

core::TraceHeader make_header(const FileFacts& facts, const DecoderTable& table) {
    core::TraceHeader h;
    h.format = "trace.dat";
    h.kernel = facts.release;
    if (facts.uname) {
        // "Linux <nodename> <release> <machine>"
        auto first = facts.uname->find(' ');
        auto second = first == std::string::npos ? first : facts.uname->find(' ', first + 1);
        if (second != std::string::npos) h.hostname = facts.uname->substr(first + 1, second - first - 1);
        h.extra["uname"] = *facts.uname;
    }
    h.clock = facts.clock;
    h.mmdrop_probe = mmdrop_probe(table);
    h.observed = observed_types(table);
    h.has_observed_list = true;
    if (facts.machine) h.extra["machine"] = *facts.machine;
    if (!facts.instances.empty()) h.extra["instances"] = facts.instances;
    if (facts.format_parse_failures) h.extra["format_parse_failures"] = facts.format_parse_failures;
    if (!table.notes().empty()) h.extra["notes"] = table.notes();
    return h;
}

}  // namespace pasidtrace::sources::tracedat
