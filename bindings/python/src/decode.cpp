#include "decode.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kvant/decode/decoder.hpp"
#include "kvant/decode/dlms.hpp"
#include "kvant/decode/frame_mapping.hpp"
#include "kvant/decode/key_ring.hpp"
#include "kvant/decode/wmbus.hpp"
#include "kvant/io/frame_ingest.hpp"
#include "kvant/io/frame_json.hpp"
#include "store.hpp"

namespace kvant::python {

namespace py = pybind11;

namespace {

/// A decoder with what it is made with, and the frame it decodes into (reused: a stream of frames does not
/// allocate once its buffers have grown). One Python object; its calls take turns (`mu`), the GIL released.
struct py_decoder {
    decoder_registry registry = builtin_decoders();
    key_ring keys;
    wmbus_format_cache formats;
    dlms_session session;  // a DLMS conversation: what the frames so far have shown
    std::unique_ptr<decoder> impl;
    decoded_frame frame;
    std::string protocol;
    std::mutex mu;

    /// Decodes into `frame`; learns a full frame's format for the compact frames after it (bounded).
    bool decode(std::span<const std::uint8_t> bytes) {
        const bool ok = impl->decode(bytes, frame);
        if (ok && frame.protocol == "wmbus" && formats.size() < 4096) formats.learn(frame);
        return ok;
    }
};

decoder_config config_for(py_decoder& d, const std::string& crc, const std::string& dialect) {
    decoder_config c;
    c.keys = &d.keys;
    c.formats = &d.formats;
    c.session = &d.session;
    c.crc = crc_mode_text.parse(crc, location{"", 0, "crc", -1});
    c.bcc = bcc_dialect_text.parse(dialect, location{"", 0, "dialect", -1});
    return c;
}

std::span<const std::uint8_t> span_of(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// What Python gives as a frame (bytes, bytearray, memoryview; or hex text, spaces allowed) as bytes.
std::string frame_bytes(const py::handle& data, std::size_t index) {
    if (py::isinstance<py::str>(data)) {
        const auto text = data.cast<std::string>();
        const auto lines = read_hex_frames(text, "frame " + std::to_string(index));
        if (lines.size() > 1)
            throw parse_error(errc::parse, "frame " + std::to_string(index) +
                                               ": hex text of more than one frame (one frame a call)");
        return lines.empty() ? std::string() : std::string(lines[0].bytes.begin(), lines[0].bytes.end());
    }
    if (py::isinstance<py::bytes>(data)) return data.cast<std::string>();
    if (PyObject_CheckBuffer(data.ptr())) {
        py::buffer_info b = py::reinterpret_borrow<py::buffer>(data).request();
        if (b.ndim != 1 || b.itemsize != 1)
            throw config_error(errc::usage,
                               "frame " + std::to_string(index) + ": a buffer of bytes expected");
        return std::string(static_cast<const char*>(b.ptr), static_cast<std::size_t>(b.size));
    }
    throw config_error(errc::usage, "frame " + std::to_string(index) + ": bytes or hex text expected, not " +
                                        std::string(py::str(py::type::of(data).attr("__name__"))));
}

/// The records of many frames as columns (one row a record), with the frames that did not decode.
struct record_columns {
    std::vector<std::int64_t> frame;
    std::vector<std::string> manufacturer, id, quantity, unit, function;
    std::vector<std::optional<std::string>> value;
    std::vector<double> value_float;
    std::vector<std::int64_t> storage, tariff, subunit;
    std::vector<std::optional<std::string>> obis, name;
    std::vector<std::int64_t> class_id, attribute;
    std::vector<std::optional<int>> scaler;
    std::vector<std::string> raw;
    struct failed {
        std::int64_t frame;
        std::string status, message;
        std::uint32_t offset;
    };
    std::vector<failed> errors;
};

void add_records(record_columns& c, const decoded_frame& f, std::int64_t index) {
    if (!f.ok()) {
        c.errors.push_back(
            {index, std::string(decode_status_text.name(f.error.status)), f.error.message(), f.error.offset});
        return;
    }
    const auto address = frame_address(f);
    const std::string man = address ? address->manufacturer : std::string();
    const std::string id = address ? address->id : std::string();
    for (const auto& r : f.records) {
        c.frame.push_back(index);
        c.manufacturer.push_back(man);
        c.id.push_back(id);
        c.quantity.emplace_back(record_quantity_name(r.quantity));
        c.unit.push_back(record_unit_text(f, r));
        c.value.push_back(record_value_text(f, r));
        double x = std::numeric_limits<double>::quiet_NaN();
        if (r.kind == value_kind::number) {
            const auto& v = *c.value.back();
            std::from_chars(v.data(), v.data() + v.size(), x);  // the nearest double of the exact text
        }
        c.value_float.push_back(x);
        c.function.emplace_back(record_function_text.name(r.function));
        c.storage.push_back(static_cast<std::int64_t>(r.storage));
        c.tariff.push_back(r.tariff);
        c.subunit.push_back(r.subunit);
        c.obis.push_back(record_obis_text(r));
        const auto name = f.name_of(r);
        c.name.push_back(name.empty() ? std::nullopt : std::optional<std::string>(name));
        c.class_id.push_back(r.class_id);
        c.attribute.push_back(r.attribute);
        c.scaler.push_back(r.has_scaler ? std::optional<int>(r.scaler) : std::nullopt);
        c.raw.push_back(hex_text(f.raw_of(r)));
    }
}

template <class T>
py::array_t<T> array_of(const std::vector<T>& v) {
    return py::array_t<T>(static_cast<py::ssize_t>(v.size()), v.data());
}

py::dict columns_to_python(const record_columns& c) {
    py::dict d;
    d["frame"] = array_of(c.frame);
    d["manufacturer"] = py::cast(c.manufacturer);
    d["id"] = py::cast(c.id);
    d["quantity"] = py::cast(c.quantity);
    d["unit"] = py::cast(c.unit);
    d["value"] = py::cast(c.value);
    d["value_float"] = array_of(c.value_float);
    d["function"] = py::cast(c.function);
    d["storage"] = array_of(c.storage);
    d["tariff"] = array_of(c.tariff);
    d["subunit"] = array_of(c.subunit);
    d["obis"] = py::cast(c.obis);
    d["name"] = py::cast(c.name);
    d["class_id"] = array_of(c.class_id);
    d["attribute"] = array_of(c.attribute);
    d["scaler"] = py::cast(c.scaler);
    d["raw"] = py::cast(c.raw);
    py::list errors;
    for (const auto& e : c.errors) {
        py::dict x;
        x["frame"] = e.frame;
        x["status"] = e.status;
        x["offset"] = e.offset;
        x["message"] = e.message;
        errors.append(x);
    }
    d["errors"] = errors;
    return d;
}

}  // namespace

void bind_decode(py::module_& m) {
    py::class_<py_decoder, std::shared_ptr<py_decoder>>(m, "Decoder")
        .def(py::init([](const std::string& protocol, const std::string& keys, const std::string& crc,
                         const std::string& dialect) {
                 auto d = std::make_shared<py_decoder>();
                 d->protocol = protocol;
                 if (!keys.empty()) d->keys.add_lines(keys, "keys");
                 d->impl = d->registry.make(protocol, config_for(*d, crc, dialect));
                 return d;
             }),
             py::arg("protocol") = "mbus", py::arg("keys") = "", py::arg("crc") = "detect",
             py::arg("dialect") = "detect")
        .def("restart",
             [](py_decoder& d) {
                 std::lock_guard<std::mutex> lk(d.mu);
                 d.session.restart();
             })
        .def_readonly("protocol", &py_decoder::protocol)
        .def("add_key",
             [](py_decoder& d, const std::string& meter, const std::string& hex) {
                 py::gil_scoped_release nogil;
                 std::lock_guard<std::mutex> lk(d.mu);
                 d.keys.add(meter, std::string_view(hex));
             })
        .def("decode_json",
             [](py_decoder& d, const py::handle& data) {
                 const std::string bytes = frame_bytes(data, 0);
                 py::gil_scoped_release nogil;
                 std::lock_guard<std::mutex> lk(d.mu);
                 d.decode(span_of(bytes));
                 return frame_json(d.frame);
             })
        .def("records", [](py_decoder& d, const py::iterable& frames) {
            std::vector<std::string> all;
            std::size_t i = 0;
            for (const auto& x : frames) all.push_back(frame_bytes(x, i++));
            record_columns c;
            {
                py::gil_scoped_release nogil;
                std::lock_guard<std::mutex> lk(d.mu);
                for (std::size_t k = 0; k < all.size(); ++k) {
                    d.decode(span_of(all[k]));
                    add_records(c, d.frame, static_cast<std::int64_t>(k));
                }
            }
            return columns_to_python(c);
        });

    m.def(
        "_ingest",
        [](py_store& s, const std::string& hex_text, const std::string& protocol, std::int64_t at,
           const std::string& keys_text, const std::string& crc, const std::string& source,
           const std::string& conflict, const std::string& dialect, const std::string& meter,
           bool round_excess) {
            key_ring keys;
            wmbus_format_cache formats;
            dlms_session session;
            if (!keys_text.empty()) keys.add_lines(keys_text, "keys");
            ingest_options io;
            io.protocol = protocol;
            io.config.keys = &keys;
            io.config.formats = &formats;
            io.config.crc = crc_mode_text.parse(crc, location{"", 0, "crc", -1});
            io.config.bcc = bcc_dialect_text.parse(dialect, location{"", 0, "dialect", -1});
            io.config.session = &session;
            io.meter = meter;
            io.round_excess = round_excess;
            io.received = from_unix(at);
            io.source_name = source;
            io.conflict = on_conflict_text.parse(conflict, location{"", 0, "conflict", -1});
            const auto frames = read_hex_frames(hex_text, source);
            const ingest_result r =
                s.locked([&](store& db) { return ingest_frames(db, builtin_decoders(), frames, io); });
            py::dict d;
            d["frames"] = r.frames;
            d["decoded"] = r.decoded;
            d["readings_written"] = r.readings_written;
            d["readings_unchanged"] = r.readings_unchanged;
            d["events_written"] = r.events_written;
            d["records_skipped"] = r.records_skipped;
            py::list rejected, unmatched;
            for (const auto& x : r.rejected) {
                py::dict e;
                e["line"] = x.line;
                e["status"] = std::string(decode_status_text.name(x.error.status));
                e["offset"] = x.error.offset;
                e["message"] = x.error.message();
                rejected.append(e);
            }
            for (const auto& x : r.unmatched) {
                py::dict e;
                e["line"] = x.line;
                e["address"] = x.address;
                e["reason"] = x.reason;
                e["hex"] = x.hex;
                unmatched.append(e);
            }
            d["rejected"] = rejected;
            d["unmatched"] = unmatched;
            return d;
        },
        py::arg("store"), py::arg("hex_text"), py::arg("protocol"), py::arg("at"), py::arg("keys"),
        py::arg("crc"), py::arg("source"), py::arg("conflict") = "fail", py::arg("dialect") = "detect",
        py::arg("meter") = "", py::arg("round_excess") = false);
}

}  // namespace kvant::python
