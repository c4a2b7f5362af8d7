#include "kvant/store/postgres_store.hpp"

#include "postgres_impl.hpp"

// placeholder: every call below is being written (issue 14)
namespace kvant {
inline namespace v0 {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
std::unique_ptr<reading_cursor> postgres_store::scan(const series_query& q) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<last_value> postgres_store::last_values(std::string_view meter) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::size_t postgres_store::reading_count(std::string_view meter) const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
write_stats postgres_store::store_readings(const reading_table& batch, on_conflict policy) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
#pragma GCC diagnostic pop

}  // namespace v0
}  // namespace kvant
