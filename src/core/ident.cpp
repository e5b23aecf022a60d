// SPDX-License-Identifier: GPL-2.0-only
#include "core/ident.hpp"

#include <cstdio>

namespace pasidtrace::core {

std::string Ident::to_string() const {
    switch (kind_) {
    case Kind::absent: return {};
    case Kind::number: return std::to_string(num_);
    case Kind::text: return text_;
    case Kind::address: {
        char buf[24];
        std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(num_));
        return buf;
    }
    }
    return {};
}

Ident Ident::text(std::string s) {
    // Canonical address spelling: 0x, 1..16 lowercase hex digits, no leading 0.
    if (s.size() > 2 && s.size() <= 18 && s[0] == '0' && s[1] == 'x' && s[2] != '0') {
        std::uint64_t v = 0;
        bool canonical = true;
        for (std::size_t i = 2; i < s.size() && canonical; ++i) {
            char c = s[i];
            if (c >= '0' && c <= '9') v = v << 4 | static_cast<std::uint64_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v = v << 4 | static_cast<std::uint64_t>(c - 'a' + 10);
            else canonical = false;
        }
        if (canonical) return address(v);
    }
    return Ident(Kind::text, 0, std::move(s));
}

std::size_t Ident::hash() const {
    switch (kind_) {
    case Kind::absent: return 0;
    case Kind::number: return std::hash<std::uint64_t>{}(num_) ^ 0x9e3779b97f4a7c15ULL;
    case Kind::text: return std::hash<std::string>{}(text_);
    case Kind::address: return std::hash<std::uint64_t>{}(num_);
    }
    return 0;
}

}  // namespace pasidtrace::core
