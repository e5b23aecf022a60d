// SPDX-License-Identifier: GPL-2.0-only
// Reads one field of one ring-buffer record, by a field handle resolved once
// per event format. Every read is checked against the record's size, so a
// corrupt record becomes an error instead of a read past its end.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

struct tep_format_field;
struct tep_record;

namespace pasidtrace::sources::tracedat {

class RecordFields {
public:
    explicit RecordFields(const tep_record& record);

    // An integer field of 1, 2, 4 or 8 bytes in the file's byte order;
    // nullopt when it lies outside the record.
    std::optional<std::uint64_t> number(const tep_format_field& field) const;
    // A `char name[N]` field up to its first NUL, or a `__data_loc` /
    // `__rel_loc char[]` field; nullopt when it points outside the record.
    std::optional<std::string_view> text(const tep_format_field& field) const;

private:
    bool contains(std::int64_t offset, std::int64_t size) const;

    const unsigned char* data_;
    std::int64_t size_;
};

// Sign-extends a number read from a field of `size` bytes (pid_t, int).
std::int64_t as_signed(std::uint64_t value, int size);

}  // namespace pasidtrace::sources::tracedat
