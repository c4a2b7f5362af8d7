// DLMS/COSEM transports and APDUs. Placeholder: filled by the DLMS framing work.
#include "kvant/decode/dlms.hpp"

namespace kvant {
inline namespace v0 {

bool dlms_identify(std::span<const std::uint8_t>) noexcept {
    return false;
}
bool hdlc_identify(std::span<const std::uint8_t>) noexcept {
    return false;
}
bool decode_dlms(std::span<const std::uint8_t>, decoded_frame& out, const decoder_config&) {
    out.clear();
    out.protocol = "dlms";
    out.error = frame_error{decode_status::unsupported, 0, "a DLMS APDU", "not yet built"};
    return false;
}
bool decode_hdlc(std::span<const std::uint8_t>, decoded_frame& out, const decoder_config&) {
    out.clear();
    out.protocol = "hdlc";
    out.error = frame_error{decode_status::unsupported, 0, "an HDLC frame", "not yet built"};
    return false;
}

}  // namespace v0
}  // namespace kvant
