// SPDX-License-Identifier: GPL-2.0-only
// What reading a recording of each scenario must give, checked against the
// scenario's ground truth (the pids and pointers the scenario processes
// themselves reported), for live recordings and for the fixtures alike.
#pragma once

#include <string>

#include "tracedat_test_support.hpp"

namespace pasidtrace::tracedat_test {

// Exactly the scenario's forks, execs and exits, with pids, tids, comms and
// group_dead right, and the mm free at A's exec.
void expect_process_events(const ReadResult& read, const ProcessTruth& truth);

// The SVA stand-ins' binds, unbinds, allocs, frees, mmputs and mmdrops.
void expect_sva_events(const ReadResult& read, const SvaTruth& truth);

// `pasidtrace analyze --format json FILE`, parsed; fails the test on a
// non-JSON answer.
struct AnalyzeRun {
    int rc = -1;
    std::string json_text;
    std::string err;
};
AnalyzeRun analyze_json(const std::string& path);

// The process scenario analyzed: exit 0, no findings, format trace.dat.
void expect_clean_analysis(const std::string& path);

// The SVA scenario analyzed: PASID of pt-sva-app freed at its drop, PASID of
// pt-sva-early early-freed, one early-free-bound finding, one failed bind.
void expect_sva_analysis(const std::string& path, const SvaTruth& truth);

}  // namespace pasidtrace::tracedat_test
