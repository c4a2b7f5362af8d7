/// \file
/// The COSEM vocabulary the electricity decoders share (IEC 62056-6-1/-6-2, the DLMS UA Blue Book): OBIS
/// codes (`logical_name`, A-B:C.D.E*F), A-XDR data types and their parsed form (`cosem_node`, a flat
/// pre-order tree whose bytes stay in the frame's buffer), the units of the Blue Book's unit table, and the
/// A-XDR parser itself (`parse_axdr`), which the DLMS decoders use and a host may call on an attribute value
/// it holds (a `.typ` capture, a value read by another client).
///
/// A parsed value is a sequence of nodes in pre-order: a structure's node is followed by its elements' nodes,
/// and `end` is the index one past its subtree, so a reader walks children without recursion and a
/// `decoded_frame` keeps its nodes in one reusable vector.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/export.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

struct frame_error;
struct record_time;

/// A logical name: an OBIS code (IEC 62056-6-1), value groups A..F. Text `A-B:C.D.E*F` ("1-0:1.8.0*255").
struct logical_name {
    std::array<std::uint8_t, 6> g{};
    /// "1-0:1.8.0*255".
    KVANT_API std::string to_string() const;
    /// Reads `A-B:C.D.E*F`, `A-B:C.D.E.F` and the dotted `A.B.C.D.E.F` (as the СПОДЭС documents write it);
    /// nothing otherwise.
    KVANT_API static std::optional<logical_name> parse(std::string_view text) noexcept;
    friend bool operator==(const logical_name&, const logical_name&) = default;
    friend auto operator<=>(const logical_name&, const logical_name&) = default;
};

/// A-XDR data type tags (IEC 62056-6-2 §4.1.5; the Blue Book's "Data" CHOICE). The numbers are the tags.
enum class axdr_type : std::uint8_t {
    null_data = 0,
    array = 1,
    structure = 2,
    boolean = 3,
    bit_string = 4,
    double_long = 5,           ///< int32
    double_long_unsigned = 6,  ///< uint32
    octet_string = 9,
    visible_string = 10,
    utf8_string = 12,
    bcd = 13,            ///< one byte of two BCD digits
    integer = 15,        ///< int8
    long_ = 16,          ///< int16
    unsigned_ = 17,      ///< uint8
    long_unsigned = 18,  ///< uint16
    compact_array = 19,
    long64 = 20,
    long64_unsigned = 21,
    enum_ = 22,
    float32 = 23,
    float64 = 24,
    date_time = 25,  ///< 12 bytes
    date = 26,       ///< 5 bytes
    time = 27,       ///< 4 bytes
    dont_care = 255,
};
/// "double-long-unsigned", "octet-string", … (the Blue Book's names); "" for a tag that is not a type.
KVANT_API std::string_view axdr_type_name(axdr_type t) noexcept;

/// One parsed A-XDR value. Scalars: `offset`/`size` are the value's bytes in the buffer the parse read
/// (after the tag and any length). Arrays and structures: `count` elements follow in pre-order up to `end`.
/// Compact arrays: their elements are expanded into nodes like an array's (`count` of them), each element's
/// `offset`/`size` pointing into the packed contents; the type description is not kept as nodes.
struct cosem_node {
    axdr_type type = axdr_type::null_data;
    std::uint32_t count = 0;   ///< elements (array, structure, compact array); bits (bit string)
    std::uint32_t end = 0;     ///< one past the last node of this value's subtree
    std::uint32_t offset = 0;  ///< of the content bytes, in the parsed buffer
    std::uint32_t size = 0;    ///< content bytes (strings: their length; scalars: their width)
    /// Index of the first child (the node after this one) when count > 0.
    std::uint32_t first_child(std::uint32_t self) const noexcept { return self + 1; }
};

/// Limits that keep a hostile value from exhausting memory or the stack.
struct axdr_limits {
    std::uint32_t max_depth = 32;        ///< nesting of arrays and structures
    std::uint32_t max_nodes = 1u << 22;  ///< nodes in one value (a month of 30-minute captures is ~15,000)
};

/// Parses one A-XDR value starting at `bytes[pos]`, appending its nodes to `nodes` (offsets are into
/// `bytes`), and advances `pos` past it. False on bytes that are not a value: `error` (when given) names the
/// byte offset (`pos` at the failure plus `base`), what was expected and what was found, with status
/// truncated (a length past the end), malformed (an unknown tag, a length that cannot be) or unsupported (the
/// limits). Never reads outside `bytes`, never throws except std::bad_alloc.
KVANT_API bool parse_axdr(std::span<const std::uint8_t> bytes, std::uint32_t& pos,
                          std::vector<cosem_node>& nodes, frame_error* error, std::uint32_t base = 0,
                          const axdr_limits& limits = {});

/// Reads an A-XDR date-time (12 bytes), date (5) or time (4) (IEC 62056-6-2 §4.1.6.1; also an octet-string
/// of those sizes when the attribute is a time) into `out`: fields left "not specified" (0xFF, 0xFFFF, a
/// deviation of 0x8000) set their `time_field` bit and read 0; month 0xFD/0xFE and day 0xFD/0xFE are kept in
/// `month_special`/`day_special`; a clock status sets `invalid` (bit 0) and `summer` (bit 7). The deviation
/// is kept as sent, even beyond ±720 minutes. False (and `out` untouched) when the size is not the type's or
/// a field is out of its range (month 13, hour 24, …): the bytes are then not a time.
KVANT_API bool read_cosem_time(std::span<const std::uint8_t> bytes, axdr_type type,
                               record_time& out) noexcept;

/// The child nodes of a node, in order (indices into the node vector).
inline std::vector<std::uint32_t> children_of(const std::vector<cosem_node>& nodes, std::uint32_t self) {
    std::vector<std::uint32_t> out;
    if (self >= nodes.size()) return out;
    out.reserve(nodes[self].count);
    for (std::uint32_t i = self + 1; i < nodes[self].end && i < nodes.size(); i = nodes[i].end)
        out.push_back(i);
    return out;
}

/// Units of the Blue Book's `unit` enumeration (class 3 scaler_unit), by code. Only the codes an electricity
/// or heat meter reports are named; the others print as their number.
/// "Wh" for 30, "V" for 35, "" for 0 or an unknown code.
KVANT_API std::string_view cosem_unit_name(std::uint8_t code) noexcept;

}  // namespace v0
}  // namespace kvant
