/// \file
/// Detection of abnormal situations (нештатные ситуации, 001 §3.4.4) and the VEE checks of meter data
/// management. Pure functions over series, events and the fleet; every threshold is a parameter with a
/// documented default (docs/anomalies.md gives the rules and their sources). Each anomaly has a stable key,
/// so a store that keeps them (store::put_anomalies) records nothing twice when detection runs again.
///
/// Rules, with the seeds' wording where the seeds show one:
/// - reading_decrease: «Прибор учета 98990006: Предыдущие показания: 352.2480, текущие показания: 352.2400»
///   (a decrease that is no rollover; values shown with the resource's places);
/// - rollover (info): the register wrapped past 10^digits;
/// - no_link: «Прибор учета не на связи более 10 дн. Последний сеанс связи был 26.06.2020 11:58» — the count
/// is
///   of local calendar days between the last session and `now` (26.06 → 06.07 is 10), reported from
///   `no_link_days` on. The last session is the last one that reached the meter when the host gives the
///   meter's sessions (anomaly_input::link), its last reading otherwise (algorithms/meter_state.hpp,
///   last_contact); a meter not on control (meter::under_control false) is not reported;
/// - tamper, fault, relay_off: meter events of those kinds (event_kind), one anomaly per event;
/// - tariff_sum_mismatch: T1..Tn differ from the total by more than a tolerance (001 Figure 14);
/// - stuck_register: the total does not move over at least `stuck_days` while readings keep coming;
/// - consumption_after_removal: the register grows after the meter's removal date;
/// - future_reading: a reading stamped after `now` + tolerance (clock drift);
/// - gap: consecutive readings further apart than `max_gap` (info: the consumption is bridged);
/// - spike: a local day's consumption above `spike_factor` × the median of the days before it;
/// - building_imbalance: a building's balance meters against the sum of its individual meters over a
///   complete month, beyond `balance_tolerance` either way (the ОДН imbalance: theft, faults, unmetered use);
/// - verification_expired: verification.hpp says expired on `now`'s local date;
/// - data_inconsistency: the meter's own validation issues (installation before manufacture, …);
/// - high_usage, low_usage: a complete month above `high_factor` × or below `low_factor` × the mean of up to
///   `usage_history_months` complete months before it (at least `usage_min_months`);
/// - zero_consumption: a complete month without consumption on a meter in service;
/// - duplicate_reading: two different readings of one meter at one time in a batch (duplicate_readings()).
#pragma once

#include <map>
#include <span>
#include <tuple>
#include <vector>

#include "kvant/algorithms/verification.hpp"
#include "kvant/core/export.hpp"
#include "kvant/model/anomaly.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/model/meter_event.hpp"
#include "kvant/model/reading_table.hpp"
#include "kvant/series/meter_series.hpp"

namespace kvant {
inline namespace v0 {

struct anomaly_thresholds {
    int no_link_days = 10;                                     ///< 001 §3.4.4 reports "более 10 дн."
    seconds max_gap{std::chrono::hours{72}};                   ///< readings further apart make a gap
    seconds future_tolerance{std::chrono::minutes{5}};         ///< a clock this far ahead is drift
    int stuck_days = 7;                                        ///< no movement for this many days while read
    decimal tariff_sum_tolerance = decimal::from_raw(10'000);  ///< 0.01 of a unit
    decimal spike_factor = decimal::from_integer(5);           ///< a day above 5 × the median of the history
    int spike_history_days = 30;                               ///< days of history for the median
    int spike_min_days = 7;                                    ///< fewer days of history: no spike check
    decimal balance_tolerance = decimal::from_raw(100'000);    ///< 0.1 = 10 % either way
    decimal high_factor = decimal::from_integer(2);            ///< a month above twice its history's mean
    decimal low_factor = decimal::from_raw(500'000);           ///< a month below half its history's mean
    int usage_history_months = 12;                             ///< months of history for the mean
    int usage_min_months = 3;                                  ///< fewer: no high/low check
};

/// One meter as detection sees it.
struct anomaly_input {
    const meter* m = nullptr;
    const meter_series* series = nullptr;  ///< its readings
    std::span<const meter_event> events;   ///< its events
    const link_summary* link = nullptr;    ///< its sessions (store::link_summaries), when the host has them
};

/// The rules of one meter (everything but the building balances). Meters are independent: a host may run
/// them on many threads and in meter groups streamed from a store.
KVANT_API std::vector<anomaly> meter_anomalies(const fleet& f, const anomaly_input& meter, instant now,
                                               const anomaly_thresholds& t = {},
                                               const verification_policy& vp = {});

/// One meter's monthly totals toward its building's balance (computed per meter, on any thread).
struct balance_part {
    struct month {
        std::string building;
        resource measures = resource::electricity;
        bool building_meter = false;  ///< ОДПУ (meter_role::building) rather than an individual meter
        std::string meter;
        instant begin, end;
        zone z;
        long long day = 0;  ///< the month's start date, days since 1970-01-01
        std::int64_t value = 0;
        bool complete = false;
    };
    std::vector<month> months;
};
KVANT_API balance_part balance_part_of(const fleet& f, const anomaly_input& meter);

/// The building balances (ОДПУ against the sum of ИПУ, per building, resource and month), fed one meter's
/// part at a time in any order; 128-bit sums, so the result does not depend on the order.
class KVANT_API building_balance {
  public:
    void add(const balance_part& part);
    std::vector<anomaly> anomalies(const anomaly_thresholds& t = {}) const;

  private:
    struct sums {
        detail::wide_sum building, individual;
        bool complete = true;
        instant begin, end;
        zone z;
        std::string first_building_meter;
    };
    std::map<std::tuple<std::string, resource, long long>, sums> cells_;
};

/// Every rule over every meter, plus the building balances. `now` sets "today" and the link ages.
KVANT_API std::vector<anomaly> detect_anomalies(const fleet& f, std::span<const anomaly_input> meters,
                                                instant now, const anomaly_thresholds& t = {},
                                                const verification_policy& vp = {});

/// Readings of one meter at one time with different values within a batch (before it reaches a store, which
/// would refuse or resolve them by its conflict policy).
KVANT_API std::vector<anomaly> duplicate_readings(const fleet& f, const reading_table& batch);

}  // namespace v0
}  // namespace kvant
