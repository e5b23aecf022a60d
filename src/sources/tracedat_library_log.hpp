// SPDX-License-Identifier: GPL-2.0-only
// What libtraceevent and libtracecmd would print about a file they cannot
// read ("bad page read", "bad page offset", ...). Those libraries report
// through one overridable printer, tep_vprint(); while a LibraryLogCapture
// is alive on a thread, that printer keeps the messages for the reader to
// put into an InputError instead of writing them to stderr, where they would
// be separated from the file name and from pasidtrace's exit status.
#pragma once

#include <string>
#include <vector>

namespace pasidtrace::sources::tracedat {

class LibraryLogCapture {
public:
    LibraryLogCapture();
    ~LibraryLogCapture();
    LibraryLogCapture(const LibraryLogCapture&) = delete;
    LibraryLogCapture& operator=(const LibraryLogCapture&) = delete;

    // Messages of warning level or worse, oldest first, "library: text".
    const std::vector<std::string>& messages() const { return messages_; }
    // The most recent message, empty when there is none.
    std::string last() const { return messages_.empty() ? std::string() : messages_.back(); }
    void clear() { messages_.clear(); }

    // Called by the printer override; keeps at most a few messages, since a
    // corrupt file can produce one per page.
    void keep(std::string message);

private:
    LibraryLogCapture* outer_;
    std::vector<std::string> messages_;
};

}  // namespace pasidtrace::sources::tracedat
