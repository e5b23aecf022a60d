// SPDX-License-Identifier: GPL-2.0-only
// The decoder table and the mapping to contract events, on event formats of
// every kernel era (parsed by libtraceevent from their format text) and on
// records built byte by byte: what a recording from another kernel, another
// recipe or another architecture holds.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include <event-parse.h>

#include "sources/tracedat_decoders.hpp"
#include "sources/tracedat_header.hpp"
#include "sources/tracedat_mapping.hpp"
#include "tracedat_test_support.hpp"

namespace pasidtrace::sources::tracedat {
namespace {

using core::EventType;

const char* const kCommon =
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n";

std::string format(const std::string& name, int id, const std::string& fields, const std::string& print) {
    return "name: " + name + "\nID: " + std::to_string(id) + "\nformat:\n" + kCommon + fields +
           "\nprint fmt: " + print + "\n";
}

// Event ids of the formats below.
enum : int {
    kForkOld = 300,
    kExitOld,
    kNewtask,
    kExec,
    kCacheFreeOld,
    kCacheFree,
    kWriteMsr,
    kPrq,
    kIopfVendor,
    kIopfUpstream,
    kBind,
    kBindRet,
    kPut,
    kPutRet,
    kExecMm,
    kMmdrop,
    kOther,
};

// Formats as kernels before 6.x wrote them (fixed comm arrays, no
// group_dead, kmem_cache_free without name) and the recipe's probes.
struct Formats {
    std::string system, text;
};
std::vector<Formats> era_formats(bool with_probes, bool old_cache_free) {
    std::vector<Formats> f = {
        {"sched", format("sched_process_fork", kForkOld,
                         "\tfield:char parent_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
                         "\tfield:pid_t parent_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
                         "\tfield:char child_comm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
                         "\tfield:pid_t child_pid;\toffset:44;\tsize:4;\tsigned:1;\n",
                         "\"comm=%s pid=%d\", REC->parent_comm, REC->parent_pid")},
        {"sched", format("sched_process_exit", kExitOld,
                         "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
                         "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
                         "\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n",
                         "\"comm=%s pid=%d\", REC->comm, REC->pid")},
        {"task", format("task_newtask", kNewtask,
                        "\tfield:pid_t pid;\toffset:8;\tsize:4;\tsigned:1;\n"
                        "\tfield:char comm[16];\toffset:12;\tsize:16;\tsigned:0;\n"
                        "\tfield:u64 clone_flags;\toffset:32;\tsize:8;\tsigned:0;\n",
                        "\"pid=%d\", REC->pid")},
        {"sched", format("sched_process_exec", kExec,
                         "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
                         "\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
                         "\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n",
                         "\"pid=%d\", REC->pid")},
        {"msr", format("write_msr", kWriteMsr,
                       "\tfield:unsigned msr;\toffset:8;\tsize:4;\tsigned:0;\n"
                       "\tfield:u64 val;\toffset:16;\tsize:8;\tsigned:0;\n"
                       "\tfield:int failed;\toffset:24;\tsize:4;\tsigned:1;\n",
                       "\"%x\", REC->msr")},
        {"intel_iommu", format("prq_report", kPrq,
                               "\tfield:u64 dw0;\toffset:8;\tsize:8;\tsigned:0;\n"
                               "\tfield:u64 dw1;\toffset:16;\tsize:8;\tsigned:0;\n"
                               "\tfield:u64 dw2;\toffset:24;\tsize:8;\tsigned:0;\n"
                               "\tfield:u64 dw3;\toffset:32;\tsize:8;\tsigned:0;\n"
                               "\tfield:unsigned long seq;\toffset:40;\tsize:8;\tsigned:0;\n"
                               "\tfield:__data_loc char[] iommu;\toffset:48;\tsize:4;\tsigned:0;\n"
                               "\tfield:__data_loc char[] dev;\toffset:52;\tsize:4;\tsigned:0;\n",
                               "\"%s\", __get_str(dev)")},
        {"iommu", format("io_page_fault", kIopfVendor,
                         "\tfield:__data_loc char[] device;\toffset:8;\tsize:4;\tsigned:0;\n"
                         "\tfield:__data_loc char[] driver;\toffset:12;\tsize:4;\tsigned:0;\n"
                         "\tfield:u64 iova;\toffset:16;\tsize:8;\tsigned:0;\n"
                         "\tfield:int flags;\toffset:24;\tsize:4;\tsigned:1;\n"
                         "\tfield:u32 pasid;\toffset:28;\tsize:4;\tsigned:0;\n",
                         "\"%s\", __get_str(device)")},
        {"other", format("unrelated", kOther, "\tfield:int x;\toffset:8;\tsize:4;\tsigned:1;\n", "\"%d\", REC->x")},
    };
    if (old_cache_free)
        f.push_back({"kmem", format("kmem_cache_free", kCacheFreeOld,
                                    "\tfield:unsigned long call_site;\toffset:8;\tsize:8;\tsigned:0;\n"
                                    "\tfield:const void * ptr;\toffset:16;\tsize:8;\tsigned:0;\n",
                                    "\"ptr=%p\", REC->ptr")});
    else
        f.push_back({"kmem", format("kmem_cache_free", kCacheFree,
                                    "\tfield:unsigned long call_site;\toffset:8;\tsize:8;\tsigned:0;\n"
                                    "\tfield:const void * ptr;\toffset:16;\tsize:8;\tsigned:0;\n"
                                    "\tfield:__data_loc char[] name;\toffset:24;\tsize:4;\tsigned:0;\n",
                                    "\"ptr=%p\", REC->ptr")});
    if (with_probes) {
        const std::string entry = "\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;\n";
        const std::string ret =
            "\tfield:unsigned long __probe_func;\toffset:8;\tsize:8;\tsigned:0;\n"
            "\tfield:unsigned long __probe_ret_ip;\toffset:16;\tsize:8;\tsigned:0;\n";
        f.push_back({"pasidtrace", format("bind", kBind,
                                          entry + "\tfield:__data_loc char[] dev;\toffset:16;\tsize:4;\tsigned:0;\n"
                                                  "\tfield:u64 mm;\toffset:24;\tsize:8;\tsigned:0;\n",
                                          "\"(%lx)\", REC->__probe_ip")});
        f.push_back({"pasidtrace", format("bind_ret", kBindRet,
                                          ret + "\tfield:u64 handle;\toffset:24;\tsize:8;\tsigned:0;\n"
                                                "\tfield:u32 pasid;\toffset:32;\tsize:4;\tsigned:0;\n",
                                          "\"(%lx)\", REC->__probe_func")});
        f.push_back(
            {"pasidtrace", format("pasid_put", kPut, entry + "\tfield:u32 pasid;\toffset:16;\tsize:4;\tsigned:0;\n",
                                  "\"(%lx)\", REC->__probe_ip")});
        f.push_back(
            {"pasidtrace", format("pasid_put_ret", kPutRet, ret + "\tfield:u8 freed;\toffset:24;\tsize:1;\tsigned:0;\n",
                                  "\"(%lx)\", REC->__probe_func")});
        f.push_back(
            {"pasidtrace", format("exec_mm", kExecMm, entry + "\tfield:u64 mm;\toffset:16;\tsize:8;\tsigned:0;\n",
                                  "\"(%lx)\", REC->__probe_ip")});
        f.push_back(
            {"pasidtrace", format("mmdrop", kMmdrop, entry + "\tfield:u64 mm;\toffset:16;\tsize:8;\tsigned:0;\n",
                                  "\"(%lx)\", REC->__probe_ip")});
    }
    return f;
}

class Tep {
public:
    explicit Tep(bool big_endian = false) : tep_(tep_alloc()) {
        tep_set_long_size(tep_, 8);
        tep_set_file_bigendian(tep_, big_endian ? TEP_BIG_ENDIAN : TEP_LITTLE_ENDIAN);
        tep_set_local_bigendian(tep_, TEP_LITTLE_ENDIAN);
    }
    ~Tep() { tep_free(tep_); }
    Tep(const Tep&) = delete;
    Tep& operator=(const Tep&) = delete;
    void parse(const std::vector<Formats>& formats) {
        for (const auto& f : formats)
            ASSERT_EQ(tep_parse_event(tep_, f.text.c_str(), f.text.size(), f.system.c_str()), TEP_ERRNO__SUCCESS)
                << f.text;
    }
    tep_handle* get() const { return tep_; }

private:
    tep_handle* tep_;
};

// A ring-buffer record built field by field, in the file's byte order.
class Record {
public:
    Record(int id, std::int32_t tid, bool big_endian = false) : big_(big_endian), data_(64, 0) {
        put(0, static_cast<std::uint16_t>(id));
        put(4, tid);
    }
    template <typename T>
    Record& put(std::size_t offset, T value) {
        grow(offset + sizeof value);
        unsigned char bytes[sizeof value];
        std::memcpy(bytes, &value, sizeof value);
        for (std::size_t i = 0; i < sizeof value; ++i) data_[offset + i] = bytes[big_ ? sizeof value - 1 - i : i];
        return *this;
    }
    Record& text(std::size_t offset, std::size_t size, const std::string& s) {
        grow(offset + size);
        std::memcpy(data_.data() + offset, s.data(), std::min(size, s.size()));
        return *this;
    }
    // A __data_loc string: the text goes after the fixed part.
    Record& dynamic(std::size_t offset, const std::string& s) {
        const std::size_t at = std::max<std::size_t>(tail_, 64);
        grow(at + s.size() + 1);
        std::memcpy(data_.data() + at, s.c_str(), s.size() + 1);
        tail_ = at + s.size() + 1;
        return put(offset, static_cast<std::uint32_t>(((s.size() + 1) << 16) | at));
    }
    Record& truncate(std::size_t size) {
        data_.resize(size);
        return *this;
    }
    tep_record view(std::uint64_t ts) {
        tep_record r{};
        r.ts = ts;
        r.data = data_.data();
        r.size = static_cast<int>(data_.size());
        r.cpu = 1;
        return r;
    }

private:
    void grow(std::size_t n) {
        if (data_.size() < n) data_.resize(n, 0);
    }
    bool big_;
    std::vector<unsigned char> data_;
    std::size_t tail_ = 0;
};

// Decodes and maps records in order, as the source does.
class Reader {
public:
    explicit Reader(tep_handle* tep) : table_(DecoderTable::build(tep)), mapper_(table_, TaskTable(tep)) {}
    const DecoderTable& table() const { return table_; }

