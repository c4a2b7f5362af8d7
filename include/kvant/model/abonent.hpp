/// \file
/// Абонент: a consumer of utility resources, a person or a legal entity, under one organisation.
#pragma once

#include <optional>
#include <string>

#include "kvant/core/time.hpp"

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

}  // namespace v0
}  // namespace kvant
