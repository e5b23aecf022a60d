// SPDX-License-Identifier: GPL-2.0-only
#include "core/event.hpp"

#include <array>

namespace pasidtrace::core {
namespace {

struct TypeName {
    EventType type;
    std::string_view name;
};

constexpr std::array<TypeName, 12> kTypeNames{{
    {EventType::pasid_alloc, "pasid_alloc"},
    {EventType::pasid_free, "pasid_free"},
    {EventType::bind, "bind"},
    {EventType::unbind, "unbind"},
    {EventType::pasid_msr, "pasid_msr"},
    {EventType::fork, "fork"},
    {EventType::exec, "exec"},
    {EventType::exit, "exit"},
    {EventType::mmput, "mmput"},
    {EventType::mmdrop, "mmdrop"},
    {EventType::iopf, "iopf"},
    {EventType::lost, "lost"},
}};

}  // namespace

std::string_view to_string(EventType t) {
    for (const auto& tn : kTypeNames)
        if (tn.type == t) return tn.name;
    return "unknown";
}

std::optional<EventType> event_type_from_string(std::string_view name) {
    for (const auto& tn : kTypeNames)
        if (tn.name == name) return tn.type;
    return std::nullopt;
}

}  // namespace pasidtrace::core
