// SPDX-License-Identifier: GPL-2.0-only
// Lifetime models (contract 2.2) and how `auto` picks one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pasidtrace::core {

enum class Model { mm, task_refcount };
enum class ModelChoice { automatic, mm, task_refcount };

std::string_view to_string(Model m);  // "mm", "task-refcount"
std::optional<ModelChoice> model_choice_from_string(std::string_view s);

// 5.18 (with 2667ed10d9f0 in rc6) moved the PASID to the mm for good; earlier
// kernels free it at the last unbind, which is task-refcount with no threads.
// An unknown or unparsable release resolves to `mm`.
Model resolve_model(ModelChoice choice, const std::optional<std::string>& kernel_release);

}  // namespace pasidtrace::core
