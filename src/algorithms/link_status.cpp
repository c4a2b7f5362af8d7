#include "kvant/algorithms/link_status.hpp"

#include "kvant/core/calendar.hpp"

namespace kvant {
inline namespace v0 {

bool removed_at(const meter& m, const zone& z, instant now) {
    return m.removed && *m.removed <= local_date(z, now);
}

}  // namespace v0
}  // namespace kvant
