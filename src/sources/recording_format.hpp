// SPDX-License-Identifier: GPL-2.0-only
// The on-disk layout of a native recording (docs/recording-format.md):
//
//   preamble (32 bytes) | header JSON | chunk | chunk | ... | trailer chunk
//
// Every chunk is a 24-byte header and a payload, each with its own CRC32C, so
// a reader can tell a complete chunk from a torn or damaged one and keep
// everything before it. Integers are little-endian: the event records are
// the BPF programs' own structs, stored as the kernel wrote them.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pasidtrace/event_abi.h"

namespace pasidtrace::sources::recording {

static_assert(std::endian::native == std::endian::little,
              "native recordings store little-endian integers and raw pt_event records");
static_assert(sizeof(pt_event) == PT_EVENT_SIZE);
static_assert(offsetof(pt_event, ts) == 0 && offsetof(pt_event, ret) == 40 && offsetof(pt_event, type) == 48 &&
              offsetof(pt_event, flags) == 76 && offsetof(pt_event, stack_id) == 80 &&
              offsetof(pt_event, comm) == 88 && offsetof(pt_event, dev) == 104);

// 0x89 first: not ASCII, so the file can be neither JSON text, a '#'
// comment line nor a trace-cmd file, and a 7-bit transfer shows at once.
inline constexpr std::string_view kMagic{"\x89PASIDTR", 8};
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::uint32_t kChunkMagic = 0x4b435450;  // "PTCK" on disk

// Bounds a reader trusts before allocating: a damaged length must not
// become a huge allocation.
inline constexpr std::uint32_t kMaxHeaderJson = 1u << 20;
inline constexpr std::uint32_t kMaxPayload = 64u << 20;

struct Preamble {
    char magic[8];
    std::uint32_t format_version;
    std::uint32_t abi_version;   // PT_ABI_VERSION of the records
    std::uint32_t record_size;   // PT_EVENT_SIZE of the records
    std::uint32_t header_len;    // bytes of header JSON that follow
    std::uint32_t header_crc;    // CRC32C of the header JSON
    std::uint32_t preamble_crc;  // CRC32C of the 28 bytes before it
};
static_assert(sizeof(Preamble) == 32);
static_assert(offsetof(Preamble, format_version) == 8 && offsetof(Preamble, abi_version) == 12 &&
              offsetof(Preamble, record_size) == 16 && offsetof(Preamble, header_len) == 20 &&
              offsetof(Preamble, header_crc) == 24 && offsetof(Preamble, preamble_crc) == 28);

// Values are part of the format: never renumber. Readers skip unknown kinds.
enum class ChunkKind : std::uint16_t { events = 1, stacks = 2, symbols = 3, trailer = 4 };

struct ChunkHeader {
    std::uint32_t magic;        // kChunkMagic
    std::uint16_t kind;         // ChunkKind
    std::uint16_t reserved;     // 0
    std::uint32_t payload_len;  // bytes
    std::uint32_t count;        // records, stacks or symbols in the payload
    std::uint32_t payload_crc;  // CRC32C of the payload
    std::uint32_t header_crc;   // CRC32C of the 20 bytes before it
};
static_assert(sizeof(ChunkHeader) == 24);
static_assert(offsetof(ChunkHeader, kind) == 4 && offsetof(ChunkHeader, payload_len) == 8 &&
              offsetof(ChunkHeader, count) == 12 && offsetof(ChunkHeader, payload_crc) == 16 &&
              offsetof(ChunkHeader, header_crc) == 20);

// Payload of the trailer chunk (count 1): written only by a clean close.
struct TrailerPayload {
    std::uint64_t events;  // records in all events chunks
    std::uint64_t lost;    // events the recorder knows it dropped
    std::uint64_t chunks;  // chunks before the trailer
};
static_assert(sizeof(TrailerPayload) == 24);

// Preamble and header JSON, ready to be written.
std::string encode_preamble(std::string_view header_json);
// The preamble's own checks (magic aside): nullopt when sound, else what is
// wrong and the byte offset of the offending field.
struct PreambleProblem {
    std::uint64_t offset;
    std::string message;
};
std::optional<PreambleProblem> check_preamble(const Preamble& p);

// A chunk being built: room for its header, then the payload; sealed in
// place so that the whole chunk goes out in one write().
class ChunkBuffer {
public:
    explicit ChunkBuffer(ChunkKind kind);
    void append(const void* data, std::size_t len) { bytes_.append(static_cast<const char*>(data), len); }
    void reserve(std::size_t payload) { bytes_.reserve(sizeof(ChunkHeader) + payload); }
    void add_count() { ++count_; }
    std::uint32_t count() const { return count_; }
    std::size_t payload_size() const { return bytes_.size() - sizeof(ChunkHeader); }
    // Fills in the header; the view stays valid until the next change.
    std::string_view seal();
    void clear();

private:
    ChunkKind kind_;
    std::uint32_t count_ = 0;
    std::string bytes_;
};

// True when the header's magic and CRC hold.
bool chunk_header_sound(const ChunkHeader& h);

}  // namespace pasidtrace::sources::recording
