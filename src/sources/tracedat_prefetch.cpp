// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_prefetch.hpp"

#include <cstring>

#include "sources/tracedat_libtracecmd.hpp"

#include "sources/tracedat_library_log.hpp"

namespace pasidtrace::sources::tracedat {
namespace {

// Batches read ahead: with RecordPrefetcher's default batch, enough that
// neither side waits on the other for long, few enough to keep memory flat
// (some 2 MB).
constexpr std::size_t kBatchesAhead = 4;

// tracecmd_iterate_events_multi() goes on while the callback returns >= 0.
constexpr int kStop = -2;

}  // namespace

RecordPrefetcher::RecordPrefetcher(std::vector<tracecmd_input*> inputs, std::size_t batch_records)
    : inputs_(std::move(inputs)), batch_records_(batch_records ? batch_records : 1), thread_([this] { run(); }) {}

RecordPrefetcher::~RecordPrefetcher() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

int RecordPrefetcher::copy_record(tracecmd_input* /*input*/, tep_record* record, int /*cpu*/, void* self) {
    auto& me = *static_cast<RecordPrefetcher*>(self);
    Batch& batch = me.filling_;
    tep_record copy{};
    copy.ts = record->ts;
    copy.offset = record->offset;
    copy.missed_events = record->missed_events;
    copy.record_size = record->record_size;
    copy.size = record->data ? record->size : 0;
    copy.cpu = record->cpu;
    batch.data_at.push_back(batch.data.size());
    if (copy.size > 0) batch.data.append(static_cast<const char*>(record->data), static_cast<std::size_t>(copy.size));
    batch.records.push_back(copy);
    if (batch.records.size() < me.batch_records_) return 0;
    return me.hand_over() ? 0 : kStop;
}

bool RecordPrefetcher::hand_over() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return stop_ || ready_.size() < kBatchesAhead; });
    if (stop_) return false;
    ready_.push_back(std::move(filling_));
    filling_ = Batch{};
    if (!spare_.empty()) {
        // A used batch keeps its buffers' capacity: no new pages to fault in.
        filling_ = std::move(spare_.back());
        spare_.pop_back();
    }
    filling_.clear();
    lock.unlock();
    changed_.notify_all();
    return true;
}

void RecordPrefetcher::run() {
    // This thread's own capture: the libraries' messages are per thread.
    LibraryLogCapture log;
    const int ret = tracecmd_iterate_events_multi(inputs_.data(), static_cast<int>(inputs_.size()), copy_record, this);
    if (ret != kStop && !filling_.records.empty()) hand_over();
    std::lock_guard lock(mutex_);
    if (!log.messages().empty()) {
        // A page that cannot be read ends its CPU's data early without an
        // error code; the message is the only sign of it.
        outcome_ = ReadProgress::failed;
        failure_ = "data section cannot be read (" + log.last() + ")";
    } else if (ret < 0 && ret != kStop) {
        outcome_ = ReadProgress::failed;
        failure_ = "libtracecmd failed while iterating the records";
    }
    finished_ = true;
    changed_.notify_all();
}

bool RecordPrefetcher::take_batch() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return finished_ || !ready_.empty(); });
    if (ready_.empty()) return false;
    spare_.push_back(std::move(current_));
    current_ = std::move(ready_.front());
    ready_.pop_front();
    lock.unlock();
    changed_.notify_all();
    for (std::size_t i = 0; i < current_.records.size(); ++i)
        current_.records[i].data = current_.data.data() + current_.data_at[i];
    next_ = 0;
    return true;
}

ReadProgress RecordPrefetcher::read(tep_handle* tep, RecordSink& sink) {
    for (;;) {
        while (next_ < current_.records.size())
            if (!sink.take(tep, current_.records[next_++])) return ReadProgress::paused;
        if (!take_batch()) break;
    }
    std::lock_guard lock(mutex_);
    return outcome_;
}

}  // namespace pasidtrace::sources::tracedat
