// SPDX-License-Identifier: GPL-2.0-only
#include "sources/tracedat_file.hpp"

#include <dlfcn.h>

#include <cstring>
#include <sstream>

#include "sources/tracedat_libtracecmd.hpp"

#include "sources/tracedat_library_log.hpp"
#include "sources/tracedat_prefetch.hpp"

namespace pasidtrace::sources::tracedat {
namespace {

// libtracecmd 1.3 exports these but declares them only in trace-cmd's
// private header, so they are looked up at run time: a library without
// them costs the kernel release, clock and parse-failure count, not the
// ability to read.
using StringGetter = const char* (*)(tracecmd_input*);

std::optional<std::string> call_private_getter(const char* symbol, tracecmd_input* input) {
    void* fn = ::dlsym(RTLD_DEFAULT, symbol);
    if (!fn) return std::nullopt;
    StringGetter getter;
    static_assert(sizeof getter == sizeof fn);
    std::memcpy(&getter, &fn, sizeof fn);
    const char* value = getter(input);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

std::optional<int> call_private_counter(const char* symbol, tracecmd_input* input) {
    void* fn = ::dlsym(RTLD_DEFAULT, symbol);
    if (!fn) return std::nullopt;
    int (*counter)(tracecmd_input*);
    static_assert(sizeof counter == sizeof fn);
    std::memcpy(&counter, &fn, sizeof fn);
    return counter(input);
}

std::optional<std::string> word_of(const std::string& text, std::size_t index) {
    std::istringstream words(text);
    std::string word;
    for (std::size_t i = 0; words >> word; ++i)
        if (i == index) return word;
    return std::nullopt;
}

constexpr int kOpenFlags = TRACECMD_FL_LOAD_NO_PLUGINS | TRACECMD_FL_LOAD_NO_SYSTEM_PLUGINS;

// tracecmd_open() says only "no"; tracecmd_open_head(), which stops after
// the file's headers, tells a bad header from a bad later section.
std::string open_failure_text(const std::string& path, const LibraryLogCapture& log) {
    std::string text = "cannot be read as a trace.dat file: ";
    if (tracecmd_input* head = tracecmd_open_head(path.c_str(), kOpenFlags)) {
        tracecmd_close(head);
        text += "its headers read, but its options, formats or data do not (truncated or corrupt)";
    } else {
        text +=
            "its file header does not read (truncated, corrupt, or a trace-cmd file version this "
            "libtracecmd does not know)";
    }
    if (!log.messages().empty()) text += "; " + log.last();
    return text;
}

}  // namespace

void TraceDatFile::InputCloser::operator()(tracecmd_input* input) const { tracecmd_close(input); }

TraceDatFile::TraceDatFile(InputPtr top) {
    raw_inputs_.push_back(top.get());
    inputs_.push_back(std::move(top));
}

TraceDatFile::~TraceDatFile() {
    prefetch_.reset();  // its thread reads the inputs
    // Instances hold a reference to the top handle: close them first.
    while (!inputs_.empty()) inputs_.pop_back();
}

std::variant<std::unique_ptr<TraceDatFile>, core::InputError> TraceDatFile::open(const std::string& path) {
    LibraryLogCapture log;
    // No plugins: they only change how events print, and loading them from
    // the system would make the reader depend on what else is installed.
    InputPtr top(tracecmd_open(path.c_str(), kOpenFlags));
    if (!top) return core::InputError{path, 0, {}, open_failure_text(path, log)};
    std::unique_ptr<TraceDatFile> file(new TraceDatFile(std::move(top)));
    if (tep_get_events_count(file->tep()) <= 0)
        return core::InputError{path, 0, {}, "has no event formats section: not a usable trace.dat file"};
    if (auto problem = file->open_instances()) return core::InputError{path, 0, {}, *problem};
    file->read_facts();
    return file;
}

std::optional<std::string> TraceDatFile::open_instances() {
    const int count = tracecmd_buffer_instances(inputs_.front().get());
    for (int i = 0; i < count; ++i) {
        const char* name = tracecmd_buffer_instance_name(inputs_.front().get(), i);
        InputPtr instance(tracecmd_buffer_instance_handle(inputs_.front().get(), i));
        if (!instance) return "buffer instance " + std::string(name ? name : std::to_string(i)) + " cannot be read";
        facts_.instances.emplace_back(name ? name : "");
        raw_inputs_.push_back(instance.get());
        inputs_.push_back(std::move(instance));
    }
    return std::nullopt;
}

void TraceDatFile::read_facts() {
    tracecmd_input* top = inputs_.front().get();
    facts_.uname = call_private_getter("tracecmd_get_uname", top);
    if (facts_.uname) {
        facts_.release = word_of(*facts_.uname, 2);
        facts_.machine = word_of(*facts_.uname, 3);
    }
    // Event formats libtraceevent could not parse are missing from the
    // tep: if one of ours is among them, it reads as not recorded.
    facts_.format_parse_failures = call_private_counter("tracecmd_get_parsing_failures", top).value_or(0);
    facts_.clock = call_private_getter("tracecmd_get_trace_clock", top);
    if (facts_.clock) {
        // The file stores the whole trace_clock line, "[local] global ...":
        // the selected clock is the bracketed one.
        auto open = facts_.clock->find('[');
        auto close = facts_.clock->find(']');
        if (open != std::string::npos && close != std::string::npos && close > open)
            facts_.clock = facts_.clock->substr(open + 1, close - open - 1);
    }
}

tep_handle* TraceDatFile::tep() const { return tracecmd_get_tep(inputs_.front().get()); }

ReadProgress TraceDatFile::read(RecordSink& sink) {
    if (!prefetch_) prefetch_ = std::make_unique<RecordPrefetcher>(raw_inputs_);
    return prefetch_->read(tep(), sink);
}

const std::string& TraceDatFile::failure() const {
    static const std::string none;
    return prefetch_ ? prefetch_->failure() : none;
}

}  // namespace pasidtrace::sources::tracedat
