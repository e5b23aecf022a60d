// SPDX-License-Identifier: GPL-2.0-only
#include "sources/recording_reader.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sources/crc32c.hpp"

namespace pasidtrace::sources::recording {
namespace {

constexpr const char* kDied = "the recorder stopped while writing it";

std::string count_of(std::size_t got, std::size_t want, const char* what) {
    return std::string(what) + " incomplete, " + std::to_string(got) + " of " + std::to_string(want) + " bytes";
}

std::FILE* open_file(const std::string& path) {
    if (path != "-") return std::fopen(path.c_str(), "rbe");
    int fd = ::dup(STDIN_FILENO);
    std::FILE* f = fd >= 0 ? ::fdopen(fd, "rb") : nullptr;
    if (!f && fd >= 0) ::close(fd);
    return f;
}

}  // namespace

std::variant<std::unique_ptr<RecordingReader>, core::InputError> RecordingReader::open(const std::string& path) {
    File file(open_file(path));
    if (!file) return core::InputError{path, 0, "", std::strerror(errno)};
    std::unique_ptr<RecordingReader> r(new RecordingReader(std::move(file), path));
    if (auto err = r->read_header()) return *err;
    return r;
}

core::InputError RecordingReader::error_at(std::uint64_t offset, std::string message) const {
    return core::InputError{path_, 0, "", "at byte " + std::to_string(offset) + ": " + std::move(message)};
}

std::optional<core::InputError> RecordingReader::read_header() {
    Preamble p{};
    const std::size_t got = read(&p, sizeof p);
    if (read_errno_) return error_at(got, std::strerror(read_errno_));
    if (got < kMagic.size() || std::string_view(p.magic, kMagic.size()) != kMagic)
        return core::InputError{path_, 0, "", "not a pasidtrace recording (bad magic at byte 0)"};
    if (got < sizeof p) return error_at(got, count_of(got, sizeof p, "recording header"));
    if (auto problem = check_preamble(p)) return error_at(problem->offset, problem->message);

    std::string text(p.header_len, '\0');
    const std::size_t text_got = read(text.data(), text.size());
    if (read_errno_) return error_at(offset_, std::strerror(read_errno_));
    if (text_got < text.size()) return error_at(offset_, count_of(text_got, text.size(), "recording header"));
    if (crc32c(text) != p.header_crc) return error_at(sizeof p, "recording header checksum mismatch");
    header_json_ = nlohmann::json::parse(text, nullptr, false);
    if (header_json_.is_discarded() || !header_json_.is_object())
        return error_at(sizeof p, "recording header is not a JSON object");
    return std::nullopt;
}

std::size_t RecordingReader::read(void* buf, std::size_t len) {
    const std::size_t n = std::fread(buf, 1, len, file_.get());
    offset_ += n;
    if (n < len && std::ferror(file_.get())) read_errno_ = errno ? errno : EIO;
    return n;
}

bool RecordingReader::next(Chunk& out) {
    while (!ended_) {
        ChunkHeader h{};
        out.offset = offset_;
        if (!read_chunk_header(h) || !read_payload(h, out)) return false;
        ++chunks_;
        if (out.kind == ChunkKind::trailer) {
            take_trailer(out);
            return false;
        }
        if (out.kind == ChunkKind::events) event_records_ += out.count;
        return true;
    }
    return false;
}

bool RecordingReader::read_chunk_header(ChunkHeader& h) {
    const std::uint64_t at = offset_;
    const std::size_t got = read(&h, sizeof h);
    if (got == 0) return stop(at, "no trailer: the recorder did not close it");
    if (got < sizeof h) return stop(at, count_of(got, sizeof h, "chunk header") + ": " + kDied);
    if (!chunk_header_sound(h)) return stop(at, "damaged chunk header");
    if (h.payload_len > kMaxPayload)
        return stop(at, "chunk payload of " + std::to_string(h.payload_len) + " bytes is over the limit");
    return true;
}

bool RecordingReader::read_payload(const ChunkHeader& h, Chunk& out) {
    const std::uint64_t at = offset_ - sizeof h;
    out.kind = static_cast<ChunkKind>(h.kind);
    out.count = h.count;
    out.payload.resize(h.payload_len);
    const std::size_t got = read(out.payload.data(), out.payload.size());
    if (got < h.payload_len) return stop(at, count_of(got, h.payload_len, "chunk payload") + ": " + kDied);
    if (crc32c(out.payload) != h.payload_crc) return stop(at, "chunk payload checksum mismatch");
    return true;
}

void RecordingReader::take_trailer(const Chunk& c) {
    ended_ = true;
    // Later versions may append fields; the first three are fixed.
    if (c.payload.size() < sizeof(TrailerPayload)) {
        stop_note_ = "trailer at byte " + std::to_string(c.offset) + " is too short";
        return;
    }
    TrailerPayload t{};
    std::memcpy(&t, c.payload.data(), sizeof t);
    trailer_ = t;
    if (t.events != event_records_ || t.chunks != chunks_ - 1)
        stop_note_ = "the trailer counts " + std::to_string(t.events) + " events in " + std::to_string(t.chunks) +
                     " chunks, the file holds " + std::to_string(event_records_) + " in " +
                     std::to_string(chunks_ - 1);
    char extra = 0;
    if (stop_note_.empty() && std::fread(&extra, 1, 1, file_.get()) == 1)
        stop_note_ = "data after the trailer at byte " + std::to_string(offset_) + " was ignored";
}

bool RecordingReader::stop(std::uint64_t at, const std::string& why) {
    ended_ = true;
    if (read_errno_) {
        error_ = error_at(offset_, std::string("read error: ") + std::strerror(read_errno_));
        return false;
    }
    stop_note_ = "recording ends at byte " + std::to_string(at) + " after " + std::to_string(chunks_) +
                 " complete chunk" + (chunks_ == 1 ? "" : "s") + " (" + why + ")";
    return false;
}

}  // namespace pasidtrace::sources::recording
