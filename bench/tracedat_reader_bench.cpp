// SPDX-License-Identifier: GPL-2.0-only
// Reader throughput on a trace.dat: records in, contract events out, nothing
// else. The file is $PASIDTRACE_BENCH_TRACEDAT (the big.dat that
// run-tracedat-bench.sh records) or the sample recordings.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <variant>

#include "sources/source_factory.hpp"

namespace {

std::string bench_file() {
    if (const char* f = std::getenv("PASIDTRACE_BENCH_TRACEDAT"); f && *f) return f;
    return std::string(PASIDTRACE_SOURCE_DIR) + "/samples/tracedat/processes.dat";
}

void read_trace_dat(benchmark::State& state) {
    const std::string file = bench_file();
    std::uint64_t events = 0;
    for (auto _ : state) {
        auto opened = pasidtrace::sources::open_source(file);
        if (auto* err = std::get_if<pasidtrace::core::InputError>(&opened)) {
            state.SkipWithError(err->to_string().c_str());
            return;
        }
        auto& source = *std::get<std::unique_ptr<pasidtrace::sources::EventSource>>(opened);
        pasidtrace::core::Event e;
        while (source.next(e) == pasidtrace::sources::ReadStatus::event) ++events;
    }
    state.counters["events"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(read_trace_dat)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
