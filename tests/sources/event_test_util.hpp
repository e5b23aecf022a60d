// SPDX-License-Identifier: GPL-2.0-only
// A field-by-field comparison of events, for every test of a reader or a
// writer, and events that between them use every field and identifier kind.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/event.hpp"

namespace pasidtrace::sources::testing {

inline std::vector<core::Event> varied_events() {
    using core::EventType;
    using core::Ident;
    std::vector<core::Event> out;
    core::Event fork;
    fork.ts = 1000;
    fork.type = EventType::fork;
    fork.cpu = 1;
    fork.pid = 10;
    fork.tid = 11;
    fork.comm = "exactly15bytes!";
    fork.mm = Ident::address(0xffff888104a3c000);
    fork.child_mm = Ident::address(0xffff888104a3d000);
    fork.child_pid = 12;
    fork.child_tid = 12;
    fork.pos.line = 1;
    out.push_back(fork);

    core::Event bind;
    bind.ts = 2000;
    bind.type = EventType::bind;
    bind.mm = Ident::text("mmA");
    bind.handle = Ident::number(42);
    bind.dev = Ident::text("0000:6a:01.0");
    bind.pasid = 1048575;
    bind.ret = -95;
    bind.stack_id = 0;
    bind.pos.line = 2;
    out.push_back(bind);

    core::Event exit;
    exit.ts = 3000;
    exit.type = EventType::exit;
    exit.tid = 0;
    exit.group_dead = true;
    exit.old_mm = Ident::number(0);
    exit.pos.line = 3;
    out.push_back(exit);

    core::Event lost;
    lost.ts = UINT64_MAX;
    lost.type = EventType::lost;
    lost.count = 770;
    lost.pos.line = UINT64_MAX;
    out.push_back(lost);

    core::Event iopf;
    iopf.ts = 4000;
    iopf.type = EventType::iopf;
    iopf.pasid = 3;
    iopf.addr = 0x7f0000001000;
    iopf.dev = Ident::text(std::string(300, 'd'));
    iopf.pos.line = 5;
    out.push_back(iopf);
    return out;
}

inline void expect_same(const core::Event& got, const core::Event& want) {
    SCOPED_TRACE(std::string(core::to_string(want.type)) + " at " + std::to_string(want.ts));
    EXPECT_EQ(got.ts, want.ts);
    EXPECT_EQ(got.type, want.type);
    EXPECT_EQ(got.cpu, want.cpu);
    EXPECT_EQ(got.pid, want.pid);
    EXPECT_EQ(got.tid, want.tid);
    EXPECT_EQ(got.comm, want.comm);
    EXPECT_EQ(got.mm, want.mm);
    EXPECT_EQ(got.child_mm, want.child_mm);
    EXPECT_EQ(got.old_mm, want.old_mm);
    EXPECT_EQ(got.handle, want.handle);
    EXPECT_EQ(got.dev, want.dev);
    EXPECT_EQ(got.pasid, want.pasid);
    EXPECT_EQ(got.ret, want.ret);
    EXPECT_EQ(got.child_pid, want.child_pid);
    EXPECT_EQ(got.child_tid, want.child_tid);
    EXPECT_EQ(got.group_dead, want.group_dead);
    EXPECT_EQ(got.count, want.count);
    EXPECT_EQ(got.addr, want.addr);
    EXPECT_EQ(got.stack_id, want.stack_id);
    EXPECT_EQ(got.pos.line, want.pos.line);
}

}  // namespace pasidtrace::sources::testing
