/// \file
/// `memory_store`: the store held in process memory. For tests, examples and hosts with small data. Each open
/// transaction level snapshots the whole state and restores it on rollback: simple and exact, but a copy per
/// level (single writes need none, being atomic by themselves). Use sqlite_store for large data.
#pragma once

#include <map>
#include <memory>

#include "kvant/core/export.hpp"
#include "kvant/store/store.hpp"

namespace kvant {
inline namespace v0 {

class KVANT_API memory_store final : public store {
  public:
    memory_store();
    ~memory_store() override;

    std::unique_ptr<reading_cursor> scan(const series_query& q) const override;
    std::vector<last_value> last_values(std::string_view meter) const override;
    std::size_t reading_count(std::string_view meter = {}) const override;
    std::vector<meter_event> events(std::string_view meter, instant from, instant to) const override;

    write_stats put_anomalies(std::span<const anomaly> found) override;
    std::vector<anomaly> anomalies(std::optional<anomaly_status> status = {}) const override;
    bool resolve_anomaly(std::string_view key, instant at, std::string_view by,
                         std::string_view note = {}) override;

    // ---- queries
    std::vector<change> changes(const change_query& q) const override;
    bool reopen_anomaly(std::string_view key, instant at, std::string_view by,
                        std::string_view note = {}) override;
    std::vector<anomaly_action> anomaly_history(std::string_view key) const override;

    // ---- entry
    std::vector<entry_record> entries(std::string_view meter, instant from, instant to) const override;
    // ---- meter state
    std::vector<relay_change> relay_history(std::string_view meter, instant from, instant to) const override;
    std::vector<relay_change> relay_at(instant at, std::string_view meter = {}) const override;
    std::vector<comm_session> sessions(std::string_view meter, instant from, instant to) const override;
    std::vector<link_summary> link_summaries(std::string_view meter = {}) const override;

    void begin() override;
    void commit() override;
    void rollback() noexcept override;

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
    bool needs_implicit_transactions() const noexcept override { return false; }
    // ---- queries
    void list_in(std::string_view org, std::vector<abonent>& out) const override;
    void list_in(std::string_view org, std::vector<account>& out) const override;
    void list_in(std::string_view org, std::vector<metering_point>& out) const override;
    void list_in(std::string_view org, std::vector<meter>& out) const override;
    void erase_entity(entity_kind kind, std::string_view key) override;
    void append_change(const change& c) override;
    using store::list_in;
    void store_entity(const organization& o) override;
    void store_entity(const abonent& a) override;
    void store_entity(const account& a) override;
    void store_entity(const metering_point& p) override;
    void store_entity(const meter_model& m) override;
    void store_entity(const meter& m) override;
    write_stats store_readings(const reading_table& batch, on_conflict policy) override;
    write_stats store_events(std::span<const meter_event> events, on_conflict policy) override;
    // ---- entry
    void store_entry(const entry_record& e) override;
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

  private:
    struct state;
    std::unique_ptr<state> state_;
    std::vector<std::unique_ptr<state>> snapshots_;  // one per open transaction level
};

}  // namespace v0
}  // namespace kvant
