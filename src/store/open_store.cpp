#include "kvant/store/open_store.hpp"

#include <filesystem>
#include <string>

namespace kvant {
inline namespace v0 {

bool names_postgres(std::string_view where) noexcept {
    return postgres_store::is_conninfo(where);
}

std::unique_ptr<store> open_store(std::string_view where, open_mode m, const store_options& o) {
    if (names_postgres(where)) {
        const auto pm = m == open_mode::create ? postgres_store::mode::create
                        : m == open_mode::open ? postgres_store::mode::open
                                               : postgres_store::mode::read_only;
        return std::make_unique<postgres_store>(where, pm, o.postgres);
    }
    const auto sm = m == open_mode::create ? sqlite_store::mode::create
                    : m == open_mode::open ? sqlite_store::mode::open
                                           : sqlite_store::mode::read_only;
    return std::make_unique<sqlite_store>(std::filesystem::path(std::string(where)), sm, o.busy_timeout);
}

}  // namespace v0
}  // namespace kvant
