// SPDX-License-Identifier: GPL-2.0-only
#include "sources/recording_format.hpp"

#include <cstring>

#include "sources/crc32c.hpp"

namespace pasidtrace::sources::recording {

std::string encode_preamble(std::string_view header_json) {
    Preamble p{};
    std::memcpy(p.magic, kMagic.data(), sizeof p.magic);
    p.format_version = kFormatVersion;
    p.abi_version = PT_ABI_VERSION;
    p.record_size = PT_EVENT_SIZE;
    p.header_len = static_cast<std::uint32_t>(header_json.size());
    p.header_crc = crc32c(header_json);
    p.preamble_crc = crc32c(&p, offsetof(Preamble, preamble_crc));
    std::string out(reinterpret_cast<const char*>(&p), sizeof p);
    out.append(header_json);
    return out;
}

std::optional<PreambleProblem> check_preamble(const Preamble& p) {
    // The version first: a later version may lay the rest out differently.
    if (p.format_version != kFormatVersion)
        return PreambleProblem{offsetof(Preamble, format_version),
                               "unsupported recording format version " + std::to_string(p.format_version) +
                                   " (this pasidtrace reads version " + std::to_string(kFormatVersion) + ")"};
    if (p.preamble_crc != crc32c(&p, offsetof(Preamble, preamble_crc)))
        return PreambleProblem{offsetof(Preamble, preamble_crc), "recording header checksum mismatch"};
    if (p.abi_version != PT_ABI_VERSION)
        return PreambleProblem{offsetof(Preamble, abi_version),
                               "unsupported event ABI version " + std::to_string(p.abi_version) +
                                   " (this pasidtrace reads version " + std::to_string(PT_ABI_VERSION) + ")"};
    if (p.record_size != PT_EVENT_SIZE)
        return PreambleProblem{offsetof(Preamble, record_size),
                               "event record size " + std::to_string(p.record_size) + " does not match ABI version " +
                                   std::to_string(PT_ABI_VERSION) + " (" + std::to_string(PT_EVENT_SIZE) +
                                   " bytes)"};
    if (p.header_len > kMaxHeaderJson)
        return PreambleProblem{offsetof(Preamble, header_len),
                               "recording header length " + std::to_string(p.header_len) + " is implausible"};
    return std::nullopt;
}

ChunkBuffer::ChunkBuffer(ChunkKind kind) : kind_(kind), bytes_(sizeof(ChunkHeader), '\0') {}

std::string_view ChunkBuffer::seal() {
    ChunkHeader h{};
    h.magic = kChunkMagic;
    h.kind = static_cast<std::uint16_t>(kind_);
    h.payload_len = static_cast<std::uint32_t>(payload_size());
    h.count = count_;
    h.payload_crc = crc32c(bytes_.data() + sizeof h, payload_size());
    h.header_crc = crc32c(&h, offsetof(ChunkHeader, header_crc));
    std::memcpy(bytes_.data(), &h, sizeof h);
    return bytes_;
}

void ChunkBuffer::clear() {
    bytes_.resize(sizeof(ChunkHeader));
    count_ = 0;
}

bool chunk_header_sound(const ChunkHeader& h) {
    return h.magic == kChunkMagic && h.header_crc == crc32c(&h, offsetof(ChunkHeader, header_crc));
}

}  // namespace pasidtrace::sources::recording
