// SPDX-License-Identifier: GPL-2.0-only
#include "sources/native_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "sources/recording_payloads.hpp"

namespace pasidtrace::sources {

std::unique_ptr<NativeWriter> NativeWriter::create(const std::string& path, const RecordingHeader& header,
                                                   std::string& err) {
    // O_NOFOLLOW: the recorder runs as root and may be pointed at a shared
    // directory where someone else planted a link.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    // O_TRUNC keeps an existing file's mode, and the umask may narrow a new
    // one oddly: set it outright.
    if (!fd || ::fchmod(fd.get(), 0600) != 0) {
        err = path + ": " + std::strerror(errno);
        return nullptr;
    }
    std::unique_ptr<NativeWriter> w(new NativeWriter(std::move(fd), path));
    if (!w->write_bytes(recording::encode_preamble(to_json(header).dump()))) {
        err = w->error();
        return nullptr;
    }
    return w;
}

NativeWriter::NativeWriter(UniqueFd fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {
    events_chunk_.reserve(std::size_t{kRecordsPerChunk} * sizeof(pt_event));
}

NativeWriter::~NativeWriter() {
    if (usable()) flush();
}

bool NativeWriter::append(const pt_event& ev) {
    if (!usable()) return false;
    events_chunk_.append(&ev, sizeof ev);
    events_chunk_.add_count();
    ++events_;
    if (events_chunk_.count() < kRecordsPerChunk) return true;
    return write_chunk(events_chunk_);
}

bool NativeWriter::add_stack(std::uint32_t id, std::span<const std::uint64_t> ips) {
    if (!usable()) return false;
    recording::append_stack(stacks_chunk_, id, ips);
    return stacks_chunk_.payload_size() < kMaxTablePayload || write_chunk(stacks_chunk_);
}

bool NativeWriter::add_symbols(std::span<const KernelSymbol> symbols) {
    for (const KernelSymbol& sym : symbols) {
        if (!usable()) return false;
        recording::append_symbol(symbols_chunk_, sym);
        if (symbols_chunk_.payload_size() >= kMaxTablePayload && !write_chunk(symbols_chunk_)) return false;
    }
    return usable();
}

bool NativeWriter::flush() {
    if (!usable()) return false;
    for (recording::ChunkBuffer* chunk : {&events_chunk_, &stacks_chunk_, &symbols_chunk_})
        if (chunk->count() > 0 && !write_chunk(*chunk)) return false;
    return true;
}

bool NativeWriter::close(const RecordingTrailer& trailer) {
    if (!flush()) return false;
    recording::ChunkBuffer chunk(recording::ChunkKind::trailer);
    const recording::TrailerPayload counts{events_, trailer.lost, chunks_};
    chunk.append(&counts, sizeof counts);
    chunk.add_count();
    if (!write_chunk(chunk)) return false;
    // The trailer promises a complete file: make it so on disk before saying so.
    if (::fsync(fd_.get()) != 0) return fail("fsync");
    if (::close(fd_.release()) != 0) return fail("close");
    return true;
}

bool NativeWriter::write_chunk(recording::ChunkBuffer& chunk) {
    bool ok = write_bytes(chunk.seal());
    chunk.clear();
    if (ok) ++chunks_;
    return ok;
}

bool NativeWriter::write_bytes(std::string_view bytes) {
    // One write() per chunk; the loop only resumes after a signal or a short
    // write (a full disk), which leaves a torn chunk readers detect.
    while (!bytes.empty()) {
        errno = 0;
        ssize_t n = ::write(fd_.get(), bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("write");
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool NativeWriter::fail(const char* what) {
    if (error_.empty()) error_ = path_ + ": " + what + ": " + (errno ? std::strerror(errno) : "no progress");
    return false;
}

}  // namespace pasidtrace::sources
