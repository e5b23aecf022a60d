// SPDX-License-Identifier: GPL-2.0-only
// Reads a trace.dat's records on a thread of its own and hands them over in
// batches, so that libtracecmd's part (decompressing pages, merging the
// CPUs) and pasidtrace's part (decoding, mapping) run on two cores.
//
// Each record is copied (its header fields and its data) as the library
// hands it out, because the library frees it after the callback. The thread
// touches only the input handles; the consumer touches only the tep's event
// formats and saved cmdlines, which iteration never changes.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <event-parse.h>

#include "sources/tracedat_file.hpp"

struct tracecmd_input;

namespace pasidtrace::sources::tracedat {

class RecordPrefetcher {
public:
    static constexpr std::size_t kDefaultBatchRecords = 4096;

    // Starts reading `inputs` (all buffers, merged by ts) at once, handing
    // records over `batch_records` at a time.
    explicit RecordPrefetcher(std::vector<tracecmd_input*> inputs, std::size_t batch_records = kDefaultBatchRecords);
    // Stops the thread; the inputs must outlive the prefetcher.
    ~RecordPrefetcher();
    RecordPrefetcher(const RecordPrefetcher&) = delete;
    RecordPrefetcher& operator=(const RecordPrefetcher&) = delete;

    // Same contract as TraceDatFile::read().
    ReadProgress read(tep_handle* tep, RecordSink& sink);
    const std::string& failure() const { return failure_; }

private:
    struct Batch {
        std::vector<tep_record> records;  // data pointers set when the batch is taken
        std::vector<std::size_t> data_at;
        std::string data;
        void clear() {
            records.clear();
            data_at.clear();
            data.clear();
        }
    };

    static int copy_record(tracecmd_input* input, tep_record* record, int cpu, void* self);
    void run();
    bool hand_over();  // false: stop asked
    bool take_batch();  // false: no batch will come

    std::vector<tracecmd_input*> inputs_;
    std::size_t batch_records_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Batch> ready_;   // guarded by mutex_
    std::vector<Batch> spare_;  // guarded: taken batches, for their buffers
    bool finished_ = false;    // guarded: the thread ended, ready_ holds all that is left
    bool stop_ = false;        // guarded: the consumer is gone
    ReadProgress outcome_ = ReadProgress::end;  // guarded, valid once finished_
    std::string failure_;                       // guarded until finished_, then the consumer's

    Batch filling_;  // the thread's
    Batch current_;  // the consumer's
    std::size_t next_ = 0;
    std::thread thread_;
};

}  // namespace pasidtrace::sources::tracedat
