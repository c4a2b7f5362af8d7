#include "kvant/store/postgres_store.hpp"

#include "postgres_impl.hpp"

// placeholder: every call below is being written (issue 14)
namespace kvant {
inline namespace v0 {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
void postgres_store::distribute(const std::vector<std::string>& shards) {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
std::vector<shard_info> postgres_store::layout() const {
    throw storage_error(errc::storage, "postgres_store: not built yet");
}
#pragma GCC diagnostic pop

}  // namespace v0
}  // namespace kvant
