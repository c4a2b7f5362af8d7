// COSEM interface classes' attributes into records. Placeholder: filled by the COSEM objects work.
#include "cosem_objects.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

bool append_attribute_records(decoded_frame& f, const cosem_attribute*, std::uint32_t, dlms_session*) {
    f.error = frame_error{decode_status::unsupported, 0, "a COSEM attribute", "not yet built"};
    return false;
}

}  // namespace detail

bool decode_cosem_attribute(std::span<const std::uint8_t>, const cosem_attribute&, decoded_frame& out,
                            dlms_session*) {
    out.clear();
    out.protocol = "dlms";
    out.error = frame_error{decode_status::unsupported, 0, "a COSEM attribute", "not yet built"};
    return false;
}

}  // namespace v0
}  // namespace kvant
