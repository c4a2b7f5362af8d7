#include "kvant/store/postgres_store.hpp"

#include "postgres_impl.hpp"

// placeholder: every call below is being written (issue 14)
namespace kvant {
inline namespace v0 {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
std::vector<meter_event> postgres_store::events(std::string_view meter, instant from, instant to) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
write_stats postgres_store::put_anomalies(std::span<const anomaly> found) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<anomaly> postgres_store::anomalies(std::optional<anomaly_status> status) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::resolve_anomaly(std::string_view key, instant at, std::string_view by,
                                     std::string_view note) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
bool postgres_store::reopen_anomaly(std::string_view key, instant at, std::string_view by,
                                    std::string_view note) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<anomaly_action> postgres_store::anomaly_history(std::string_view key) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<entry_record> postgres_store::entries(std::string_view meter, instant from, instant to) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<relay_change> postgres_store::relay_history(std::string_view meter, instant from,
                                                        instant to) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<relay_change> postgres_store::relay_at(instant at, std::string_view meter) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<comm_session> postgres_store::sessions(std::string_view meter, instant from, instant to) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<link_summary> postgres_store::link_summaries(std::string_view meter) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
write_stats postgres_store::store_events(std::span<const meter_event> events, on_conflict policy) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
void postgres_store::store_entry(const entry_record& e) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
write_stats postgres_store::store_relay_changes(std::span<const relay_change> changes, on_conflict policy) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
write_stats postgres_store::store_sessions(std::span<const comm_session> sessions, on_conflict policy) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
#pragma GCC diagnostic pop

}  // namespace v0
}  // namespace kvant
