// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_fields.hpp"

#include <cstring>

#include <event-parse.h>

namespace pasidtrace::sources::tracedat {
namespace {

std::string_view up_to_nul(const unsigned char* bytes, std::size_t size) {
    const char* text = reinterpret_cast<const char*>(bytes);
    const void* nul = std::memchr(text, '\0', size);
    return std::string_view(text, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - text) : size);
}

}  // namespace

RecordFields::RecordFields(const tep_record& record, bool swap_bytes)
    : data_(static_cast<const unsigned char*>(record.data)), size_(record.data ? record.size : 0), swap_(swap_bytes) {}

std::optional<std::string_view> RecordFields::text(const tep_format_field& field) const {
    if (!(field.flags & TEP_FIELD_IS_DYNAMIC)) {
        if (!contains(field.offset, field.size)) return std::nullopt;
        return up_to_nul(data_ + field.offset, static_cast<std::size_t>(field.size));
    }
    // A dynamic field holds a 32-bit locator: offset in the low half, length
    // in the high half; a __rel_loc offset counts from the field's end.
    auto locator = number(field);
    if (!locator) return std::nullopt;
    std::int64_t offset = static_cast<std::int64_t>(*locator & 0xffff);
    const std::int64_t length = static_cast<std::int64_t>((*locator >> 16) & 0xffff);
    if (field.flags & TEP_FIELD_IS_RELATIVE) offset += field.offset + field.size;
    if (!contains(offset, length)) return std::nullopt;
    return up_to_nul(data_ + offset, static_cast<std::size_t>(length));
}

std::int64_t as_signed(std::uint64_t value, int size) {
    if (size <= 0 || size >= 8) return static_cast<std::int64_t>(value);
    const int shift = 64 - 8 * size;
    return static_cast<std::int64_t>(value << shift) >> shift;
}

}  // namespace pasidtrace::sources::tracedat
