// SPDX-License-Identifier: GPL-2.0-only
// The trace header of a trace.dat file: kernel release from the file's
// uname, and the `observed` list from which events its format section
// defines (contract section 1), so a recording without a probe shows the
// rules that need it as unchecked.
#pragma once

#include "core/trace_header.hpp"
#include "sources/tracedat_decoders.hpp"
#include "sources/tracedat_file.hpp"

namespace pasidtrace::sources::tracedat {

core::ObservedTypes observed_types(const DecoderTable& table);
core::MmdropProbe mmdrop_probe(const DecoderTable& table);
core::TraceHeader make_header(const FileFacts& facts, const DecoderTable& table);

}  // namespace pasidtrace::sources::tracedat
