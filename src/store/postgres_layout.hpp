// Internal: the distributed layout of a postgres_store's readings, as the coordinator's catalog holds it
// (postgres_layout.cpp), for layout() and for the cursor's direct shard reads (postgres_readings.cpp).
#pragma once

#include <string>
#include <vector>

#include "pg_connection.hpp"

namespace kvant {
inline namespace v0 {
namespace detail::pg {

/// One server holding readings partitions: the coordinator itself (server empty) or a postgres_fdw foreign
/// server, with the connection string rebuilt from its catalog options and its user mapping's (password
/// included: never printed; `where` is the one without it).
struct shard_link {
    std::string server;
    std::string conninfo;
    std::string where;
    std::vector<int> partitions;  // ascending
};

/// The servers holding the partitions of `readings`: the coordinator first (conninfo empty: the caller's
/// own), then every foreign server in name order. Only the coordinator when nothing is distributed.
std::vector<shard_link> shard_links(connection& c);

}  // namespace detail::pg
}  // namespace v0
}  // namespace kvant
