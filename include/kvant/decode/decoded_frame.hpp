/// \file
/// What a protocol decoder makes of one frame: `decoded_frame`, the frame's header (who sent it, its access
/// number and status) and its records, each with its meaning (quantity, unit, function, storage number,
/// tariff, subunit), its exact value and where its bytes are; or, when the bytes are not a frame the decoder
/// can read, a `frame_error` naming the byte offset, what was expected there and what was found.
///
/// The vocabulary is that of EN 13757-3 (M-Bus application layer), which the other protocols' decoders reuse
/// where it fits. A record's value is exact: an integer or BCD scaled by the VIF's power of ten is held as a
/// magnitude, a sign and an exponent (`exact_number`), never as a double; a 32-bit real is held as the
/// shortest decimal that reads back to the same float. docs/decode.md describes the fields and the choices.
///
/// A `decoded_frame` is meant to be reused: a decoder clears it and refills it, so its buffers keep their
/// capacity and decoding a stream of frames does not allocate once the buffers have grown.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/decode/cosem.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

/// Why a frame could not be decoded. Only `ok` carries records. `key_missing` and `key_wrong` are about the
/// caller's keys, never about the bytes: a host can tell "give me the key" from "the radio garbled it".
enum class decode_status : std::uint8_t {
    ok,
    truncated,       ///< the bytes end before what their lengths promise (a short telegram)
    malformed,       ///< a byte the standard does not allow there (start or stop byte, length, reserved code)
    checksum,        ///< a checksum or CRC does not match
    unsupported,     ///< well-formed, but a feature this decoder does not read (named in the message)
    key_missing,     ///< encrypted, and the caller has no key for this meter
    key_wrong,       ///< decrypted with the caller's key, the check failed (2F2F or MAC): the key is wrong
    unknown_format,  ///< a compact frame whose format signature no earlier full frame has shown
};
inline constexpr detail::enum_text<decode_status, 8> decode_status_text{
    "decode status",
    {{{decode_status::ok, "ok"},
      {decode_status::truncated, "truncated"},
      {decode_status::malformed, "malformed"},
      {decode_status::checksum, "checksum"},
      {decode_status::unsupported, "unsupported"},
      {decode_status::key_missing, "key_missing"},
      {decode_status::key_wrong, "key_wrong"},
      {decode_status::unknown_format, "unknown_format"}}}};
KVANT_ENUM_TEXT(decode_status, decode_status_text)

/// Where and why decoding stopped. `offset` counts bytes of the input exactly as the caller gave it (a
/// wireless frame's position is translated back through the CRC blocks the decoder stripped).
struct frame_error {
    decode_status status = decode_status::ok;
    std::uint32_t offset = 0;
    std::string expected;  ///< "0x16 (stop byte)", "a checksum of 0x3A", "a key for meter 12345678"
    std::string found;     ///< "0x15", "0x3B", "none"
    /// "byte 12: expected 0x16 (stop byte), found 0x15" (the status is not repeated).
    KVANT_API std::string message() const;
};

/// DIF bits 5..4: what the value is of its quantity.
enum class record_function : std::uint8_t { instantaneous, maximum, minimum, error };
inline constexpr detail::enum_text<record_function, 4> record_function_text{
    "record function",
    {{{record_function::instantaneous, "instantaneous"},
      {record_function::maximum, "maximum"},
      {record_function::minimum, "minimum"},
      {record_function::error, "error"}}}};
KVANT_ENUM_TEXT(record_function, record_function_text)