    // The contract event, or nullopt when the record was consumed or skipped.
    std::optional<core::Event> feed(Record& record, std::uint64_t ts = 1000) {
        tep_record r = record.view(ts);
        DecodedRecord decoded;
        std::string problem;
        last_ = table_.decode(r, decoded, problem);
        problem_ = problem;
        if (last_ != DecodeResult::decoded) return std::nullopt;
        core::Event e;
        outcome_ = mapper_.map(decoded, e);
        if (outcome_ != MapOutcome::event) return std::nullopt;
        return e;
    }
    DecodeResult last() const { return last_; }
    MapOutcome outcome() const { return outcome_; }
    const std::string& problem() const { return problem_; }

private:
    DecoderTable table_;
    ContractMapper mapper_;
    DecodeResult last_ = DecodeResult::not_ours;
    MapOutcome outcome_ = MapOutcome::skipped;
    std::string problem_;
};

Record fork_old(std::int32_t parent, std::int32_t child, const std::string& comm) {
    Record r(kForkOld, parent);
    r.text(8, 16, comm).put(24, parent).text(28, 16, comm).put(44, child);
    return r;
}
Record exit_old(std::int32_t tid, const std::string& comm) {
    Record r(kExitOld, tid);
    r.text(8, 16, comm).put(24, tid).put(28, 120);
    return r;
}
Record newtask(std::int32_t parent, std::int32_t child, std::uint64_t flags) {
    Record r(kNewtask, parent);
    r.put(8, child).put(32, flags);
    return r;
}

constexpr std::uint64_t kCloneVm = 0x100, kCloneThread = 0x10000, kCloneSighand = 0x800;

TEST(TraceDatDecoders, OldEraForkAndExitWithoutGroupDeadInferIt) {
    Tep tep;
    tep.parse(era_formats(false, true));
    Reader reader(tep.get());
    // A process (no clone flags known) and a thread (CLONE_THREAD).
    Record fp = fork_old(100, 101, "app");
    auto fork_p = reader.feed(fp);
    ASSERT_TRUE(fork_p);
    EXPECT_EQ(fork_p->child_pid, 101u);
    EXPECT_EQ(fork_p->comm, "app");
    Record nt = newtask(100, 102, kCloneVm | kCloneThread | kCloneSighand);
    EXPECT_FALSE(reader.feed(nt));
    EXPECT_EQ(reader.outcome(), MapOutcome::consumed);
    Record ft = fork_old(100, 102, "app");
    auto fork_t = reader.feed(ft);
    ASSERT_TRUE(fork_t);
    EXPECT_EQ(fork_t->child_tid, 102u);
    EXPECT_EQ(fork_t->child_pid, 100u);

    Record e_thread = exit_old(102, "worker");
    auto exit_t = reader.feed(e_thread);
    ASSERT_TRUE(exit_t);
    EXPECT_EQ(exit_t->pid, 100u);
    EXPECT_EQ(exit_t->comm, "worker");
    EXPECT_FALSE(exit_t->group_dead) << "the leader 100 is still alive";
    Record e_leader = exit_old(100, "app");
    EXPECT_TRUE(reader.feed(e_leader)->group_dead);
    Record e_proc = exit_old(101, "app");
    EXPECT_TRUE(reader.feed(e_proc)->group_dead);
}

TEST(TraceDatDecoders, KmemCacheFreeWithoutCacheNameGivesNoMmdrop) {
    Tep tep;
    tep.parse(era_formats(false, true));
    Reader reader(tep.get());
    EXPECT_FALSE(reader.table().defines(RecordKind::cache_free));
    EXPECT_FALSE(observed_types(reader.table()).has(EventType::mmdrop));
    bool noted = false;
    for (const auto& n : reader.table().notes()) noted |= n.find("kmem:kmem_cache_free has no field name") == 0;
    EXPECT_TRUE(noted);
    Record r(kCacheFreeOld, 5);
    r.put(16, std::uint64_t{0xffff888100071f40});
    EXPECT_FALSE(reader.feed(r));
    EXPECT_EQ(reader.last(), DecodeResult::not_ours);
}

TEST(TraceDatDecoders, MmStructFreesAreMmdropsOtherCachesAreSkipped) {
    Tep tep;
    tep.parse(era_formats(false, false));
    Reader reader(tep.get());
    EXPECT_EQ(mmdrop_probe(reader.table()), core::MmdropProbe::exit);
    Record mm(kCacheFree, 7);
    mm.put(16, std::uint64_t{0xffff888100071f40}).dynamic(24, "mm_struct");
    auto drop = reader.feed(mm);
    ASSERT_TRUE(drop);
    EXPECT_EQ(drop->type, EventType::mmdrop);
    EXPECT_EQ(drop->mm, core::Ident::address(0xffff888100071f40));
    EXPECT_EQ(drop->tid, 7u);
    Record other(kCacheFree, 7);
    other.put(16, std::uint64_t{0xffff888100071f40}).dynamic(24, "task_struct");
    EXPECT_FALSE(reader.feed(other));
    EXPECT_EQ(reader.outcome(), MapOutcome::skipped);
}

TEST(TraceDatDecoders, PasidMsrIsAValidLoadOfMsr0xd93Only) {
    Tep tep;
    tep.parse(era_formats(false, false));
    Reader reader(tep.get());
    auto msr = [&](std::uint32_t which, std::uint64_t value, std::int32_t failed = 0) {
        Record r(kWriteMsr, 42);
        r.put(8, which).put(16, value).put(24, failed);
        return reader.feed(r);
    };
    auto load = msr(0xd93, 0x80000000u | 5u);
    ASSERT_TRUE(load);
    EXPECT_EQ(load->type, EventType::pasid_msr);
    EXPECT_EQ(load->pasid, 5u);
    EXPECT_EQ(load->tid, 42u);
    EXPECT_FALSE(load->mm.present()) << "the tracepoint cannot read the mm";
    EXPECT_EQ(msr(0xd93, 0x80000000u | 0xfffff)->pasid, 0xfffffu);
    EXPECT_FALSE(msr(0xd93, 5)) << "valid bit clear: the MSR is cleared, not loaded";
    EXPECT_FALSE(msr(0xd93, 0));
    EXPECT_FALSE(msr(0xd93, 0x80000000u)) << "PASID 0 is no PASID";
    EXPECT_FALSE(msr(0x6e0, 0x80000005u)) << "another MSR";
    EXPECT_FALSE(msr(0xd93, 0x80000005u, 1)) << "a write that faulted loaded nothing";
}

TEST(TraceDatDecoders, PageRequestsWithAPasidAreIopfs) {
    Tep tep;
    tep.parse(era_formats(false, false));
    Reader reader(tep.get());
    EXPECT_TRUE(observed_types(reader.table()).has(EventType::iopf));
    // VT-d descriptor: bit 8 PASID present, PASID in bits 32..51, page address in dw1.
    Record prq(kPrq, 0);
    prq.put(8, (std::uint64_t{0x42} << 32) | (1u << 8) | 0x1)
        .put(16, std::uint64_t{0x7f0012345abc})
        .dynamic(52, "0000:00:02.0");
    auto fault = reader.feed(prq);
    ASSERT_TRUE(fault);
    EXPECT_EQ(fault->type, EventType::iopf);
    EXPECT_EQ(fault->pasid, 0x42u);
    EXPECT_EQ(fault->addr, 0x7f0012345000u);
    EXPECT_EQ(fault->dev, core::Ident::text("0000:00:02.0"));
    Record no_pasid(kPrq, 0);
    no_pasid.put(8, (std::uint64_t{0x42} << 32) | 0x1);
    EXPECT_FALSE(reader.feed(no_pasid)) << "a request without the PASID-present bit";

    Record vendor(kIopfVendor, 0);
    vendor.dynamic(8, "0000:6a:01.0").put(16, std::uint64_t{0x1000}).put(28, std::uint32_t{9});
    auto v = reader.feed(vendor);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->pasid, 9u);
}

TEST(TraceDatDecoders, UpstreamIoPageFaultHasNoPasidAndIsNotRead) {
    Tep tep;
    tep.parse({{"iommu", format("io_page_fault", kIopfUpstream,
                                "\tfield:__data_loc char[] device;\toffset:8;\tsize:4;\tsigned:0;\n"
                                "\tfield:__data_loc char[] driver;\toffset:12;\tsize:4;\tsigned:0;\n"
                                "\tfield:u64 iova;\toffset:16;\tsize:8;\tsigned:0;\n"
                                "\tfield:int flags;\toffset:24;\tsize:4;\tsigned:1;\n",
                                "\"%s\", __get_str(device)")}});
    Reader reader(tep.get());
    EXPECT_FALSE(reader.table().defines(RecordKind::io_page_fault));
    EXPECT_FALSE(observed_types(reader.table()).has(EventType::iopf));
}

TEST(TraceDatDecoders, KprobeBindPairsWithItsReturnOnTheSameThread) {
    Tep tep;
    tep.parse(era_formats(true, false));
    Reader reader(tep.get());
    const auto observed = observed_types(reader.table());
    EXPECT_TRUE(observed.has(EventType::bind));
    EXPECT_TRUE(observed.has(EventType::pasid_free)) << "from the ioasid_put pair";
    EXPECT_FALSE(observed.has(EventType::unbind));
    EXPECT_EQ(mmdrop_probe(reader.table()), core::MmdropProbe::entry);

    Record entry(kBind, 700);
    entry.dynamic(16, "0000:6a:01.0").put(24, std::uint64_t{0xffff888104a3c000});
    EXPECT_FALSE(reader.feed(entry));
    EXPECT_EQ(reader.outcome(), MapOutcome::consumed);
    Record other_thread(kBindRet, 701);
    other_thread.put(24, std::uint64_t{0xffff88810badc000}).put(32, std::uint32_t{3});
    EXPECT_FALSE(reader.feed(other_thread)) << "a return on another thread pairs with nothing";
    EXPECT_EQ(reader.outcome(), MapOutcome::skipped);
    Record ret(kBindRet, 700);
    ret.put(24, std::uint64_t{0xffff88810badc000}).put(32, std::uint32_t{3});
    auto bind = reader.feed(ret, 2000);
    ASSERT_TRUE(bind);
    EXPECT_EQ(bind->type, EventType::bind);
    EXPECT_EQ(bind->ts, 2000u) << "stamped when the bind returned";
    EXPECT_EQ(bind->dev, core::Ident::text("0000:6a:01.0"));
    EXPECT_EQ(bind->mm, core::Ident::address(0xffff888104a3c000));
    EXPECT_EQ(bind->handle, core::Ident::address(0xffff88810badc000));
    EXPECT_EQ(bind->pasid, 3u);
    EXPECT_EQ(bind->ret, 0);

    reader.feed(entry);
    Record failed(kBindRet, 700);
    failed.put(24, static_cast<std::uint64_t>(-95)).put(32, std::uint32_t{0xdead});
    auto fail = reader.feed(failed);
    ASSERT_TRUE(fail);
    EXPECT_EQ(fail->ret, -95);
    EXPECT_FALSE(fail->handle.present());
    EXPECT_FALSE(fail->pasid) << "what the fetch read through ERR_PTR is not a PASID";
}

TEST(TraceDatDecoders, IoasidPutFreesOnlyWhenItReturnsTrue) {
    Tep tep;
    tep.parse(era_formats(true, false));
    Reader reader(tep.get());
    Record put(kPut, 9);
    put.put(16, std::uint32_t{12});
    Record kept(kPutRet, 9);
    kept.put(24, std::uint8_t{0});
    Record freed(kPutRet, 9);
    freed.put(24, std::uint8_t{1});
    reader.feed(put);
    EXPECT_FALSE(reader.feed(kept));
    EXPECT_EQ(reader.outcome(), MapOutcome::consumed) << "a reference dropped, not a free";
    reader.feed(put);
    auto free = reader.feed(freed);
    ASSERT_TRUE(free);
    EXPECT_EQ(free->type, EventType::pasid_free);
    EXPECT_EQ(free->pasid, 12u);
}

TEST(TraceDatDecoders, ExecTakesTheMmOfSetupNewExecAndTheOldThreadId) {
    Tep tep;
    tep.parse(era_formats(true, false));
    tep_register_comm(tep.get(), "sh", 200);
    Reader reader(tep.get());
    Record mm(kExecMm, 200);
    mm.put(16, std::uint64_t{0xffff888100075140});
    EXPECT_FALSE(reader.feed(mm));
    // A non-leader thread 203 of group 200 execs: de_thread gave it id 200.
    Record exec(kExec, 200);
    exec.dynamic(8, "/usr/bin/a-rather-long-program-name").put(12, 200).put(16, 203);
    auto e = reader.feed(exec);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->type, EventType::exec);
    EXPECT_EQ(e->tid, 203u) << "the thread whose MSR reference exec ends";
    EXPECT_EQ(e->pid, 200u);
    EXPECT_EQ(e->comm, "a-rather-long-p") << "TASK_COMM_LEN - 1 bytes of the file's base name";
    EXPECT_EQ(e->mm, core::Ident::address(0xffff888100075140));

