// SPDX-License-Identifier: GPL-2.0-only
// Opens an input by path ("-" for standard input) and picks the reader by
// the file's first bytes, not its name.
#pragma once

#include <memory>
#include <string>
#include <variant>

#include "core/error.hpp"
#include "sources/event_source.hpp"

namespace pasidtrace::sources {

std::variant<std::unique_ptr<EventSource>, core::InputError> open_source(const std::string& path);

}  // namespace pasidtrace::sources
