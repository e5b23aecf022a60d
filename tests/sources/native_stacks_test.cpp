// SPDX-License-Identifier: GPL-2.0-only
// kallsyms parsing and lookup, and stacks stored in a recording printed
// with the symbols stored beside them.
#include <sstream>

#include "native_test_util.hpp"
#include "sources/kallsyms.hpp"

namespace pasidtrace::sources {
namespace {

using testing::make_record;
using testing::ScratchDir;

// Out of address order, as /proc/kallsyms is once modules are loaded, with
// data and absolute symbols that must not capture code addresses.
constexpr const char* kFakeKallsyms =
    "0000000000000000 A fixed_percpu_data\n"
    "ffffffff81000000 T _stext\n"
    "ffffffff81234000 T iommu_sva_bind_device\n"
    "ffffffff81234400 t __iommu_sva_bind\n"
    "ffffffff81240000 T mm_pasid_drop\n"
    "ffffffff82000000 D some_data\n"
    "ffffffffc0a01000 t idxd_cdev_open\t[idxd]\n"
    "ffffffffc0a02000 W idxd_weak\t[idxd]\n"
    "not a kallsyms line\n"
    "ffffffff81100000 T __mmdrop\n";

std::vector<KernelSymbol> fake_symbols() {
    std::istringstream in(kFakeKallsyms);
    return parse_kallsyms(in);
}

TEST(Kallsyms, ParsesTextSymbolsSortedByAddress) {
    auto syms = fake_symbols();
    ASSERT_EQ(syms.size(), 7u);
    EXPECT_EQ(syms[0], (KernelSymbol{0xffffffff81000000, "_stext", ""}));
    EXPECT_EQ(syms[1].name, "__mmdrop");
    EXPECT_EQ(syms[5], (KernelSymbol{0xffffffffc0a01000, "idxd_cdev_open", "idxd"}));
    EXPECT_EQ(syms[6].name, "idxd_weak");
}

TEST(Kallsyms, FindsTheGreatestSymbolAtOrBelow) {
    auto syms = fake_symbols();
    EXPECT_EQ(find_symbol(syms, 0xffffffff81234000)->name, "iommu_sva_bind_device");
    EXPECT_EQ(find_symbol(syms, 0xffffffff812343ff)->name, "iommu_sva_bind_device");
    EXPECT_EQ(find_symbol(syms, 0xffffffff81234400)->name, "__iommu_sva_bind");
    EXPECT_EQ(find_symbol(syms, 0xffffffff80000000), nullptr);
    EXPECT_EQ(format_frame(find_symbol(syms, 0xffffffff81100042), 0xffffffff81100042), "__mmdrop+0x42");
    EXPECT_EQ(format_frame(find_symbol(syms, 0xffffffffc0a01010), 0xffffffffc0a01010), "idxd_cdev_open+0x10 [idxd]");
    EXPECT_EQ(format_frame(nullptr, 0x1234), "[unknown]");
}

TEST(Kallsyms, KeepsOnlyTheSymbolsTheStacksNeed) {
    const std::uint64_t ips[] = {0xffffffff81234410, 0xffffffff81234420, 0xffffffff81100001, 0x10};
    auto needed = symbols_covering(fake_symbols(), ips);
    ASSERT_EQ(needed.size(), 2u);
    EXPECT_EQ(needed[0].name, "__mmdrop");
    EXPECT_EQ(needed[1].name, "__iommu_sva_bind");
}

TEST(Kallsyms, ReadsAFileAndRefusesHiddenAddresses) {
    ScratchDir dir;
    testing::spit(dir.file("kallsyms"), kFakeKallsyms);
    const std::uint64_t ips[] = {0xffffffff81240008};
    std::string err;
    auto needed = read_kallsyms_covering(ips, err, dir.file("kallsyms"));
    EXPECT_EQ(err, "");
    ASSERT_EQ(needed.size(), 1u);
    EXPECT_EQ(needed[0].name, "mm_pasid_drop");

    // What an unprivileged reader sees with kernel.kptr_restrict set.
    testing::spit(dir.file("hidden"), "0000000000000000 T _stext\n0000000000000000 T __mmdrop\n");
    EXPECT_TRUE(read_kallsyms_covering(ips, err, dir.file("hidden")).empty());
    EXPECT_NE(err.find("kptr_restrict"), std::string::npos) << err;

    err.clear();
    EXPECT_TRUE(read_kallsyms_covering(ips, err, dir.file("absent")).empty());
    EXPECT_NE(err.find("No such file"), std::string::npos) << err;
}

TEST(NativeStacks, FramesAreSymbolisedFromTheRecording) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    const std::vector<std::uint64_t> stack{0xffffffff81234410, 0xffffffffc0a01020, 0xffffffff80000000};
    const std::vector<std::uint64_t> other{0xffffffff81100008};
    std::string err;
    auto w = NativeWriter::create(path, testing::sample_header(), err);
    ASSERT_TRUE(w) << err;
    pt_event bind = make_record(PT_EV_BIND, 10, PT_F_HAS_MM | PT_F_HAS_DEV | PT_F_HAS_STACK);
    bind.stack_id = 7;
    ASSERT_TRUE(w->append(bind));
    ASSERT_TRUE(w->flush());
    // As the recorder does at close: stacks and their symbols after the events.
    ASSERT_TRUE(w->add_stack(7, stack));
    ASSERT_TRUE(w->add_stack(9, other));
    std::vector<std::uint64_t> all = stack;
    all.insert(all.end(), other.begin(), other.end());
    auto needed = symbols_covering(fake_symbols(), all);
    // Symbols in two chunks, out of order, as several flushes would leave them.
    ASSERT_TRUE(w->add_symbols(std::span(needed).subspan(1)));
    ASSERT_TRUE(w->flush());
    ASSERT_TRUE(w->add_symbols(std::span(needed).first(1)));
    ASSERT_TRUE(w->close({}));

    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(path));
    core::Event e;
    ASSERT_EQ(src->next(e), ReadStatus::event);
    EXPECT_EQ(e.stack_id, 7u);
    ASSERT_EQ(src->next(e), ReadStatus::end);
    ASSERT_NE(src->stacks(), nullptr);
    EXPECT_EQ(src->stacks()->frames(7),
              (std::vector<std::string>{"__iommu_sva_bind+0x10", "idxd_cdev_open+0x20 [idxd]", "[unknown]"}));
    EXPECT_EQ(src->stacks()->frames(9), (std::vector<std::string>{"__mmdrop+0x8"}));
    EXPECT_TRUE(src->stacks()->frames(8).empty());
    EXPECT_EQ(src->warning(), "");
}

TEST(NativeStacks, LargeTablesAreSplitIntoChunks) {
    ScratchDir dir;
    const std::string path = dir.file("rec.ptr");
    std::string err;
    auto w = NativeWriter::create(path, testing::sample_header(), err);
    ASSERT_TRUE(w) << err;
    const std::vector<std::uint64_t> deep(127, 0xffffffff81100010);
    const std::uint32_t n = 2000;  // about 2 MB of stacks
    for (std::uint32_t id = 0; id < n; ++id) ASSERT_TRUE(w->add_stack(id, deep));
    ASSERT_TRUE(w->close({}));
    auto src = std::get<std::unique_ptr<NativeSource>>(NativeSource::open(path));
    core::Event e;
    ASSERT_EQ(src->next(e), ReadStatus::end);
    ASSERT_TRUE(src->trailer());
    EXPECT_GE(src->trailer()->chunks, 2u);
    EXPECT_EQ(src->stacks()->frames(n - 1).size(), 127u);
    EXPECT_EQ(src->stacks()->frames(0)[0], "[unknown]");  // no symbols stored
}

}  // namespace
}  // namespace pasidtrace::sources