/// What a record's VIF (with the 0xFB and 0xFD extension tables and a few orthogonal VIFEs) says it holds.
/// Append only: the numbers may be kept by hosts.
enum class record_quantity : std::uint8_t {
    none,  ///< no VIF meaning: VIF 0x7E (any), or a record without a VIB
    energy,
    reactive_energy,
    volume,
    mass,
    on_time,
    operating_time,
    power,
    reactive_power,
    volume_flow,
    mass_flow,
    flow_temperature,
    return_temperature,
    temperature_difference,
    external_temperature,
    temperature_limit,
    pressure,
    relative_humidity,
    frequency,
    phase_angle,
    voltage,
    current,
    time_point,  ///< a date or a date and time (types G, F, I) or a time (J)
    hca_units,   ///< heat cost allocator units (dimensionless)
    averaging_duration,
    actuality_duration,
    storage_interval,
    duration_since_readout,
    tariff_start,
    tariff_duration,
    tariff_period,
    fabrication_number,
    enhanced_identification,
    bus_address,
    credit,
    debit,
    access_number,
    medium,
    manufacturer,
    parameter_set,
    model_version,
    hardware_version,
    firmware_version,
    software_version,
    customer_location,
    customer,
    access_code,
    password,
    error_flags,
    error_mask,
    digital_output,
    digital_input,
    baud_rate,
    response_delay,
    retry,
    reset_counter,
    cumulation_counter,
    control_signal,
    day_of_week,
    week_number,
    day_change,
    parameter_activation,
    supplier_information,
    duration_since_cumulation,
    battery_operating_time,
    battery_change,
    rf_level,
    daylight_saving,
    listening_window,
    battery_remaining,
    stop_count,
    dimensionless,
    plain_text_unit,        ///< VIF 0x7C/0xFC: the unit is the text in `text` (the record's `unit` is none)
    manufacturer_specific,  ///< VIF 0x7F/0xFF, or DIF 0x0F/0x1F: the data is kept as bytes
    other,                  ///< a VIF code the tables reserve: kept with its raw bytes
};

/// The unit of a record's value after the VIF's power of ten (`value` = raw × 10^exponent, in this unit).
enum class record_unit : std::uint8_t {
    none,
    wh,
    j,
    cal,  ///< calories (0xFB MCal codes)
    varh,
    m3,
    ft3,
    kg,
    s,
    min,
    h,
    d,
    month,
    year,
    w,
    var,
    j_per_h,
    m3_per_h,
    m3_per_min,
    m3_per_s,
    kg_per_h,
    celsius,
    fahrenheit,
    kelvin,
    bar,
    percent,
    hz,
    degree,
    v,
    a,
    dbm,
    currency,  ///< the local legal currency (credit, debit)
};

/// What a record's data is, once decoded.
enum class value_kind : std::uint8_t {
    none,       ///< no data (data field 0x0: no data; or a selection for readout)
    number,     ///< `number`: an integer, BCD or real, scaled by the VIF
    date,       ///< `when`, date only (type G)
    date_time,  ///< `when`, date and time (type F, or I with seconds)
    time,       ///< `when`, time only (type J)
    text,       ///< `text_offset`/`text_size` into `decoded_frame::text`, in reading order
    bytes,    ///< `data_offset`/`data_size` into `decoded_frame::data` (manufacturer specific, binary flags)
    invalid,  ///< the data cannot be what its DIF says (a BCD digit A..E); kept as bytes, no value
    /// A DLMS value that is not a scalar (an array, a structure, a compact array): its parsed A-XDR tree is
    /// `decoded_frame::nodes` from `frame_record::node`; JSON prints it as nested arrays.
    structure,
    /// An IEC 62056-21 error token in place of a value ("(ERROR)", "(ERR05)"): the token is the record's
    /// text; no value.
    error_token,
};

/// An exact decimal: (negative ? −1 : 1) × magnitude × 10^exponent. Wider than `decimal` (a 64-bit binary
/// record with a VIF scale may not fit six fractional digits); `to_decimal` says when it does.
struct exact_number {
    std::uint64_t magnitude = 0;
    std::int16_t exponent = 0;
    bool negative = false;

