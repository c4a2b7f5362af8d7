// OBIS codes, A-XDR parsing and the unit table (include/kvant/decode/cosem.hpp). Placeholder: filled by the
// A-XDR work.
#include "kvant/decode/cosem.hpp"

#include "kvant/decode/decoded_frame.hpp"

namespace kvant {
inline namespace v0 {

std::string logical_name::to_string() const {
    return {};
}
std::optional<logical_name> logical_name::parse(std::string_view) noexcept {
    return std::nullopt;
}
std::string_view axdr_type_name(axdr_type) noexcept {
    return {};
}
bool parse_axdr(std::span<const std::uint8_t>, std::uint32_t&, std::vector<cosem_node>&, frame_error* error,
                std::uint32_t base, const axdr_limits&) {
    if (error != nullptr) *error = frame_error{decode_status::unsupported, base, "A-XDR", "not yet built"};
    return false;
}
std::string_view cosem_unit_name(std::uint8_t) noexcept {
    return {};
}

}  // namespace v0
}  // namespace kvant
