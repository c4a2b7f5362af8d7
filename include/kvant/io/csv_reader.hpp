/// \file
/// A strict RFC 4180 CSV reader over text in memory: fields separated by a delimiter (`,` by default, `;` for
/// spreadsheet exports), optionally quoted with `"` (a quote inside doubled), records ending in LF or CRLF.
/// A UTF-8 byte-order mark at the start is skipped; blank lines are skipped. Fields come out as string_views,
/// valid until the next call. Errors (an unterminated quote, text after a closing quote) throw parse_error
/// csv_syntax with the source name, the line and the byte offset in that line. Every field is checked as text
/// (core/text.hpp: valid UTF-8, no control character but TAB/LF/CR, at most max_text_bytes): a bad one throws
/// parse_error invalid_text naming the line, the column (its header name once `name_columns` was called, else
/// "column N") and the byte offset of the first offence in the field.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/error.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/text.hpp"

namespace kvant {
inline namespace v0 {

class KVANT_API csv_reader {
  public:
    /// `text` must outlive the reader. `source` names it in messages (a file name).
    csv_reader(std::string_view text, std::string source, char delimiter = ',');

    /// Reads the next record into `fields`; false at the end of the text.
    bool next(std::vector<std::string_view>& fields);
    /// The 1-based line on which the last record read starts.
    std::uint64_t line() const noexcept { return record_line_; }
    const std::string& source() const noexcept { return source_; }
    /// Names the columns for messages (the header's names, in order).
    void name_columns(std::vector<std::string> names) { names_ = std::move(names); }
    /// A location in the current record, for messages.
    location where(std::string field = {}) const {
        return location{source_, record_line_, std::move(field), -1};
    }

  private:
    std::string_view text_;
    std::string source_;
    char delim_;
    std::size_t pos_ = 0;
    std::uint64_t line_ = 1;
    std::uint64_t record_line_ = 0;
    std::deque<std::string> unquoted_;
    std::vector<std::string> names_;
    void push(std::vector<std::string_view>& fields,
              std::string_view v);  // storage for quoted fields that contained doubled quotes
};

/// The named columns of a CSV header: where each name is, and a check that every name is known and present
/// at most once, and that the required ones are there.
class KVANT_API csv_header {
  public:
    csv_header(const std::vector<std::string_view>& names, const location& where,
               const std::vector<std::string_view>& known, const std::vector<std::string_view>& required);
    /// The column index of a name, or -1 when the file has no such column.
    int index(std::string_view name) const noexcept;
    std::size_t size() const noexcept { return names_.size(); }
    const std::vector<std::string>& names() const noexcept { return names_; }

  private:
    std::vector<std::string> names_;
};

}  // namespace v0
}  // namespace kvant