    /// Exact text, no exponent: "54.321", "-0.5", "1200", "0".
    KVANT_API std::string to_string() const;
    /// The value × 10^shift as a `decimal` when that is exact (no digit below millionths is lost) and within
    /// its range; else nothing.
    KVANT_API std::optional<decimal> to_decimal(int shift = 0) const noexcept;
    /// The value × 10^shift rounded half to even to millionths (a value with more decimals than `decimal`
    /// keeps: Energomera's seven); nothing only when out of range.
    KVANT_API std::optional<decimal> to_decimal_rounded(int shift = 0) const noexcept;
    /// The shortest decimal that reads back to the same float (or double), from std::to_chars of the value's
    /// own type (a float is never widened to double first); nothing for infinities and NaN.
    KVANT_API static std::optional<exact_number> of(float f) noexcept;
    KVANT_API static std::optional<exact_number> of(double d) noexcept;
    friend bool operator==(const exact_number&, const exact_number&) = default;
};

/// A date, time or both as the meter wrote them (its local time; never converted here).
///
/// DLMS date-times (IEC 62056-6-2 §4.1.6.1) may leave any field "not specified" (0xFF, 0xFFFF, 0x8000 for
/// the deviation): such a field's bit is set in `unspecified` and its value here is 0. Their `deviation` is
/// in minutes with the Blue Book's sign: UTC = local time + deviation (Moscow, UTC+3, sends −180).
struct record_time {
    std::int16_t year = 0;  ///< 0 when the record has no date
    std::uint8_t month = 0, day = 0;
    std::uint8_t hour = 0, minute = 0, second = 0;
    bool has_date = false, has_time = false, has_seconds = false;
    bool invalid = false;  ///< the IV bit (or an all-ones date): the meter says the value is not valid
    bool summer = false;   ///< the SU bit: daylight saving time (DLMS: clock status bit 7)
    // DLMS only.
    std::uint8_t hundredths = 0;
    std::uint8_t day_of_week = 0;  ///< 1 Monday .. 7 Sunday; 0 when not given
    /// Month 0xFD/0xFE (daylight saving end/begin) or day 0xFD/0xFE (second-last/last day of the month),
    /// kept as sent; 0 otherwise. A season start or special day may use them.
    std::uint8_t month_special = 0, day_special = 0;
    std::int16_t deviation = 0;  ///< minutes; valid when has_deviation
    bool has_deviation = false;
    std::uint8_t clock_status = 0;  ///< bit 0 invalid, 1 doubtful, 2 different clock base, 3 invalid clock
                                    ///< status, 7 daylight saving active; valid when has_clock_status
    bool has_clock_status = false;
    std::uint16_t unspecified = 0;  ///< time_field bits: fields the meter left "not specified"
    friend bool operator==(const record_time&, const record_time&) = default;
};

/// Bits of `record_time::unspecified`.
namespace time_field {
inline constexpr std::uint16_t year = 1, month = 2, day = 4, day_of_week = 8, hour = 16, minute = 32,
                               second = 64, hundredths = 128, deviation = 256, clock_status = 512;
}

/// One data record (EN 13757-3 §6): data information block, value information block, data.
struct frame_record {
    // Where its bytes are: `offset` in `decoded_frame::data`; DIB, VIB and data follow each other.
    std::uint32_t offset = 0;
    std::uint16_t dib_size = 0, vib_size = 0;
    std::uint32_t data_size = 0;    ///< a DLMS value may be longer than 64 KiB (a month of profile rows)
    std::uint32_t data_offset = 0;  ///< of the data, in `decoded_frame::data`

    // DIB
    std::uint8_t dif = 0;  ///< the first DIF byte
    record_function function = record_function::instantaneous;
    std::uint64_t storage = 0;  ///< storage number: DIF bit 6, then 4 bits a DIFE (up to 41 bits)
    std::uint32_t tariff = 0;   ///< 2 bits a DIFE
    std::uint16_t subunit = 0;  ///< 1 bit a DIFE

