/// \file
/// One description per entity. Each entity's fields are written once, beside its struct, as a
/// `description<T>`: the entity's name and a tuple of `field`s (key in JSON and column in CSV, the member,
/// one line of documentation, whether it is required). JSON (model/json.hpp), the CSV columns of import and
/// export, the store's documents, `kvant fields` (what the C API and Python bindings read) and the tables of
/// docs/csv.md are all derived from it, so adding a field is one line here and a test.
///
/// The first field is the entity's key. A field's type decides how it is written and read (model/json.hpp):
/// text, bool, int, decimal, calendar_date, instant, zone, any enum with a name table (detail/enum_text.hpp),
/// and std::optional of each. Defaults are those of the struct: a field absent on input keeps the value of a
/// default-constructed entity.
#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

namespace kvant {
inline namespace v0 {

/// One field of entity T held in member of type M.
template <class T, class M>
struct field {
    std::string_view name;  ///< the JSON key and CSV column
    M T::*member;
    std::string_view doc;   ///< one line for docs/csv.md (units, ranges, the meaning of a default)
    bool required = false;  ///< an input without it is refused (missing_field)
};
// Written out for compilers without class template argument deduction for aggregates (Clang before 17,
// which the fuzz build and scripts/fuzz.sh use): `field{"serial", &meter::serial, "…", true}`.
template <class T, class M>
field(std::string_view, M T::*, std::string_view) -> field<T, M>;
template <class T, class M>
field(std::string_view, M T::*, std::string_view, bool) -> field<T, M>;

/// Specialised for each entity: `static constexpr std::string_view entity` (the name in messages: "meter")
/// and `static constexpr auto fields` (a std::tuple of field, the key first).
template <class T>
struct description;

template <class T>
concept described = requires {
    { description<T>::entity } -> std::convertible_to<std::string_view>;
    std::tuple_size<std::remove_cvref_t<decltype(description<T>::fields)>>::value;
};

/// Calls f(field) for every field of T, in order.
template <described T, class F>
constexpr void for_each_field(F&& f) {
    std::apply([&](const auto&... each) { (f(each), ...); }, description<T>::fields);
}

/// The number of fields of T.
template <described T>
constexpr std::size_t field_count() noexcept {
    return std::tuple_size_v<std::remove_cvref_t<decltype(description<T>::fields)>>;
}

/// The entity's key (the first field's value).
template <described T>
constexpr const auto& key_of(const T& e) noexcept {
    return e.*(std::get<0>(description<T>::fields).member);
}

}  // namespace v0
}  // namespace kvant
