// SPDX-License-Identifier: GPL-2.0-only
// An opaque object identifier (mm, handle, dev): a string or an unsigned
// integer. The contract compares identifiers by plain JSON equality, so a
// string never equals a number ("0x10" != 16). Kernel addresses read from a
// binary source are numbers rendered as hex strings: they are stored as
// Kind::address so that a recording converted to JSON Lines and read back
// compares the same way it did before. A text that is the canonical spelling
// of an address ("0x" and lowercase hex, no leading zero) is stored as that
// address, so both spellings meet and hashing stays numeric.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace pasidtrace::core {

class Ident {
public:
    enum class Kind : std::uint8_t { absent, number, text, address };

    Ident() = default;
    static Ident number(std::uint64_t v) { return Ident(Kind::number, v, {}); }
    static Ident address(std::uint64_t v) { return Ident(Kind::address, v, {}); }
    static Ident text(std::string s);

    Kind kind() const { return kind_; }
    bool present() const { return kind_ != Kind::absent; }
    explicit operator bool() const { return present(); }
    std::uint64_t value() const { return num_; }
    const std::string& str() const { return text_; }

    // How the identifier is written in JSON: a number stays a number, an
    // address becomes "0x...", a text is itself.
    std::string to_string() const;

    friend bool operator==(const Ident& a, const Ident& b) {
        if (a.kind_ != b.kind_) return false;
        if (a.kind_ == Kind::text) return a.text_ == b.text_;
        return a.num_ == b.num_;
    }

    std::size_t hash() const;

private:
    Ident(Kind k, std::uint64_t n, std::string s) : kind_(k), num_(n), text_(std::move(s)) {}
    Kind kind_ = Kind::absent;
    std::uint64_t num_ = 0;
    std::string text_;
};

struct IdentHash {
    std::size_t operator()(const Ident& id) const { return id.hash(); }
};

}  // namespace pasidtrace::core