    // VIB
    std::uint8_t vif = 0;  ///< the primary VIF (0xFB, 0xFD: the extension table's code is `vife[0]`)
    std::array<std::uint8_t, 10> vife{};  ///< the VIFEs in order (EN 13757-3 allows at most ten)
    std::uint8_t vife_count = 0;
    record_quantity quantity = record_quantity::none;
    record_unit unit = record_unit::none;
    std::int16_t exponent = 0;  ///< the VIF's (and correction VIFEs') power of ten, already in `number`
    std::uint8_t per = 0;  ///< an orthogonal VIFE "per second/minute/…/unit" (its code 0x20..0x35), 0 if none
    bool at_base_conditions = false;                                ///< VIFE 0x3E: value at base conditions
    bool accumulate_positive = false, accumulate_negative = false;  ///< VIFEs 0x3B, 0x3C
    std::uint8_t error_code = 0;  ///< a record error VIFE (0x00..0x1F) as sent by the meter; 0 if none

    // value
    value_kind kind = value_kind::none;
    exact_number number;
    record_time when;
    std::uint32_t text_offset = 0, text_size = 0;  ///< a text value (LVAR text), in `decoded_frame::text`
    /// A plain-text VIF's unit (VIF 0x7C/0xFC), in `decoded_frame::text`, in reading order ("%RH").
    std::uint32_t unit_text_offset = 0, unit_text_size = 0;
    bool additive_correction = false;  ///< VIFE 0x78..0x7B: the value is an additive correction (offset)
    /// A VIFE that changes what the value is of the VIF's quantity (EN 13757-3 Table 15), its code; 0 if
    /// none: 0x39 the start date (time) of; 0x40/0x48 the lower/upper limit value; 0x41/0x49 the number of
    /// exceeds of the lower/upper limit (a count: unit none); 0x42..0x4F (E100 uf1b) the date (time) of the
    /// begin/end of the first/last lower/upper limit exceed; 0x50..0x5F (E101 ufnn) the duration of a limit
    /// exceed and 0x60..0x67 (E110 0fnn) a duration, in s, min, h or d (`unit`, exponent 0); 0x6A, 0x6B,
    /// 0x6E, 0x6F (E110 1f1b) the date (time) of; other codes of 0x44..0x6F are reserved and kept. A date's
    /// value is read as the time point types by the data field's size. The quantity stays the VIF's: a
    /// record "volume_flow" with modifier 0x58 is the duration of the first upper volume-flow limit exceed.
    std::uint8_t modifier = 0;

    // COSEM (IEC 62056-21 readouts and DLMS/COSEM): the object and attribute the value belongs to.
    logical_name obis;      ///< valid when has_obis; groups not given are 0
    bool has_obis = false;  ///< DLMS: always; IEC: when the data set's address reads as OBIS
    /// The groups the address gave: bit 0 A .. bit 5 F (IEC "1.8.0" gives C, D, E: 0b011100; DLMS: 0x3F).
    std::uint8_t obis_given = 0;
    std::uint16_t class_id = 0;  ///< DLMS interface class (1 data, 3 register, 4 extended register, 7
                                 ///< profile generic, 8 clock, …); 0 when unknown (IEC readouts)
    std::uint8_t attribute = 0;  ///< DLMS attribute index; 0 when unknown
    /// DLMS: the scaler of the object's scaler_unit, already applied to `number` (`exponent` is the same);
    /// valid when has_scaler. A register value whose scaler_unit the decoder has not seen has none, and its
    /// number is the raw integer (JSON prints no scaler: never applied twice, never guessed).
    std::int8_t scaler = 0;
    bool has_scaler = false;
    std::uint8_t cosem_unit = 0;  ///< DLMS unit code (cosem_unit_name); 0 when none
    static constexpr std::uint32_t no_node = 0xFFFFFFFF;
    std::uint32_t node = no_node;  ///< DLMS: the value's A-XDR node in decoded_frame::nodes
    /// IEC 62056-21: the data set's address as written ("1.8.0", "1-0:1.8.0*255", "ET0PE"), in text.
    std::uint32_t name_offset = 0, name_size = 0;

