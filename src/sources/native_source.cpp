// SPDX-License-Identifier: GPL-2.0-only
#include "sources/native_source.hpp"

#include <cstring>

#include "sources/native_record.hpp"
#include "sources/recording_payloads.hpp"

namespace pasidtrace::sources {

using recording::ChunkKind;

std::variant<std::unique_ptr<NativeSource>, core::InputError> NativeSource::open(const std::string& path) {
    auto opened = recording::RecordingReader::open(path);
    if (auto* err = std::get_if<core::InputError>(&opened)) return *err;
    auto reader = std::move(std::get<std::unique_ptr<recording::RecordingReader>>(opened));
    auto parsed = recording_header_from_json(reader->header_json());
    if (auto* bad = std::get_if<HeaderFieldError>(&parsed))
        return core::InputError{path, 0, bad->field, "recording header: " + bad->message};
    return std::unique_ptr<NativeSource>(
        new NativeSource(std::move(reader), std::move(std::get<RecordingHeader>(parsed)), path));
}

NativeSource::NativeSource(std::unique_ptr<recording::RecordingReader> reader, RecordingHeader header,
                           std::string path)
    : reader_(std::move(reader)),
      recording_header_(std::move(header)),
      header_(to_trace_header(recording_header_)),
      path_(std::move(path)) {}

ReadStatus NativeSource::next(core::Event& out) {
    if (failed_) return ReadStatus::error;
    for (;;) {
        if (next_in_chunk_ == chunk_.count && !load_events_chunk())
            return failed_ ? ReadStatus::error : ReadStatus::end;
        pt_event rec;
        std::memcpy(&rec, chunk_.payload.data() + std::size_t{next_in_chunk_} * sizeof rec, sizeof rec);
        ++next_in_chunk_;
        ++records_;
        out = core::Event{};
        RecordProblem problem;
        switch (record_to_event(rec, out, problem)) {
        case RecordResult::event: out.pos.line = records_; return ReadStatus::event;
        case RecordResult::unknown_type: ++counters_.skipped; break;
        case RecordResult::invalid: {
            const std::uint64_t at =
                chunk_.offset + sizeof(recording::ChunkHeader) + std::uint64_t{next_in_chunk_ - 1} * sizeof rec;
            return fail(records_, problem.field,
                        std::string(core::to_string(out.type)) + " record at byte " + std::to_string(at) + ": " +
                            problem.message);
        }
        }
    }
}

bool NativeSource::load_events_chunk() {
    next_in_chunk_ = 0;
    chunk_.count = 0;
    while (reader_->next(chunk_)) {
        if (chunk_.kind != ChunkKind::events) {
            if (!take_table(chunk_)) return false;
            chunk_.count = 0;
            continue;
        }
        if (chunk_.payload.size() == std::size_t{chunk_.count} * sizeof(pt_event)) return true;
        fail(0, "", "events chunk at byte " + std::to_string(chunk_.offset) + ": " +
                        std::to_string(chunk_.payload.size()) + " bytes do not hold " + std::to_string(chunk_.count) +
                        " records of " + std::to_string(sizeof(pt_event)) + " bytes");
        return false;
    }
    chunk_.count = 0;
    if (reader_->error()) {
        error_ = *reader_->error();
        failed_ = true;
    }
    return false;
}

// Stacks and symbols chunks; kinds this build does not know are skipped, so
// later versions can add some.
bool NativeSource::take_table(const recording::Chunk& chunk) {
    std::optional<std::string> bad;
    if (chunk.kind == ChunkKind::stacks)
        bad = recording::decode_stacks(chunk.payload, chunk.count, [this](std::uint32_t id, auto ips) {
            stacks_.add_stack(id, std::move(ips));
        });
    else if (chunk.kind == ChunkKind::symbols)
        bad = recording::decode_symbols(chunk.payload, chunk.count,
                                        [this](KernelSymbol sym) { stacks_.add_symbol(std::move(sym)); });
    if (!bad) return true;
    fail(0, "", std::string(chunk.kind == ChunkKind::stacks ? "stacks" : "symbols") + " chunk at byte " +
                    std::to_string(chunk.offset) + ": " + *bad);
    return false;
}

ReadStatus NativeSource::fail(std::uint64_t record, std::string field, std::string message) {
    error_ = core::InputError{path_, record, std::move(field), std::move(message)};
    failed_ = true;
    return ReadStatus::error;
}

}  // namespace pasidtrace::sources
