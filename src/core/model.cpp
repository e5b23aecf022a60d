// SPDX-License-Identifier: GPL-2.0-only
#include "core/model.hpp"

#include <charconv>

namespace pasidtrace::core {

std::string_view to_string(Model m) { return m == Model::mm ? "mm" : "task-refcount"; }

std::optional<ModelChoice> model_choice_from_string(std::string_view s) {
    if (s == "auto") return ModelChoice::automatic;
    if (s == "mm") return ModelChoice::mm;
    if (s == "task-refcount") return ModelChoice::task_refcount;
    return std::nullopt;
}

namespace {

// "5.15.0-91-generic" -> {5, 15}; nothing when it does not start "N.N".
std::optional<std::pair<int, int>> major_minor(std::string_view release) {
    int major = 0, minor = 0;
    const char* p = release.data();
    const char* end = p + release.size();
    auto r = std::from_chars(p, end, major);
    if (r.ec != std::errc{} || r.ptr == end || *r.ptr != '.') return std::nullopt;
    r = std::from_chars(r.ptr + 1, end, minor);
    if (r.ec != std::errc{}) return std::nullopt;
    return std::pair{major, minor};
}

}  // namespace

Model resolve_model(ModelChoice choice, const std::optional<std::string>& kernel_release) {
    if (choice == ModelChoice::mm) return Model::mm;
    if (choice == ModelChoice::task_refcount) return Model::task_refcount;
    if (!kernel_release) return Model::mm;
    auto mm = major_minor(*kernel_release);
    if (!mm) return Model::mm;
    return *mm < std::pair{5, 18} ? Model::task_refcount : Model::mm;
}

}  // namespace pasidtrace::core
