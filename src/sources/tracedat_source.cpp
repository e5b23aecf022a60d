// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_source.hpp"

#include <event-parse.h>

#include "sources/tracedat_header.hpp"

namespace pasidtrace::sources {
namespace {

// Events queued per read: enough that the call per batch costs nothing per
// event, few enough to keep memory flat.
constexpr std::size_t kBatchEvents = 4096;

std::string hex(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 0xf]);
        v >>= 4;
    } while (v);
    return "0x" + s;
}

}  // namespace

std::variant<std::unique_ptr<TraceDatSource>, core::InputError> TraceDatSource::open(const std::string& path) {
    auto opened = tracedat::TraceDatFile::open(path);
    if (auto* err = std::get_if<core::InputError>(&opened)) return *err;
    auto file = std::move(std::get<std::unique_ptr<tracedat::TraceDatFile>>(opened));
    auto table = tracedat::DecoderTable::build(file->tep());
    return std::unique_ptr<TraceDatSource>(new TraceDatSource(std::move(file), std::move(table), path));
}

TraceDatSource::TraceDatSource(std::unique_ptr<tracedat::TraceDatFile> file, tracedat::DecoderTable table,
                               std::string path)
    : file_(std::move(file)),
      table_(std::move(table)),
      mapper_(table_, tracedat::TaskTable(file_->tep())),
      path_(std::move(path)),
      header_(tracedat::make_header(file_->facts(), table_)) {
    queued_.reserve(kBatchEvents + 2);
}

ReadStatus TraceDatSource::fail(std::uint64_t record, std::string message) {
    failed_ = true;
    error_ = core::InputError{path_, record, {}, std::move(message)};
    return ReadStatus::error;
}

ReadStatus TraceDatSource::next(core::Event& out) {
    if (failed_) return ReadStatus::error;
    if (next_queued_ == queued_.size() && !refill()) return failed_ ? ReadStatus::error : ReadStatus::end;
    out = std::move(queued_[next_queued_++]);
    return ReadStatus::event;
}

// Reads the next batch; false at the end of the data or on an error.
bool TraceDatSource::refill() {
    queued_.clear();
    next_queued_ = 0;
    while (queued_.empty() && !ended_ && !failed_) {
        Queue queue(*this);
        switch (file_->read(queue)) {
            case tracedat::ReadProgress::paused:
                break;
            case tracedat::ReadProgress::end:
                ended_ = true;
                break;
            case tracedat::ReadProgress::failed:
                if (!failed_) fail(records_, file_->failure());
                break;
        }
    }
    return !queued_.empty() && !failed_;
}

bool TraceDatSource::Queue::take(tep_handle* /*tep*/, const tep_record& record) { return source_.take_record(record); }

bool TraceDatSource::take_record(const tep_record& record) {
    ++records_;
    if (record.missed_events) queue_loss(record);
    switch (table_.decode(record, decoded_, problem_)) {
        case tracedat::DecodeResult::not_ours:
            ++counters_.skipped;
            break;
        case tracedat::DecodeResult::corrupt:
            fail(records_, "record on CPU " + std::to_string(record.cpu) + " at file offset " + hex(record.offset) +
                               ": " + problem_ + " (corrupt data section)");
            return false;
        case tracedat::DecodeResult::decoded: {
            // Mapped in place: an Event is large, and a million records make
            // every move count.
            core::Event& event = queued_.emplace_back();
            const tracedat::MapOutcome outcome = mapper_.map(decoded_, event);
            if (outcome == tracedat::MapOutcome::event) {
                event.pos.line = records_;
                break;
            }
            queued_.pop_back();
            if (outcome == tracedat::MapOutcome::skipped) ++counters_.skipped;
            break;
        }
    }
    return queued_.size() < kBatchEvents;
}

// The page this record starts had events overwritten or dropped before it;
// libtracecmd says how many, or -1 when the kernel did not count them.
void TraceDatSource::queue_loss(const tep_record& record) {
    core::Event lost;
    lost.ts = record.ts;
    lost.type = core::EventType::lost;
    lost.cpu = static_cast<std::uint32_t>(record.cpu);
    lost.count = record.missed_events > 0 ? static_cast<std::uint64_t>(record.missed_events) : 1;
    lost.pos.line = records_;
    queued_.push_back(std::move(lost));
}

}  // namespace pasidtrace::sources
