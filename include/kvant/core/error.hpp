/// \file
/// Errors. One root, `kvant::error`, with a stable numeric code; subclasses per area. Messages start with a
/// fixed prefix `[kvant.<area>.<code>]` that tests and hosts may match on; the rest names what and where.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kvant/core/export.hpp"

namespace kvant {
inline namespace v0 {

/// Stable error codes. Never renumber a released code; only add.
enum class errc : int {
    // parse: text that does not say what it should (100..199)
    parse = 100,
    invalid_number = 101,
    invalid_timestamp = 102,
    invalid_date = 103,
    invalid_zone = 104,
    invalid_identifier = 105,
    invalid_enum = 106,
    missing_field = 107,
    csv_syntax = 110,
    csv_header = 111,
    csv_missing_field = 112,
    json = 120,
    invalid_text = 121,  ///< text that is not valid UTF-8, holds a control character or is too long
    // validation: well-formed data that is inconsistent (200..299)
    validation = 200,
    unknown_reference = 201,
    duplicate = 202,
    out_of_range = 203,  ///< a value outside its documented plausible or exact range
    overflow = 204,      ///< an arithmetic result outside the exact range (names the meter and period)
    // storage (300..399)
    storage = 300,
    storage_schema = 301,
    storage_conflict = 302,
    storage_io = 303,
    not_found = 304,
    storage_busy = 305,     ///< another connection holds the write lock past the busy timeout: retry later
    storage_corrupt = 306,  ///< a stored value that cannot be read back (names table, key, column)
    // configuration and usage (400..499)
    config = 400,
    usage = 401,
    // decoding of meter protocols (500..599)
    decode = 500,
};

/// The area of a code: "parse", "validation", "storage", "config" or "decode".
constexpr std::string_view area_of(errc c) noexcept {
    const int v = static_cast<int>(c);
    if (v < 200) return "parse";
    if (v < 300) return "validation";
    if (v < 400) return "storage";
    if (v < 500) return "config";
    return "decode";
}

/// Where in the input something went wrong. Every part is optional; `to_string` prints the parts present as
/// `file:line: field 'name': byte N`.
struct location {
    std::string file;          ///< file name or a description of the stream ("<stdin>")
    std::uint64_t line = 0;    ///< 1-based line, 0 when unknown
    std::string field;         ///< column or JSON key
    std::int64_t offset = -1;  ///< byte offset in the line, field or frame, -1 when unknown

    bool empty() const noexcept { return file.empty() && line == 0 && field.empty() && offset < 0; }
    std::string to_string() const {
        std::string s = file;
        if (line) s += (s.empty() ? "line " : ":") + std::to_string(line);
        if (!field.empty()) s += (s.empty() ? "" : ": ") + std::string("field '") + field + "'";
        if (offset >= 0) s += (s.empty() ? "" : ": ") + std::string("byte ") + std::to_string(offset);
        return s;
    }
};

/// The root of every exception the library throws.
class KVANT_API error : public std::runtime_error {
  public:
    error(errc code, const std::string& what_and_where)
        : std::runtime_error(prefix(code) + what_and_where), code_(code) {}
    errc code() const noexcept { return code_; }
    /// The message without the `[kvant...]` prefix.
    std::string_view message() const noexcept {
        std::string_view w = what();
        const auto p = w.find("] ");
        return p == std::string_view::npos ? w : w.substr(p + 2);
    }

  private:
    static std::string prefix(errc c) {
        return "[kvant." + std::string(area_of(c)) + "." + std::to_string(static_cast<int>(c)) + "] ";
    }
    errc code_;
};

/// Text that could not be read: carries the location (file, line, field, byte offset).
class KVANT_API parse_error : public error {
  public:
    parse_error(errc code, const std::string& what, location where = {})
        : error(code, where.empty() ? what : where.to_string() + ": " + what),
          where_(std::move(where)),
          reason_(what) {}
    const location& where() const noexcept { return where_; }
    /// What is wrong, without the location.
    const std::string& reason() const noexcept { return reason_; }

  private:
    location where_;
    std::string reason_;
};

/// Well-formed data that contradicts itself or the store (unknown meter, duplicate key).
class KVANT_API validation_error : public error {
  public:
    validation_error(errc code, const std::string& what, location where = {})
        : error(code, where.empty() ? what : where.to_string() + ": " + what),
          where_(std::move(where)),
          reason_(what) {}
    const location& where() const noexcept { return where_; }
    /// What is wrong, without the location.
    const std::string& reason() const noexcept { return reason_; }

  private:
    location where_;
    std::string reason_;
};

/// A failure of the store: the database, its schema, a conflict with stored data.
class KVANT_API storage_error : public error {
  public:
    using error::error;
};

/// A bad setting or command-line argument.
class KVANT_API config_error : public error {
  public:
    using error::error;
};

/// A meter protocol frame that cannot be decoded.
class KVANT_API decode_error : public error {
  public:
    using error::error;
};

}  // namespace v0
}  // namespace kvant