    /// The record's raw bytes (DIB, VIB, data) in the frame the caller gave (decrypted, CRCs removed).
    std::span<const std::uint8_t> raw(std::span<const std::uint8_t> data) const noexcept {
        return data.subspan(offset, std::size_t(dib_size) + vib_size + data_size);
    }
};

/// The kind of frame on the link (EN 13757-2 wired; EN 13757-4 wireless formats; IEC 62056-21 messages;
/// DLMS/COSEM transports). Append only.
enum class frame_kind : std::uint8_t {
    single_character,
    short_frame,
    control,
    long_frame,
    wireless_a,
    wireless_b,
    wireless_no_crc,
    iec_request,         ///< "/?address!CR LF": sign-on
    iec_identification,  ///< "/XXXZ ident CR LF": the meter's answer to the sign-on
    iec_option_select,   ///< ACK V Z Y CR LF (also a lone ACK or NAK)
    iec_command,         ///< SOH C D [STX data] ETX BCC: a programming-mode command
    iec_data,            ///< STX data ETX BCC: a readout or an answer to a command
    iec_data_block,      ///< data lines without framing (a readout as a log keeps it)
    dlms_apdu,           ///< a bare xDLMS APDU
    dlms_wrapper,        ///< the TCP/UDP wrapper (IEC 62056-47: version 1, port 4059)
    hdlc,                ///< an HDLC frame (IEC 62056-46, frame format type 3)
};

/// Header fields common to the M-Bus protocols. The identity (manufacturer, id, version, medium) is the
/// meter's secondary address: the transport layer's long header when the frame has one, else the wireless
/// link layer's address.
struct frame_header {
    frame_kind kind = frame_kind::long_frame;
    std::uint8_t c_field = 0;  ///< link layer control field
    std::uint8_t a_field = 0;  ///< wired: the primary address
    std::uint8_t ci = 0;       ///< the control information field of the application data
    bool has_address = false;  ///< the identity below is known
    std::array<char, 4>
        manufacturer{};  ///< three letters and a NUL ("ACW"); from the 2-byte EN 62056-21 code
    std::uint16_t manufacturer_code = 0;
    std::uint32_t id = 0;  ///< the identification number as sent (BCD: 0x11490378 is "11490378")
    std::uint8_t version = 0;
    std::uint8_t medium = 0;  ///< the device type byte (0x07 water, 0x04 heat, 0x02 electricity, …)
    std::uint8_t access_number = 0;
    std::uint8_t status = 0;
    std::uint16_t configuration = 0;   ///< the configuration field (signature, security mode)
    std::uint8_t security_mode = 0;    ///< 0 none, 5 AES-CBC, 7 AES-CBC with KDF and CMAC, …
    bool encrypted = false;            ///< the payload was encrypted (and is decrypted in `data`)
    bool more_records_follow = false;  ///< DIF 0x1F: the meter has another telegram with more records
    // Wireless link layer address, when it differs from the identity (a radio module, a repeater).
    bool has_link_address = false;
    std::array<char, 4> link_manufacturer{};
    std::uint32_t link_id = 0;
    std::uint8_t link_version = 0, link_medium = 0;

    // IEC 62056-21. `manufacturer` holds the identification's three letters ("EKT").
    char iec_baud = 0;             ///< the identification's baud rate character ('0'..'6', 'A'..'I')
    char iec_command = 0;          ///< a command message's command ('R', 'W', 'P', 'E', 'B')
    char iec_command_type = 0;     ///< and its type ('0'..'9')
    std::uint8_t iec_option[3]{};  ///< an option select's V, Z, Y characters
    /// The identification's text after the baud character, or a request's device address, in `text`.
    std::uint32_t ident_offset = 0, ident_size = 0;
    std::uint8_t bcc = 0;       ///< the block check character as sent
    bool bcc_additive = false;  ///< it matched Energomera's sum mod 128, not the standard XOR

