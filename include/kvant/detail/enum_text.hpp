/// \file
/// Internal: one table per enum maps values to their stable text names (used in CSV, JSON and SQL), so that
/// to_string and parsing never disagree.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "kvant/core/error.hpp"
#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

template <class E, std::size_t N>
struct enum_text {
    std::string_view type_name;
    std::array<std::pair<E, std::string_view>, N> names;

    constexpr std::string_view name(E e) const noexcept {
        for (const auto& [v, n] : names)
            if (v == e) return n;
        return "?";
    }
    constexpr std::optional<E> find(std::string_view s) const noexcept {
        for (const auto& [v, n] : names)
            if (n == s) return v;
        return std::nullopt;
    }
    E parse(std::string_view s, location where = {}) const {
        if (auto v = find(s)) return *v;
        std::string allowed;
        for (const auto& [v, n] : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
        throw parse_error(
            errc::invalid_enum,
            "unknown " + std::string(type_name) + " " + excerpt(s) + " (expected one of: " + allowed + ")",
            std::move(where));
    }
};

}  // namespace detail
}  // namespace v0
}  // namespace kvant
