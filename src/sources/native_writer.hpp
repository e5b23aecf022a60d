// SPDX-License-Identifier: GPL-2.0-only
// Writes a native recording (docs/recording-format.md). The recorder's whole
// interface to the file:
//
//   std::string err;
//   auto w = NativeWriter::create(path, header, err);   // nullptr + err on failure
//   w->append(ev);                // per ring-buffer record; a full chunk is written at once
//   w->flush();                   // about once a second: bounds what a SIGKILL can lose
//   w->add_stack(id, ips);        // stacks and symbols go out with the next flush
//   w->add_symbols(syms);         //   (read_kallsyms_covering() finds them at close)
//   w->close({.lost = n});        // flush, trailer, fsync: the recording is complete
//
// Each chunk leaves in one write(), so a process killed at any point leaves
// whole chunks and at most one torn chunk at the end, which readers detect
// and cut off. Every call returns false once a write failed; error() says
// why, and the writer ignores later calls. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pasidtrace/event_abi.h"
#include "sources/kallsyms.hpp"
#include "sources/recording_format.hpp"
#include "sources/recording_header.hpp"
#include "sources/unique_fd.hpp"

namespace pasidtrace::sources {

class NativeWriter {
public:
    static constexpr std::uint32_t kRecordsPerChunk = 4096;  // 512 KiB chunks
    // Stacks and symbols chunks are cut at this size to keep readers' buffers small.
    static constexpr std::size_t kMaxTablePayload = 1u << 20;

    // Creates (or truncates) `path` with mode 0600, since it will hold kernel
    // addresses, and writes the header. A symlink at `path` is refused.
    static std::unique_ptr<NativeWriter> create(const std::string& path, const RecordingHeader& header,
                                                std::string& err);
    // Without close() the buffered chunks are still written, but no trailer:
    // the file reads like the recording of a recorder that died.
    ~NativeWriter();
    NativeWriter(const NativeWriter&) = delete;
    NativeWriter& operator=(const NativeWriter&) = delete;

    bool append(const pt_event& ev);
    bool add_stack(std::uint32_t id, std::span<const std::uint64_t> ips);
    bool add_symbols(std::span<const KernelSymbol> symbols);
    // Writes what is buffered: the events chunk, then stacks and symbols.
    bool flush();
    // flush(), the trailer, fsync(), close(). The writer takes no more calls.
    bool close(const RecordingTrailer& trailer);

    const std::string& error() const { return error_; }
    std::uint64_t events() const { return events_; }

private:
    NativeWriter(UniqueFd fd, std::string path);
    bool write_chunk(recording::ChunkBuffer& chunk);
    bool write_bytes(std::string_view bytes);
    bool fail(const char* what);
    bool usable() const { return fd_ && error_.empty(); }

    UniqueFd fd_;
    std::string path_;
    std::string error_;
    recording::ChunkBuffer events_chunk_{recording::ChunkKind::events};
    recording::ChunkBuffer stacks_chunk_{recording::ChunkKind::stacks};
    recording::ChunkBuffer symbols_chunk_{recording::ChunkKind::symbols};
    std::uint64_t events_ = 0;
    std::uint64_t chunks_ = 0;
};

}  // namespace pasidtrace::sources
