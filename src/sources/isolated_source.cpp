// SPDX-License-Identifier: GPL-2.0-only
#include "sources/isolated_source.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sources/event_wire.hpp"

namespace pasidtrace::sources {

enum class IsolatedSource::Tag : std::uint8_t { header = 1, events = 2, end = 3, error = 4 };
using Tag = IsolatedSource::Tag;

namespace {

// Events are sent in frames of about this size: few enough writes to cost
// nothing per event, small enough that the analysis starts at once.
constexpr std::size_t kEventsFrameBytes = 256 * 1024;
// No frame of ours comes near this; a larger length is a broken pipe protocol.
constexpr std::uint32_t kMaxFrameBytes = 64u << 20;
// Room for several frames in the pipe, so the reader rarely waits for the analysis.
constexpr int kPipeBytes = 1 << 20;

// A frame is its tag, its payload's length (host order: both ends are this
// binary) and the payload; senders build it behind room for the first two.
constexpr std::size_t kFrameHead = 5;

std::string new_frame() { return std::string(kFrameHead, '\0'); }

bool send(int fd, Tag tag, std::string& frame) {
    frame[0] = static_cast<char>(tag);
    const auto size = static_cast<std::uint32_t>(frame.size() - kFrameHead);
    std::memcpy(frame.data() + 1, &size, sizeof size);
    for (std::size_t sent = 0; sent < frame.size();) {
        const ssize_t n = ::write(fd, frame.data() + sent, frame.size() - sent);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        sent += static_cast<std::size_t>(n);
    }
    return true;
}

bool send_message(int fd, Tag tag, const nlohmann::json& message) {
    // Text from the file (uname, instance names, the libraries' messages)
    // need not be UTF-8; JSON must be, and the reports downstream are JSON.
    std::string frame = new_frame() + message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return send(fd, tag, frame);
}

// Bytes read into `data` before the end of the pipe (or an error).
std::size_t receive(int fd, char* data, std::size_t size) {
    std::size_t got = 0;
    while (got < size) {
        const ssize_t n = ::read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
    }
    return got;
}

void send_events(int fd, EventSource& source) {
    std::string frame = new_frame();
    frame.reserve(kFrameHead + kEventsFrameBytes + 4096);
    core::Event event;
    ReadStatus status;
    while ((status = source.next(event)) == ReadStatus::event) {
        wire::append_event(event, frame);
        if (frame.size() - kFrameHead < kEventsFrameBytes) continue;
        if (!send(fd, Tag::events, frame)) return;
        frame.resize(kFrameHead);
    }
    if (frame.size() > kFrameHead && !send(fd, Tag::events, frame)) return;
    if (status == ReadStatus::end)
        send_message(fd, Tag::end, {{"skipped", source.counters().skipped}, {"warning", source.warning()}});
    else
        send_message(fd, Tag::error, wire::error_to_json(source.error()));
}

// The child's whole life: nothing of the parent's (stdio buffers, atexit
// handlers) runs at its exit.
[[noreturn]] void run_child(int fd, const std::string& path, const IsolatedSource::Opener& opener) {
    try {
        auto opened = opener(path);
        if (auto* error = std::get_if<core::InputError>(&opened)) {
            send_message(fd, Tag::error, wire::error_to_json(*error));
            ::_exit(0);
        }
        EventSource& source = *std::get<std::unique_ptr<EventSource>>(opened);
        const nlohmann::json header = {{"header", wire::header_to_json(source.header())},
                                       {"in_ts_order", source.in_ts_order()}};
        if (send_message(fd, Tag::header, header)) send_events(fd, source);
        ::_exit(0);
    } catch (const std::exception& e) {
        send_message(fd, Tag::error, wire::error_to_json({path, 0, {}, std::string("its reader failed: ") + e.what()}));
        ::_exit(3);
    } catch (...) {
        ::_exit(3);
    }
}

std::string describe(int status) {
    if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
    return "exit status " + std::to_string(WEXITSTATUS(status));
}

}  // namespace

std::variant<std::unique_ptr<IsolatedSource>, core::InputError> IsolatedSource::open(const std::string& path,
                                                                                       const Opener& opener,
                                                                                       std::string what) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0)
        return core::InputError{path, 0, {}, std::string("cannot start its reader: pipe: ") + std::strerror(errno)};
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    ::fcntl(write_end.get(), F_SETPIPE_SZ, kPipeBytes);  // a smaller pipe only costs more switches
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0)
        return core::InputError{path, 0, {}, std::string("cannot start its reader: fork: ") + std::strerror(errno)};
    if (child == 0) {
        // A reader whose parent was killed would read on to no one.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(1);  // it was gone before the line above
        read_end.reset();
        run_child(write_end.get(), path, opener);
    }
    write_end.reset();  // the pipe ends when the child's copy closes
    std::unique_ptr<IsolatedSource> source(new IsolatedSource(path, std::move(what), child, std::move(read_end)));
    switch (source->read_frame()) {
    case Frame::header: return source;
    case Frame::events:
    case Frame::end: return core::InputError{path, 0, {}, source->what_ + " sent events before its header"};
    case Frame::error:
    case Frame::gone: break;
    }
    return source->error_;
}

