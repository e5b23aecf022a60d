// SPDX-License-Identifier: GPL-2.0-only
// The byte form between a reader process and the analysis: every field of
// every kind comes back as it went, one event after another, and bytes that
// end inside an event are refused.
#include "sources/event_wire.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "event_test_util.hpp"

namespace pasidtrace::sources::wire {
namespace {

using core::Event;
using core::EventType;
using core::Ident;

TEST(EventWire, EveryFieldAndIdentKindRoundTrips) {
    const std::vector<Event> events = testing::varied_events();
    std::string bytes;
    for (const Event& e : events) append_event(e, bytes);
    std::size_t at = 0;
    for (const Event& want : events) {
        Event got;
        got.comm = "stale";  // every field is overwritten
        got.pasid = 99;
        ASSERT_TRUE(read_event(bytes, at, got));
        testing::expect_same(got, want);
    }
    EXPECT_EQ(at, bytes.size());
}

TEST(EventWire, BytesEndingInsideAnEventAreRefused) {
    std::string bytes;
    append_event(testing::varied_events().back(), bytes);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
        std::size_t at = 0;
        Event e;
        EXPECT_FALSE(read_event(std::string_view(bytes).substr(0, cut), at, e)) << "cut at " << cut;
    }
}

TEST(EventWire, HeaderRoundTrips) {
    core::TraceHeader h;
    h.format = "trace.dat";
    h.kernel = "6.1.0-56-amd64";
    h.clock = "mono";
    h.mmdrop_probe = core::MmdropProbe::exit;
    h.observed = core::ObservedTypes::none();
    h.observed.add(EventType::fork);
    h.observed.add(EventType::mmdrop);
    h.has_observed_list = true;
    h.extra["instances"] = {"pasidtrace"};
    const core::TraceHeader back = header_from_json(nlohmann::json::parse(header_to_json(h).dump()));
    EXPECT_EQ(back.format, h.format);
    EXPECT_EQ(back.kernel, h.kernel);
    EXPECT_FALSE(back.hostname);
    EXPECT_EQ(back.clock, h.clock);
    EXPECT_EQ(back.mmdrop_probe, h.mmdrop_probe);
    for (int t = 1; t < core::kEventTypeCount; ++t)
        EXPECT_EQ(back.observed.has(EventType(t)), h.observed.has(EventType(t))) << t;
    EXPECT_TRUE(back.has_observed_list);
    EXPECT_EQ(back.extra, h.extra);
}

TEST(EventWire, ErrorRoundTrips) {
    const core::InputError e{"a.dat", 7, "pasid", "out of range"};
    const core::InputError back = error_from_json(error_to_json(e));
    EXPECT_EQ(back.to_string(), e.to_string());
}

}  // namespace
}  // namespace pasidtrace::sources::wire
