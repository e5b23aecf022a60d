// SPDX-License-Identifier: GPL-2.0-only
// A source run in a child process: what it says reaches the parent whole
// (header, events across many frames, counters, warning, its errors), and
// its death, at any point, becomes an error naming the file.
#include "sources/isolated_source.hpp"

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "event_test_util.hpp"

namespace pasidtrace::sources {
namespace {

// Serves `events` copies of the varied events, then ends, fails or dies.
class ScriptedSource final : public EventSource {
public:
    enum class Then { end, error, abort };
    ScriptedSource(std::uint64_t events, Then then) : events_(events), then_(then) {
        header_.format = "scripted";
        header_.kernel = "6.18.44";
        header_.extra["note"] = "from the child";
    }
    void set_kernel(std::string kernel) { header_.kernel = std::move(kernel); }
    const core::TraceHeader& header() const override { return header_; }
    ReadStatus next(core::Event& out) override {
        if (served_ < events_) {
            const auto varied = testing::varied_events();
            out = varied[served_ % varied.size()];
            out.pos.line = ++served_;
            return ReadStatus::event;
        }
        if (then_ == Then::abort) std::abort();
        if (then_ == Then::error) {
            error_ = core::InputError{"scripted.dat", served_ + 1, "pasid", "is not a number"};
            return ReadStatus::error;
        }
        return ReadStatus::end;
    }
    const core::InputError& error() const override { return error_; }
    SourceCounters counters() const override { return {served_ / 2}; }
    std::string warning() const override { return "ends early"; }
    bool in_ts_order() const override { return true; }

private:
    std::uint64_t events_;
    Then then_;
    std::uint64_t served_ = 0;
    core::TraceHeader header_;
    core::InputError error_;
};

IsolatedSource::Opener scripted(std::uint64_t events, ScriptedSource::Then then) {
    return [=](const std::string&) -> std::variant<std::unique_ptr<EventSource>, core::InputError> {
        return std::make_unique<ScriptedSource>(events, then);
    };
}

std::unique_ptr<IsolatedSource> open_ok(const IsolatedSource::Opener& opener) {
    auto opened = IsolatedSource::open("scripted.dat", opener, "the scripted reader");
    if (auto* err = std::get_if<core::InputError>(&opened)) {
        ADD_FAILURE() << err->to_string();
        return nullptr;
    }
    return std::move(std::get<std::unique_ptr<IsolatedSource>>(opened));
}

// Reads to the end or the error; returns how many events came.
std::uint64_t drain(IsolatedSource& source, ReadStatus& last) {
    const auto varied = testing::varied_events();
    std::uint64_t n = 0;
    core::Event e;
    while ((last = source.next(e)) == ReadStatus::event) {
        core::Event want = varied[n % varied.size()];
        want.pos.line = ++n;
        testing::expect_same(e, want);
        if (::testing::Test::HasFailure()) break;
    }
    return n;
}

bool no_children_left() { return ::waitpid(-1, nullptr, WNOHANG) < 0 && errno == ECHILD; }

// 50 000 events are some 2 MB of frames: many frames, and a pipe that fills.
TEST(IsolatedSource, EverythingTheSourceSaysArrives) {
    auto source = open_ok(scripted(50000, ScriptedSource::Then::end));
    ASSERT_TRUE(source);
    EXPECT_EQ(source->header().format, "scripted");
    EXPECT_EQ(source->header().kernel, "6.18.44");
    EXPECT_EQ(source->header().extra["note"], "from the child");
    EXPECT_TRUE(source->in_ts_order());
    ReadStatus last{};
    EXPECT_EQ(drain(*source, last), 50000u);
    EXPECT_EQ(last, ReadStatus::end);
    EXPECT_EQ(source->counters().skipped, 25000u);
    EXPECT_EQ(source->warning(), "ends early");
    EXPECT_TRUE(no_children_left());
}

TEST(IsolatedSource, AnOpenErrorIsPassedOnAsItIs) {
    auto failing = [](const std::string& path) -> std::variant<std::unique_ptr<EventSource>, core::InputError> {
        return core::InputError{path, 0, {}, "cannot be read as a trace.dat file"};
    };
    auto opened = IsolatedSource::open("x.dat", failing, "the scripted reader");
    ASSERT_TRUE(std::holds_alternative<core::InputError>(opened));
    EXPECT_EQ(std::get<core::InputError>(opened).to_string(), "x.dat: cannot be read as a trace.dat file");
    EXPECT_TRUE(no_children_left());
}

TEST(IsolatedSource, AReadErrorComesAfterTheEventsBeforeIt) {
    auto source = open_ok(scripted(7, ScriptedSource::Then::error));
    ASSERT_TRUE(source);
    ReadStatus last{};
    EXPECT_EQ(drain(*source, last), 7u);
    ASSERT_EQ(last, ReadStatus::error);
    EXPECT_EQ(source->error().to_string(), "scripted.dat:8: field \"pasid\": is not a number");
    EXPECT_EQ(source->next(*std::make_unique<core::Event>()), ReadStatus::error) << "the error sticks";
}

TEST(IsolatedSource, ADeathWhileOpeningIsAnErrorNamingTheFile) {
    auto dying = [](const std::string&) -> std::variant<std::unique_ptr<EventSource>, core::InputError> {
        std::abort();
    };
    auto opened = IsolatedSource::open("bad.dat", dying, "the scripted reader");
    ASSERT_TRUE(std::holds_alternative<core::InputError>(opened));
    const auto& err = std::get<core::InputError>(opened);
    EXPECT_EQ(err.file, "bad.dat");
    EXPECT_NE(err.message.find("the scripted reader died (signal 6) while opening the file"), std::string::npos)
        << err.message;
    EXPECT_TRUE(no_children_left());
}

// The frames sent before the death are read, in order; the events of the
// frame the child was filling die with it, and the error says where the
// delivered ones stop.
TEST(IsolatedSource, ADeathWhileReadingKeepsTheFramesSentAndSaysWhere) {
    auto source = open_ok(scripted(20000, ScriptedSource::Then::abort));
    ASSERT_TRUE(source);
    ReadStatus last{};
    const std::uint64_t got = drain(*source, last);
    EXPECT_GT(got, 10000u);
    EXPECT_LE(got, 20000u);
    ASSERT_EQ(last, ReadStatus::error);
    EXPECT_EQ(source->error().file, "scripted.dat");
    EXPECT_NE(source->error().message.find("died (signal 6) after record " + std::to_string(got) + ":"),
              std::string::npos)
        << source->error().message;
    EXPECT_TRUE(no_children_left());
}

// A file's text need not be UTF-8 (a uname, an instance name): it arrives,
// with what JSON cannot carry replaced, instead of killing the reader.
TEST(IsolatedSource, TextThatIsNotUtf8Arrives) {
    auto opener = [](const std::string&) -> std::variant<std::unique_ptr<EventSource>, core::InputError> {
        auto source = std::make_unique<ScriptedSource>(1, ScriptedSource::Then::end);
        source->set_kernel("6.1\xff-amd64");
        return source;
    };
    auto source = open_ok(opener);
    ASSERT_TRUE(source);
    EXPECT_EQ(source->header().kernel, "6.1\xef\xbf\xbd-amd64");  // U+FFFD
    ReadStatus last{};
    EXPECT_EQ(drain(*source, last), 1u);
    EXPECT_EQ(last, ReadStatus::end);
}

// An analysis that stops early (an error of its own) must not leave the
// reader running or waiting on a full pipe.
TEST(IsolatedSource, DroppingTheSourceEarlyEndsTheChild) {
    {
        auto source = open_ok(scripted(UINT64_MAX, ScriptedSource::Then::end));
        ASSERT_TRUE(source);
        core::Event e;
        for (int i = 0; i < 10; ++i) ASSERT_EQ(source->next(e), ReadStatus::event);
    }
    EXPECT_TRUE(no_children_left());
}

}  // namespace
}  // namespace pasidtrace::sources