    Record drop(kMmdrop, 200);
    drop.put(16, std::uint64_t{0xffff888100075140});
    auto d = reader.feed(drop);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->comm, "a-rather-long-p");
}

TEST(TraceDatDecoders, CommComesFromTheFileCmdlinesWhenNoRecordNamedIt) {
    Tep tep;
    tep.parse(era_formats(false, false));
    tep_register_comm(tep.get(), "idxd-app", 77);
    Reader reader(tep.get());
    Record r(kWriteMsr, 77);
    r.put(8, std::uint32_t{0xd93}).put(16, std::uint64_t{0x80000003});
    EXPECT_EQ(reader.feed(r)->comm, "idxd-app");
    Record unknown(kWriteMsr, 78);
    unknown.put(8, std::uint32_t{0xd93}).put(16, std::uint64_t{0x80000003});
    EXPECT_EQ(reader.feed(unknown)->comm, "") << "libtraceevent's \"<...>\" is no comm";
}

TEST(TraceDatDecoders, CorruptRecordsAreErrorsNotEvents) {
    Tep tep;
    tep.parse(era_formats(false, false));
    Reader reader(tep.get());
    Record undefined(999, 1);
    EXPECT_FALSE(reader.feed(undefined));
    EXPECT_EQ(reader.last(), DecodeResult::corrupt);
    EXPECT_NE(reader.problem().find("event id 999"), std::string::npos);
    Record shortened(kWriteMsr, 1);
    shortened.put(8, std::uint32_t{0xd93}).truncate(12);
    EXPECT_FALSE(reader.feed(shortened));
    EXPECT_EQ(reader.last(), DecodeResult::corrupt);
    Record bad_loc(kCacheFree, 1);
    bad_loc.put(16, std::uint64_t{1}).put(24, std::uint32_t{(200u << 16) | 40u});  // 200 bytes at 40: past the end
    EXPECT_FALSE(reader.feed(bad_loc));
    EXPECT_EQ(reader.last(), DecodeResult::corrupt);
    Record other(kOther, 1);
    EXPECT_FALSE(reader.feed(other));
    EXPECT_EQ(reader.last(), DecodeResult::not_ours);
}

