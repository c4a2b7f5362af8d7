/// \file
/// Internal: one table per enum maps values to their stable text names (used in CSV, JSON and SQL), so that
/// to_string and parsing never disagree.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
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

/// An enum with a name table: `enum_names(e)` finds the table by argument-dependent lookup. Every enum of
/// the library is one (KVANT_ENUM_TEXT beside it), so that `to_string(e)`, `parse_enum<E>(text)` and
/// `try_parse_enum<E>(text)` work alike for all of them, and generic code (the field descriptions of
/// model/fields.hpp, JSON, CSV) reads and writes any of them.
template <class E>
concept named_enum = std::is_enum_v<E> && requires(E e) {
    enum_names(e).name(e);
};

/// The value a name stands for; parse_error(errc::invalid_enum) listing the names otherwise.
template <named_enum E>
E parse_enum(std::string_view s, location where = {}) {
    return enum_names(E{}).parse(s, std::move(where));
}
/// The value a name stands for, or nothing.
template <named_enum E>
std::optional<E> try_parse_enum(std::string_view s) noexcept {
    return enum_names(E{}).find(s);
}
/// Every value of the enum, in the order of its table.
template <named_enum E>
constexpr auto enum_values() noexcept {
    std::array<E, enum_names(E{}).names.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = enum_names(E{}).names[i].first;
    return out;
}

}  // namespace v0
}  // namespace kvant

/// Declares an enum's name table to the generic functions above and its `to_string`. Use it in the enum's
/// namespace, after the table.
#define KVANT_ENUM_TEXT(E, table)                     \
    constexpr const auto& enum_names(E) noexcept {    \
        return table;                                 \
    }                                                 \
    inline std::string_view to_string(E e) noexcept { \
        return table.name(e);                         \
    }
