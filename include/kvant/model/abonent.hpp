/// \file
/// Абонент: a consumer of utility resources, a person or a legal entity, under one organisation.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/time.hpp"
#include "kvant/model/fields.hpp"

#include "kvant/model/enums.hpp"

namespace kvant {
inline namespace v0 {

struct abonent {
    std::string id;            ///< the library's key
    std::string organization;  ///< organization::id
    abonent_kind kind = abonent_kind::person;
    std::string name;  ///< full name (ФИО) or the legal name
    std::string phone;
    std::string email;
    std::optional<instant>
        registered;  ///< when they registered in the host's cabinet or bot; absent: not yet

    friend bool operator==(const abonent&, const abonent&) = default;
};

template <>
struct description<abonent> {
    static constexpr std::string_view entity = "abonent";
    static constexpr auto fields =
        std::tuple{field{"id", &abonent::id, "the library's key", true},
                   field{"organization", &abonent::organization, "an organization id", true},
                   field{"kind", &abonent::kind, ""},
                   field{"name", &abonent::name, "ФИО or the legal name", true},
                   field{"phone", &abonent::phone, ""},
                   field{"email", &abonent::email, ""},
                   field{"registered", &abonent::registered,
                         "when they registered in the host's cabinet or bot; empty: not registered"}};
};

}  // namespace v0
}  // namespace kvant