// A big-endian file (s390x, ppc64 BE): libtraceevent swaps every number.
TEST(TraceDatDecoders, BigEndianFilesReadTheSame) {
    Tep tep(true);
    tep.parse(era_formats(false, false));
    Reader reader(tep.get());
    Record r(kWriteMsr, 4242, true);
    r.put(8, std::uint32_t{0xd93}).put(16, std::uint64_t{0x80000000u | 77u});
    auto load = reader.feed(r);
    ASSERT_TRUE(load);
    EXPECT_EQ(load->pasid, 77u);
    EXPECT_EQ(load->tid, 4242u);
}

TEST(TraceDatDecoders, TracepointOnlyFilesObserveNoProbeTypes) {
    Tep tep;
    tep.parse(era_formats(false, false));
    Reader reader(tep.get());
    const auto o = observed_types(reader.table());
    for (EventType t : {EventType::fork, EventType::exec, EventType::exit, EventType::mmdrop, EventType::pasid_msr,
                        EventType::iopf, EventType::lost})
        EXPECT_TRUE(o.has(t)) << core::to_string(t);
    for (EventType t :
         {EventType::bind, EventType::unbind, EventType::pasid_alloc, EventType::pasid_free, EventType::mmput})
        EXPECT_FALSE(o.has(t)) << core::to_string(t);
}

}  // namespace
}  // namespace pasidtrace::sources::tracedat
