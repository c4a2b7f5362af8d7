/// \file
/// Anomaly detection over a store, as `kvant anomalies detect` runs it and the C API and Python call it:
/// every meter's rules (with its events and link summary), the meters without readings, then the building
/// balances, streamed over the store a group of meters at a time. `detect_anomalies` only finds; the caller
/// stores what it found (`store::put_anomalies`).
#pragma once

#include <optional>
#include <vector>

#include "kvant/algorithms/anomalies.hpp"
#include "kvant/algorithms/verification.hpp"
#include "kvant/core/export.hpp"
#include "kvant/io/event_catalogue.hpp"
#include "kvant/model/comm_session.hpp"
#include "kvant/reports/meter_source.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

struct detection_options {
    instant at;  ///< detection as it would have run then: data up to it only
    anomaly_thresholds thresholds;
    verification_policy verification;
    /// Events classified by this catalogue before the rules see them (their stored class otherwise).
    std::optional<event_catalogue> catalogue;
    /// Only anomalies lasting into the last `days` days before `at` (1..36500); the rules still read the
    /// history they look back over. None: the whole history.
    std::optional<int> days;
    run_options run;
};

/// The anomalies the rules find in the store's data up to `o.at`.
KVANT_API std::vector<anomaly> detect_anomalies(const store& db, const detection_options& o);

/// A meter's link summary as it stood at `at`: `latest` when its last session began by then, else rebuilt
/// from the sessions up to `at`.
KVANT_API link_summary link_as_of(const store& db, const link_summary& latest, instant at);

}  // namespace v0
}  // namespace kvant
