// IEC 62056-21 messages. Placeholder: filled by the IEC 62056-21 work.
#include "kvant/decode/iec62056_21.hpp"

namespace kvant {
inline namespace v0 {

bool iec62056_21_identify(std::span<const std::uint8_t>) noexcept {
    return false;
}
bool decode_iec62056_21(std::span<const std::uint8_t>, decoded_frame& out, bcc_dialect) {
    out.clear();
    out.protocol = "iec62056-21";
    out.error = frame_error{decode_status::unsupported, 0, "an IEC 62056-21 message", "not yet built"};
    return false;
}

}  // namespace v0
}  // namespace kvant
