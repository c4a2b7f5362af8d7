// The decoder registry and the built-in decoders' descriptors.
#include <algorithm>

#include "kvant/core/error.hpp"
#include "kvant/decode/decoder.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/iec62056_21.hpp"
#include "kvant/decode/mbus.hpp"
#include "wmbus_internal.hpp"

namespace kvant {
inline namespace v0 {
namespace {

class mbus_decoder final : public decoder {
  public:
    bool decode(std::span<const std::uint8_t> bytes, decoded_frame& out) override {
        return decode_mbus(bytes, out);
    }
};

std::unique_ptr<decoder> make_mbus(const decoder_config&) {
    return std::make_unique<mbus_decoder>();
}

class iec_decoder final : public decoder {
  public:
    explicit iec_decoder(bcc_dialect bcc) : bcc_(bcc) {}
    bool decode(std::span<const std::uint8_t> bytes, decoded_frame& out) override {
        return decode_iec62056_21(bytes, out, bcc_);
    }

  private:
    bcc_dialect bcc_;
};

std::unique_ptr<decoder> make_iec(const decoder_config& c) {
    return std::make_unique<iec_decoder>(c.bcc);
}

// The DLMS decoders read and update the caller's session through the config they keep.
template <bool Hdlc>
class dlms_decoder final : public decoder {
  public:
    explicit dlms_decoder(const decoder_config& c) : config_(c) {}
    bool decode(std::span<const std::uint8_t> bytes, decoded_frame& out) override {
        return Hdlc ? decode_hdlc(bytes, out, config_) : decode_dlms(bytes, out, config_);
    }

  private:
    decoder_config config_;
};

std::unique_ptr<decoder> make_dlms(const decoder_config& c) {
    return std::make_unique<dlms_decoder<false>>(c);
}
std::unique_ptr<decoder> make_hdlc(const decoder_config& c) {
    return std::make_unique<dlms_decoder<true>>(c);
}

}  // namespace

void decoder_registry::add(const decoder_descriptor& d) {
    if (find(d.name) != nullptr)
        throw config_error(errc::usage,
                           "a decoder named '" + std::string(d.name) + "' is already registered");
    list_.push_back(d);
}

const decoder_descriptor* decoder_registry::find(std::string_view name) const noexcept {
    for (const auto& d : list_)
        if (d.name == name) return &d;
    return nullptr;
}

std::unique_ptr<decoder> decoder_registry::make(std::string_view name, const decoder_config& config) const {
    const decoder_descriptor* d = find(name);
    if (d == nullptr || d->make == nullptr) {
        std::string known;
        for (const auto& e : list_) {
            if (!known.empty()) known += ", ";
            known += e.name;
        }
        throw config_error(errc::usage, "unknown protocol '" + std::string(name) + "' (known: " +
                                            (known.empty() ? std::string("none") : known) + ")");
    }
    return d->make(config);
}

std::vector<const decoder_descriptor*> decoder_registry::identify(std::span<const std::uint8_t> bytes) const {
    std::vector<const decoder_descriptor*> hits;
    for (const auto& d : list_)
        if (d.identify != nullptr && d.identify(bytes)) hits.push_back(&d);
    return hits;
}

void add_mbus_decoders(decoder_registry& r) {
    r.add(decoder_descriptor{"mbus", "wired M-Bus (EN 13757-2/-3)", &mbus_identify, &make_mbus});
    r.add(detail::wmbus_descriptor());
}

void add_iec62056_21_decoders(decoder_registry& r) {
    r.add(decoder_descriptor{"iec62056-21", "IEC 62056-21 readouts and messages (mode C)",
                             &iec62056_21_identify, &make_iec});
}

void add_dlms_decoders(decoder_registry& r) {
    r.add(decoder_descriptor{"dlms", "DLMS/COSEM APDUs, bare or in the TCP wrapper (IEC 62056-47)",
                             &dlms_identify, &make_dlms});
    r.add(decoder_descriptor{"hdlc", "DLMS/COSEM over HDLC (IEC 62056-46)", &hdlc_identify, &make_hdlc});
}

decoder_registry builtin_decoders() {
    decoder_registry r;
    add_mbus_decoders(r);
    add_iec62056_21_decoders(r);
    add_dlms_decoders(r);
    return r;
}

}  // namespace v0
}  // namespace kvant
