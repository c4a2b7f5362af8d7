// The VIF tables of EN 13757-3 (primary, 0xFD and 0xFB extensions) and the fixed data structure's unit
// codes (Annex G), as constant tables indexed by the code without its extension bit. Internal.
#pragma once

#include <array>
#include <cstdint>

#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

struct vif_meaning {
    record_quantity quantity = record_quantity::other;
    record_unit unit = record_unit::none;
    std::int8_t exponent = 0;
};

using vif_table = std::array<vif_meaning, 128>;

/// VIF 0x00..0x7F (EN 13757-3 Table 10). 0x7C (plain text), 0x7E (any), 0x7F (manufacturer) are handled
/// by the parser; 0x7B and 0x7D (the extension codes without their extension bit) are `other`.
const vif_table& primary_vif_table() noexcept;
/// The codes after VIF 0xFD (Table 12).
const vif_table& fd_vif_table() noexcept;
/// The codes after VIF 0xFB (Table 14).
const vif_table& fb_vif_table() noexcept;
/// The fixed data structure's 6-bit unit codes (Annex G); 0x3E ("same as counter 1, historic") is
/// resolved by the caller.
const std::array<vif_meaning, 64>& fixed_unit_table() noexcept;

}  // namespace detail
}  // namespace v0
}  // namespace kvant
