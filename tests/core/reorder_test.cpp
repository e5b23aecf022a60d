// SPDX-License-Identifier: GPL-2.0-only
#include "core/reorder.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace pasidtrace::core {
namespace {

Event at(std::uint64_t ts, std::uint64_t line) {
    Event e;
    e.ts = ts;
    e.pos.line = line;
    return e;
}

std::vector<std::uint64_t> lines_through(ReorderBuffer& rb, std::vector<Event> in, std::vector<std::uint64_t>& out) {
    for (auto& e : in) rb.push(e);
    rb.flush();
    return out;
}

TEST(Reorder, SortsWithinTheWindowStableForEqualTs) {
    std::vector<std::uint64_t> out;
    ReorderBuffer rb([&](const Event& e) { out.push_back(e.pos.line); }, 1000);
    lines_through(rb, {at(500, 1), at(300, 2), at(300, 3), at(400, 4)}, out);
    EXPECT_EQ(out, (std::vector<std::uint64_t>{2, 3, 4, 1}));
    EXPECT_EQ(rb.late(), 0u);
}

// In-order arrivals take the FIFO, stragglers the heap: equal ts across the
// two still come out in arrival order.
TEST(Reorder, MergesInOrderAndLateArrivalsStably) {
    std::vector<std::uint64_t> out;
    ReorderBuffer rb([&](const Event& e) { out.push_back(e.pos.line); }, 1000);
    lines_through(rb, {at(10, 1), at(20, 2), at(15, 3), at(20, 4), at(15, 5), at(30, 6), at(10, 7)}, out);
    EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 7, 3, 5, 2, 4, 6}));
}

TEST(Reorder, ReleasesWhatFallsOutOfTheWindow) {
    std::vector<std::uint64_t> out;
    ReorderBuffer rb([&](const Event& e) { out.push_back(e.pos.line); }, 100);
    rb.push(at(100, 1));
    rb.push(at(150, 2));
    EXPECT_TRUE(out.empty());
    rb.push(at(260, 3));  // 100 and 150 are now more than 100 ns older
    EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 2}));
    EXPECT_EQ(rb.buffered(), 1u);
}

TEST(Reorder, LateEventIsAppliedAtOnceAndCounted) {
    std::vector<std::uint64_t> out;
    ReorderBuffer rb([&](const Event& e) { out.push_back(e.pos.line); }, 100);
    lines_through(rb, {at(100, 1), at(300, 2), at(50, 3), at(310, 4)}, out);
    EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 3, 2, 4}));
    EXPECT_EQ(rb.late(), 1u);
}

TEST(Reorder, BoundedByEventCount) {
    std::vector<std::uint64_t> out;
    ReorderBuffer rb([&](const Event& e) { out.push_back(e.pos.line); }, 1'000'000, 2);
    rb.push(at(30, 1));
    rb.push(at(20, 2));
    rb.push(at(10, 3));
    EXPECT_EQ(out, (std::vector<std::uint64_t>{3}));
    EXPECT_LE(rb.buffered(), 2u);
}

// A source that merged its CPUs itself: nothing is held while its events
// come in order. The first straggler is applied where it arrives and counted
// late; after it the window applies as to any source.
TEST(Reorder, InTsOrderArrivalPassesOnUntilTheFirstStraggler) {
    std::vector<std::uint64_t> out;
    ReorderBuffer rb([&](const Event& e) { out.push_back(e.pos.line); }, 1000, 1000,
                     ReorderBuffer::Arrival::in_ts_order);
    rb.push(at(10, 1));
    rb.push(at(10, 2));
    rb.push(at(20, 3));
    EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 2, 3}));
    EXPECT_EQ(rb.buffered(), 0u);
    rb.push(at(5, 4));  // older than what was applied: late
    EXPECT_EQ(rb.late(), 1u);
    rb.push(at(40, 5));
    rb.push(at(30, 6));  // within the window now: put back in place
    rb.flush();
    EXPECT_EQ(out, (std::vector<std::uint64_t>{1, 2, 3, 4, 6, 5}));
    EXPECT_EQ(rb.late(), 1u);
}

}  // namespace
}  // namespace pasidtrace::core