    // DLMS/COSEM.
    std::uint8_t apdu_tag = 0;  ///< 0xC4 get-response, 0x0F data-notification, 0xC2 event-notification, …
    std::uint8_t apdu_choice =
        0;  ///< the service's CHOICE (get-response: 1 normal, 2 with data block, 3 list)
    std::uint32_t invoke_id = 0;                 ///< invoke-id-and-priority (long for data-notification)
    std::array<std::uint8_t, 8> system_title{};  ///< the sender's, when has_system_title (ciphered APDUs)
    bool has_system_title = false;
    std::uint8_t security_control = 0;  ///< ciphered APDUs: the security control byte (0x30: auth + enc)
    std::uint32_t frame_counter = 0;    ///< ciphered APDUs: the invocation counter
    std::uint32_t hdlc_destination = 0, hdlc_source = 0;  ///< HDLC: the destination and source addresses
    std::uint8_t hdlc_control = 0;                        ///< HDLC: the control field (I, RR, SNRM, UA, …)
    std::uint16_t wrapper_source = 0, wrapper_destination = 0;  ///< the wrapper's wPorts
    /// An HDLC segment or a data block that is not the last: the frame decoded, its value completes in a
    /// later frame of the same session (decoder_config::session) and no records come until then.
    bool awaiting_more = false;

    /// The id as text: eight BCD digits ("11490378"), or eight hex digits when a nibble is not BCD.
    KVANT_API std::string id_text() const;
};

struct decoded_frame {
    std::string_view protocol;  ///< the decoder's name ("mbus", "wmbus"); empty before a decode
    frame_header header;
    std::vector<frame_record> records;
    std::vector<std::uint8_t> data;  ///< the bytes the records point into (decrypted, CRCs removed)
    std::string text;                ///< text values and plain-text units, in reading order
    std::vector<cosem_node> nodes;   ///< DLMS: parsed A-XDR values (offsets into `data`)
    frame_error error;               ///< status ok when the frame decoded

    bool ok() const noexcept { return error.status == decode_status::ok; }
    /// Whether the frame's records are COSEM records (IEC 62056-21 or DLMS: OBIS, class, attribute, scaler)
    /// rather than M-Bus ones.
    bool cosem() const noexcept {
        return protocol == "iec62056-21" || protocol == "dlms" || protocol == "hdlc";
    }
    /// Empties the frame, keeping its buffers' capacity.
    void clear() noexcept {
        protocol = {};
        header = frame_header{};
        records.clear();
        data.clear();
        text.clear();
        nodes.clear();
        error = frame_error{};
    }
    std::string_view text_of(const frame_record& r) const noexcept {
        return std::string_view(text).substr(r.text_offset, r.text_size);
    }
    std::span<const std::uint8_t> raw_of(const frame_record& r) const noexcept { return r.raw(data); }
    /// IEC 62056-21: the data set's address as written; empty for other records.
    std::string_view name_of(const frame_record& r) const noexcept {
        return std::string_view(text).substr(r.name_offset, r.name_size);
    }
    /// A plain-text VIF's unit ("%RH") or an IEC readout's unit as written ("kWh"); empty for other records.
    std::string_view unit_text_of(const frame_record& r) const noexcept {
        return std::string_view(text).substr(r.unit_text_offset, r.unit_text_size);
    }
    /// The record's data field bytes (as transmitted: little-endian numbers, reversed text).
    std::span<const std::uint8_t> data_of(const frame_record& r) const noexcept {
        return std::span<const std::uint8_t>(data).subspan(r.data_offset, r.data_size);
    }
};

/// Names for output (JSON, docs): "energy", "Wh", … `quantity_name` of `none` is "".
KVANT_API std::string_view record_quantity_name(record_quantity q) noexcept;
KVANT_API std::string_view record_unit_name(record_unit u) noexcept;
/// The medium (device type) byte's name in EN 13757-3 Table 3 ("water", "heat (outlet)", "electricity", …).
KVANT_API std::string_view medium_name(std::uint8_t medium) noexcept;

}  // namespace v0
}  // namespace kvant
