// SPDX-License-Identifier: GPL-2.0-only
// Reads a trace-cmd recording (trace.dat) as an EventSource: libtracecmd
// opens the file and merges the CPUs (tracedat_file), the decoder table
// reads the events pasidtrace knows (tracedat_decoders), the mapper turns
// them into contract events (tracedat_mapping). docs/ftrace.md says which
// events are read and what the tracepoints cannot tell.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "sources/event_source.hpp"
#include "sources/tracedat_decoders.hpp"
#include "sources/tracedat_file.hpp"
#include "sources/tracedat_mapping.hpp"

namespace pasidtrace::sources {

// trace-cmd's file magic is 0x17 0x08 0x44 then "tracing"; the first three
// bytes are enough to say the file is meant to be one (no text format starts
// so), and libtracecmd then tells whether it is a readable one.
inline constexpr std::string_view kTraceDatMagic{"\x17\x08\x44", 3};

class TraceDatSource final : public EventSource {
public:
    static std::variant<std::unique_ptr<TraceDatSource>, core::InputError> open(const std::string& path);

    const core::TraceHeader& header() const override { return header_; }
    ReadStatus next(core::Event& out) override;
    const core::InputError& error() const override { return error_; }
    SourceCounters counters() const override { return counters_; }
    // libtracecmd merges the CPUs' buffers by ts (tracecmd_iterate_events_multi).
    bool in_ts_order() const override { return true; }

private:
    // Takes records from the file and queues the events they stand for.
    class Queue final : public tracedat::RecordSink {
    public:
        explicit Queue(TraceDatSource& source) : source_(source) {}
        bool take(tep_handle* tep, const tep_record& record) override;

    private:
        TraceDatSource& source_;
    };

    TraceDatSource(std::unique_ptr<tracedat::TraceDatFile> file, tracedat::DecoderTable table, std::string path);
    bool refill();
    bool take_record(const tep_record& record);
    void queue_loss(const tep_record& record);
    ReadStatus fail(std::uint64_t record, std::string message);

    std::unique_ptr<tracedat::TraceDatFile> file_;
    tracedat::DecoderTable table_;
    tracedat::ContractMapper mapper_;
    std::string path_;
    core::TraceHeader header_;
    std::vector<core::Event> queued_;
    std::size_t next_queued_ = 0;
    std::uint64_t records_ = 0;  // records read so far, in timestamp order: the `line` of errors and evidence
    bool ended_ = false;
    bool failed_ = false;
    tracedat::DecodedRecord decoded_;
    std::string problem_;
    core::InputError error_;
    SourceCounters counters_;
};

}  // namespace pasidtrace::sources
