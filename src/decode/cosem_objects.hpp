// Internal: from a parsed A-XDR value of a known (or unknown) attribute to records, shared by the APDU
// decoders (src/decode/dlms.cpp) and decode_cosem_attribute.
#pragma once

#include <cstdint>

#include "kvant/decode/decoded_frame.hpp"
#include "kvant/decode/dlms.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// Appends the records of one attribute value to `f.records`. The value's nodes start at `f.nodes[node]` and
/// its bytes are in `f.data`. `a` is the attribute the value is of, or nullptr when nothing names it (a
/// Data-Notification's body, a Get-Response without its request): the value is then kept as one record with
/// no OBIS. The session (when given) supplies scaler_units and capture objects and learns them from
/// attributes that are them. False, with `f.error` filled, when the value cannot be what the attribute is (a
/// scaler_unit that is not a structure of an integer and an enum).
/// Whether an attribute is a register's scaler_unit (class 3 and 4 attribute 3, class 5 attribute 4).
inline bool is_scaler_unit_attribute(const cosem_attribute& a) noexcept {
    return ((a.class_id == 3 || a.class_id == 4) && a.attribute == 3) ||
           (a.class_id == 5 && a.attribute == 4);
}

bool append_attribute_records(decoded_frame& f, const cosem_attribute* a, std::uint32_t node,
                              dlms_session* s);

}  // namespace detail
}  // namespace v0
}  // namespace kvant