IsolatedSource::IsolatedSource(std::string path, std::string what, pid_t child, UniqueFd from_child)
    : path_(std::move(path)), what_(std::move(what)), child_(child), from_child_(std::move(from_child)) {}

IsolatedSource::~IsolatedSource() {
    from_child_.reset();
    if (child_ > 0) {
        // Stopped before the end (an error downstream): the reader is not needed.
        ::kill(child_, SIGKILL);
        while (::waitpid(child_, nullptr, 0) < 0 && errno == EINTR) {}
    }
}

ReadStatus IsolatedSource::fail(core::InputError error) {
    error_ = std::move(error);
    done_ = true;
    return ReadStatus::error;
}

int IsolatedSource::reap() {
    from_child_.reset();
    int status = 0;
    // Sent its last frame, or closed the pipe without one: nothing more is
    // wanted of it, and a child that is still there must not hang us. (A
    // child that exited keeps its status: killing a zombie changes nothing.)
    ::kill(child_, SIGKILL);
    while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {}
    child_ = -1;
    return status;
}

// The pipe ended without an end or error frame.
core::InputError IsolatedSource::child_died() {
    const int status = reap();
    // What the child had read past the last frame it sent dies with it.
    const std::string where = last_line_        ? "after record " + std::to_string(last_line_)
                              : header_received_ ? "before its first event"
                                                 : "while opening the file";
    return {path_, 0, {}, what_ + " died (" + describe(status) + ") " + where +
                              ": the file is corrupt in a way its libraries do not check"};
}

IsolatedSource::Frame IsolatedSource::read_frame() {
    at_ = 0;
    frame_.clear();
    char head[kFrameHead];
    std::uint32_t size = 0;
    if (receive(from_child_.get(), head, sizeof head) != sizeof head) {
        error_ = child_died();
        return Frame::gone;
    }
    std::memcpy(&size, head + 1, sizeof size);
    if (size > kMaxFrameBytes) return broken_frame();
    frame_.resize(size);
    if (receive(from_child_.get(), frame_.data(), size) != size) {
        error_ = child_died();
        return Frame::gone;
    }
    const auto tag = static_cast<Tag>(head[0]);
    if (tag == Tag::events) return Frame::events;
    at_ = frame_.size();  // not events: nothing in it for next()
    try {
        return take_message(tag, nlohmann::json::parse(frame_));
    } catch (const nlohmann::json::exception&) {
        return broken_frame();
    }
}

IsolatedSource::Frame IsolatedSource::take_message(Tag tag, const nlohmann::json& message) {
    switch (tag) {
    case Tag::header:
        header_ = wire::header_from_json(message.at("header"));
        in_ts_order_ = message.at("in_ts_order").get<bool>();
        header_received_ = true;
        return Frame::header;
    case Tag::end:
        counters_.skipped = message.at("skipped").get<std::uint64_t>();
        warning_ = message.at("warning").get<std::string>();
        reap();
        return Frame::end;
    case Tag::error: error_ = wire::error_from_json(message); reap(); return Frame::error;
    case Tag::events: break;
    }
    return broken_frame();
}

IsolatedSource::Frame IsolatedSource::broken_frame() {
    error_ = core::InputError{path_, 0, {}, what_ + " sent a broken frame"};
    return Frame::error;
}

ReadStatus IsolatedSource::next(core::Event& out) {
    while (!done_ && at_ >= frame_.size()) {
        switch (read_frame()) {
        case Frame::events: break;
        case Frame::end: done_ = true; return ReadStatus::end;
        case Frame::header: return fail({path_, 0, {}, what_ + " sent a second header"});
        case Frame::error:
        case Frame::gone: done_ = true; return ReadStatus::error;
        }
    }
    if (done_) return error_.message.empty() ? ReadStatus::end : ReadStatus::error;
    if (!wire::read_event(frame_, at_, out)) return fail({path_, 0, {}, what_ + " sent a broken event"});
    last_line_ = out.pos.line;
    return ReadStatus::event;
}

}  // namespace pasidtrace::sources
