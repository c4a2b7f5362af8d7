// The decoder registry and the built-in decoders' descriptors.
#include <algorithm>

#include "kvant/core/error.hpp"
#include "kvant/decode/decoder.hpp"
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

decoder_registry builtin_decoders() {
    decoder_registry r;
    add_mbus_decoders(r);
    return r;
}

}  // namespace v0
}  // namespace kvant
