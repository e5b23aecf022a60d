// SPDX-License-Identifier: GPL-2.0-only
// A trace.dat file opened with libtracecmd: its facts (uname, clock, buffer
// instances) and its records, read from the top buffer and every buffer
// instance (`trace-cmd record -B`, `extract -B`) together, all CPUs merged in
// timestamp order by tracecmd_iterate_events_multi().
//
// Records are handed to a RecordSink in batches: the sink says when it has
// enough, reading pauses there and the next read() resumes at the next
// record. libtracecmd reads ahead on a thread (tracedat_prefetch).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/error.hpp"

struct tep_handle;
struct tep_record;
struct tracecmd_input;

namespace pasidtrace::sources::tracedat {

// The file's own description of the recording.
struct FileFacts {
    std::optional<std::string> uname;    // trace-cmd's UNAME option: "Linux host 6.8.0-31-generic x86_64"
    std::optional<std::string> release;  // its third word
    std::optional<std::string> machine;  // its fourth word
    std::optional<std::string> clock;    // trace clock the ring buffer used
    std::vector<std::string> instances;  // buffer instance names, top buffer not included
    int format_parse_failures = 0;       // event formats libtraceevent could not parse
};

class RecordSink {
public:
    virtual ~RecordSink() = default;
    // Takes one record; the record and its data are valid only during the
    // call. Returns false to pause reading after this record.
    virtual bool take(tep_handle* tep, const tep_record& record) = 0;
};

enum class ReadProgress { paused, end, failed };

class RecordPrefetcher;

class TraceDatFile {
public:
    // Opens the file and its buffer instances; the error names the file and
    // carries what libtracecmd said, if anything.
    static std::variant<std::unique_ptr<TraceDatFile>, core::InputError> open(const std::string& path);
    ~TraceDatFile();
    TraceDatFile(const TraceDatFile&) = delete;
    TraceDatFile& operator=(const TraceDatFile&) = delete;

    const FileFacts& facts() const { return facts_; }
    // Every buffer's event formats live in the top handle's tep.
    tep_handle* tep() const;

    // Feeds records to the sink until it pauses or the data ends. failed:
    // libtracecmd reported a page it could not read (failure() says which),
    // so the records so far are all that could be trusted.
    ReadProgress read(RecordSink& sink);
    const std::string& failure() const;

private:
    struct InputCloser {
        void operator()(tracecmd_input* input) const;
    };
    using InputPtr = std::unique_ptr<tracecmd_input, InputCloser>;

    explicit TraceDatFile(InputPtr top);
    std::optional<std::string> open_instances();
    void read_facts();

    std::vector<InputPtr> inputs_;  // top buffer first, then the instances
    std::vector<tracecmd_input*> raw_inputs_;
    std::unique_ptr<RecordPrefetcher> prefetch_;  // started by the first read()
    FileFacts facts_;
};

}  // namespace pasidtrace::sources::tracedat
