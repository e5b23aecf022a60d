// SPDX-License-Identifier: GPL-2.0-only
// Reads one field of one ring-buffer record, by a field handle resolved once
// per event format. Every read is checked against the record's size, so a
// corrupt record becomes an error instead of a read past its end.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

#include <event-parse.h>

namespace pasidtrace::sources::tracedat {

class RecordFields {
public:
    // `swap_bytes`: the file's byte order is not this machine's.
    RecordFields(const tep_record& record, bool swap_bytes);

    // An integer field of 1, 2, 4 or 8 bytes in the file's byte order;
    // nullopt when it lies outside the record.
    // Inline, and without tep_read_number_field(): reading fields is most of
    // the cost of decoding a record, a million times over.
    std::optional<std::uint64_t> number(const tep_format_field& field) const {
        if (!contains(field.offset, field.size)) return std::nullopt;
        const unsigned char* at = data_ + field.offset;
        switch (field.size) {
        case 1: return *at;
        case 2: return read_as<std::uint16_t>(at);
        case 4: return read_as<std::uint32_t>(at);
        case 8: return read_as<std::uint64_t>(at);
        default: return std::nullopt;
        }
    }
    // A `char name[N]` field up to its first NUL, or a `__data_loc` /
    // `__rel_loc char[]` field; nullopt when it points outside the record.
    std::optional<std::string_view> text(const tep_format_field& field) const;

private:
    bool contains(std::int64_t offset, std::int64_t size) const {
        return offset >= 0 && size >= 0 && offset + size <= size_;
    }
    template <typename T>
    std::uint64_t read_as(const unsigned char* at) const {
        T value;
        std::memcpy(&value, at, sizeof value);
        if (!swap_) return value;
        if constexpr (sizeof(T) == 2) return __builtin_bswap16(value);
        if constexpr (sizeof(T) == 4) return __builtin_bswap32(value);
        return __builtin_bswap64(value);
    }

    const unsigned char* data_;
    std::int64_t size_;
    bool swap_;
};

// Sign-extends a number read from a field of `size` bytes (pid_t, int).
std::int64_t as_signed(std::uint64_t value, int size);

}  // namespace pasidtrace::sources::tracedat
