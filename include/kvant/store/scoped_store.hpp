/// \file
/// `scoped_store`: a store limited to one organisation (a tenant), so that "an administrator sees only their
/// organisation" (001 §3.2) is enforced by the library. It wraps another store and is a `store` itself, so
/// everything that takes a store (queries, algorithms' inputs, the CLI) works through it unchanged.
///
/// What it lets through (docs/queries.md):
/// - Reads give only the organisation's own: its organization row, abonents, accounts, points and meters
///   (a meter through its point; a meter without a point belongs to no organisation), those meters'
///   readings and events, anomalies of those meters (or of its accounts), the change log's records of the
///   organisation. `find` of another organisation's key gives nothing, as for an unknown key. Meter models
///   are a shared catalogue: all readable.
/// - Writes must land in the organisation: an abonent of another organisation, an account of another
///   organisation's abonent (unknown_reference, as the abonent is not visible), a key another organisation
///   holds already, a meter without a point, a meter model (shared) are refused with validation_error
///   naming the organisation. Readings and events of another organisation's meter: unknown meter.
///
/// Every call a backend implements is pure virtual in `store`; this class overrides each one, so a call
/// added to `store` later does not compile here until it is scoped (the class would stay abstract).
#pragma once

#include <string>

#include "kvant/core/export.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

class KVANT_API scoped_store final : public store {
  public:
    /// Limits `inner` to the organisation `organization` (its id; must be stored: not_found otherwise).
    /// `inner` must outlive the scope.
    scoped_store(store& inner, std::string organization);

    const std::string& organization_id() const noexcept { return org_; }

    std::unique_ptr<reading_cursor> scan(const series_query& q) const override;
    std::vector<last_value> last_values(std::string_view meter) const override;
    std::size_t reading_count(std::string_view meter = {}) const override;
    std::vector<meter_event> events(std::string_view meter, instant from, instant to) const override;
    // ---- meter state
    std::vector<relay_change> relay_history(std::string_view meter, instant from, instant to) const override;
    std::vector<relay_change> relay_at(instant at, std::string_view meter = {}) const override;
    std::vector<comm_session> sessions(std::string_view meter, instant from, instant to) const override;
    std::vector<link_summary> link_summaries(std::string_view meter = {}) const override;

    write_stats put_anomalies(std::span<const anomaly> found) override;
    std::vector<anomaly> anomalies(std::optional<anomaly_status> status = {}) const override;
    bool resolve_anomaly(std::string_view key, instant at, std::string_view by,
                         std::string_view note = {}) override;

    void begin() override;
    void commit() override;
    void rollback() noexcept override;

    // ---- queries
    std::vector<change> changes(const change_query& q) const override;
    bool reopen_anomaly(std::string_view key, instant at, std::string_view by,
                        std::string_view note = {}) override;
    std::vector<anomaly_action> anomaly_history(std::string_view key) const override;

    // ---- entry
    std::vector<entry_record> entries(std::string_view meter, instant from, instant to) const override;

  protected:
    bool load(std::string_view key, organization& out) const override;
    bool load(std::string_view key, abonent& out) const override;
    bool load(std::string_view key, account& out) const override;
    bool load(std::string_view key, metering_point& out) const override;
    bool load(std::string_view key, meter_model& out) const override;
    bool load(std::string_view key, meter& out) const override;
    void list(std::vector<organization>& out) const override;
    void list(std::vector<abonent>& out) const override;
    void list(std::vector<account>& out) const override;
    void list(std::vector<metering_point>& out) const override;
    void list(std::vector<meter_model>& out) const override;
    void list(std::vector<meter>& out) const override;
    bool has_meter(std::string_view serial) const override;
    bool needs_implicit_transactions() const noexcept override {
        return inner_.needs_implicit_transactions();
    }
    void store_entity(const organization& o) override;
    void store_entity(const abonent& a) override;
    void store_entity(const account& a) override;
    void store_entity(const metering_point& p) override;
    void store_entity(const meter_model& m) override;
    void store_entity(const meter& m) override;
    write_stats store_readings(const reading_table& batch, on_conflict policy) override;
    write_stats store_events(std::span<const meter_event> events, on_conflict policy) override;
    // ---- meter state
    write_stats store_relay_changes(std::span<const relay_change> changes, on_conflict policy) override;
    write_stats store_sessions(std::span<const comm_session> sessions, on_conflict policy) override;
    // ---- tariffs
    bool load(std::string_view key, tariff_schedule& out) const override;
    bool load(std::string_view key, tariff_assignment& out) const override;
    bool load(std::string_view key, tariff_rate& out) const override;
    bool load(std::string_view key, normative& out) const override;
    void list(std::vector<tariff_schedule>& out) const override;
    void list(std::vector<tariff_assignment>& out) const override;
    void list(std::vector<tariff_rate>& out) const override;
    void list(std::vector<normative>& out) const override;
    void store_entity(const tariff_schedule& s) override;
    void store_entity(const tariff_assignment& a) override;
    void store_entity(const tariff_rate& r) override;
    void store_entity(const normative& n) override;
    bool erase_schedule(std::string_view id) override;
    bool erase_assignment(std::string_view key) override;
    bool erase_rate(std::string_view key) override;
    bool erase_normative(std::string_view key) override;
    // ---- queries
    void list_in(std::string_view org, std::vector<abonent>& out) const override;
    void list_in(std::string_view org, std::vector<account>& out) const override;
    void list_in(std::string_view org, std::vector<metering_point>& out) const override;
    void list_in(std::string_view org, std::vector<meter>& out) const override;
    void erase_entity(entity_kind kind, std::string_view key) override;
    void append_change(const change& c) override;
    using store::list_in;
    // ---- entry
    void store_entry(const entry_record& e) override;

  private:
    /// Whether a tariff row's scope lies in this organisation (its own id, a building of its accounts, one of
    /// its meters).
    bool visible(tariff_scope scope, const std::string& target) const;
    /// Whether a tariff row may be written or removed through this scope: visible, and for a building, no
    /// account of another organisation in it (a building row would bill that account too).
    bool writable(tariff_scope scope, const std::string& target) const;
    bool mine(entity_kind kind, std::string_view key) const;
    bool mine(const anomaly& a) const;
    /// Refuses a write of `key` when the inner store holds it under another organisation.
    void refuse_foreign(entity_kind kind, const std::string& key) const;
    store& inner_;
    std::string org_;
};

}  // namespace v0
}  // namespace kvant
