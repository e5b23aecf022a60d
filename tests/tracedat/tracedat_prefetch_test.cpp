// SPDX-License-Identifier: GPL-2.0-only
// The read-ahead thread hands over exactly the records libtracecmd gives,
// in its order, whatever the batch size and wherever the consumer pauses;
// and a consumer that leaves early stops it.
#include "sources/tracedat_prefetch.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sources/tracedat_libtracecmd.hpp"
#include "tracedat_test_support.hpp"

namespace pasidtrace::tracedat_test {
namespace {

using sources::tracedat::ReadProgress;
using sources::tracedat::RecordPrefetcher;
using sources::tracedat::RecordSink;

// What identifies a record and its content.
struct Seen {
    unsigned long long ts;
    int cpu;
    unsigned long long offset;
    std::string data;
    bool operator==(const Seen&) const = default;
};

Seen seen(const tep_record& r) {
    return {r.ts, r.cpu, r.offset, std::string(static_cast<const char*>(r.data), static_cast<std::size_t>(r.size))};
}

// The file's top buffer and its instances, opened as TraceDatFile does.
class OpenFile {
public:
    explicit OpenFile(const std::string& path) {
        top_ = tracecmd_open(path.c_str(), TRACECMD_FL_LOAD_NO_PLUGINS);
        if (!top_) return;
        inputs_.push_back(top_);
        for (int i = 0; i < tracecmd_buffer_instances(top_); ++i)
            inputs_.push_back(tracecmd_buffer_instance_handle(top_, i));
    }
    ~OpenFile() {
        while (!inputs_.empty()) {
            tracecmd_close(inputs_.back());
            inputs_.pop_back();
        }
    }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    bool ok() const { return top_ != nullptr; }
    const std::vector<tracecmd_input*>& inputs() const { return inputs_; }
    tep_handle* tep() const { return tracecmd_get_tep(top_); }

private:
    tracecmd_input* top_ = nullptr;
    std::vector<tracecmd_input*> inputs_;
};

// Straight from libtracecmd, no thread: the truth.
std::vector<Seen> read_directly(const std::string& path) {
    OpenFile file(path);
    EXPECT_TRUE(file.ok());
    std::vector<Seen> out;
    auto take = [](tracecmd_input*, tep_record* r, int, void* all) {
        static_cast<std::vector<Seen>*>(all)->push_back(seen(*r));
        return 0;
    };
    auto inputs = file.inputs();
    tracecmd_iterate_events_multi(inputs.data(), static_cast<int>(inputs.size()), take, &out);
    return out;
}

class Collector final : public RecordSink {
public:
    explicit Collector(std::size_t pause_every) : pause_every_(pause_every) {}
    bool take(tep_handle*, const tep_record& r) override {
        records.push_back(seen(r));
        return pause_every_ == 0 || records.size() % pause_every_ != 0;
    }
    std::vector<Seen> records;

private:
    std::size_t pause_every_;
};

std::vector<Seen> read_prefetched(const std::string& path, std::size_t batch, std::size_t pause_every) {
    OpenFile file(path);
    EXPECT_TRUE(file.ok());
    RecordPrefetcher prefetch(file.inputs(), batch);
    Collector sink(pause_every);
    ReadProgress progress;
    while ((progress = prefetch.read(file.tep(), sink)) == ReadProgress::paused) {}
    EXPECT_EQ(progress, ReadProgress::end) << prefetch.failure();
    return sink.records;
}

TEST(TraceDatPrefetch, HandsOverExactlyWhatLibtracecmdReads) {
    for (const char* name : {"processes.dat", "sva-probes.dat"}) {
        const std::string path = fixture(name).string();
        const std::vector<Seen> truth = read_directly(path);
        ASSERT_GT(truth.size(), 20u) << name;  // several batches of 7
        // One batch for everything, batches that end anywhere, pauses inside
        // and across batches.
        EXPECT_TRUE(read_prefetched(path, RecordPrefetcher::kDefaultBatchRecords, 0) == truth) << name;
        EXPECT_TRUE(read_prefetched(path, 7, 0) == truth) << name;
        EXPECT_TRUE(read_prefetched(path, 7, 1) == truth) << name;
        EXPECT_TRUE(read_prefetched(path, 1, 5) == truth) << name;
    }
}

// The thread waits on a full queue; leaving must wake and stop it.
TEST(TraceDatPrefetch, LeavingEarlyStopsTheThread) {
    OpenFile file(fixture("processes.dat").string());
    ASSERT_TRUE(file.ok());
    {
        RecordPrefetcher prefetch(file.inputs(), 1);
        Collector sink(2);
        EXPECT_EQ(prefetch.read(file.tep(), sink), ReadProgress::paused);
        EXPECT_EQ(sink.records.size(), 2u);
    }
    SUCCEED() << "the destructor returned";
}

}  // namespace
}  // namespace pasidtrace::tracedat_test
