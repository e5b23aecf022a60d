// SPDX-License-Identifier: GPL-2.0-only
// Reads a native recording (docs/recording-format.md) as an EventSource.
//
// One pass, front to back, so standard input works too: stacks and symbols
// chunks (which the recorder writes at flushes and at close, often after
// the events that cite them) are taken in as they come, and stacks() is
// complete once next() has returned end. A recording cut short (its
// recorder was killed, the disk filled) yields every complete chunk, and
// warning() says where it stops.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "sources/event_source.hpp"
#include "sources/native_stacks.hpp"
#include "sources/recording_header.hpp"
#include "sources/recording_reader.hpp"

namespace pasidtrace::sources {

class NativeSource final : public EventSource {
public:
    // Checks magic, versions, record size and header; an error names the
    // file and the byte offset.
    static std::variant<std::unique_ptr<NativeSource>, core::InputError> open(const std::string& path);

    const core::TraceHeader& header() const override { return header_; }
    ReadStatus next(core::Event& out) override;
    const core::InputError& error() const override { return error_; }
    SourceCounters counters() const override { return counters_; }
    const StackTable* stacks() const override { return &stacks_; }
    std::string warning() const override { return reader_->stop_note(); }

    const RecordingHeader& recording_header() const { return recording_header_; }
    // Set once next() has reached a trailer: the recording was closed cleanly.
    const std::optional<recording::TrailerPayload>& trailer() const { return reader_->trailer(); }

private:
    NativeSource(std::unique_ptr<recording::RecordingReader> reader, RecordingHeader header, std::string path);
    bool load_events_chunk();
    bool take_table(const recording::Chunk& chunk);
    ReadStatus fail(std::uint64_t record, std::string field, std::string message);

    std::unique_ptr<recording::RecordingReader> reader_;
    RecordingHeader recording_header_;
    core::TraceHeader header_;
    std::string path_;
    recording::Chunk chunk_;  // the events chunk being read
    std::uint32_t next_in_chunk_ = 0;
    std::uint64_t records_ = 0;  // records read so far, of every type
    SourceCounters counters_;
    NativeStackTable stacks_;
    core::InputError error_;
    bool failed_ = false;
};

}  // namespace pasidtrace::sources
