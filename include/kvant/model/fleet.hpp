/// \file
/// `fleet`: the entities of one store (or of any source) indexed by key, with the relations the algorithms
/// and hosts walk: meter → metering point → account → abonent → organization, and back. Immutable after
/// construction, so it can be shared between threads. It also applies the zone rule of the design: a meter's
/// calendar is taken in its own zone, else its organization's, else UTC.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/model/abonent.hpp"
#include "kvant/model/account.hpp"
#include "kvant/model/meter.hpp"
#include "kvant/model/meter_model.hpp"
#include "kvant/model/metering_point.hpp"
#include "kvant/model/organization.hpp"

namespace kvant {
inline namespace v0 {

class KVANT_API fleet {
  public:
    fleet();
    fleet(std::vector<organization> organizations, std::vector<abonent> abonents,
          std::vector<account> accounts, std::vector<metering_point> points, std::vector<meter_model> models,
          std::vector<meter> meters);
    fleet(fleet&&) noexcept;
    fleet& operator=(fleet&&) noexcept;
    ~fleet();

    const std::vector<organization>& organizations() const noexcept;
    const std::vector<abonent>& abonents() const noexcept;
    const std::vector<account>& accounts() const noexcept;
    const std::vector<metering_point>& points() const noexcept;
    const std::vector<meter_model>& models() const noexcept;
    const std::vector<meter>& meters() const noexcept;

    // lookups by key: null when absent
    const organization* find_organization(std::string_view id) const noexcept;
    const abonent* find_abonent(std::string_view id) const noexcept;
    const account* find_account(std::string_view number) const noexcept;
    const metering_point* find_point(std::string_view code) const noexcept;
    const meter_model* find_model(std::string_view id) const noexcept;
    const meter* find_meter(std::string_view serial) const noexcept;

    // upward relations: null when the link is absent
    const meter_model* model_of(const meter& m) const noexcept;
    const metering_point* point_of(const meter& m) const noexcept;
    const account* account_of(const meter& m) const noexcept;
    const abonent* abonent_of(const account& a) const noexcept;
    const organization* organization_of(const abonent& a) const noexcept;
    const organization* organization_of(const meter& m) const noexcept;

    // downward relations, in key order
    std::vector<const account*> accounts_of(const abonent& a) const;
    std::vector<const abonent*> abonents_of(const organization& o) const;
    /// The meters installed (now or ever) at the account's metering points, removed ones included.
    std::vector<const meter*> meters_of(const account& a) const;
    std::vector<const meter*> meters_of(const metering_point& p) const;

    /// The zone a meter's calendar is taken in: its own, else its organization's, else UTC.
    zone zone_of(const meter& m) const;
    /// The meter's number of tariff registers and register digits (meter override, else model).
    int tariff_registers_of(const meter& m) const noexcept;

  private:
    struct index;
    std::unique_ptr<index> ix_;
};

}  // namespace v0
}  // namespace kvant
