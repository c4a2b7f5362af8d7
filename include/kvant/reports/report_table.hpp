/// \file
/// `kvant::report_table`: the result of a report (consumption, split, cost, verification, anomalies,
/// estimate) as typed columns, the one form every front end reads: the `kvant` tool writes it as CSV, the C
/// API hands out its columns through typed accessors, the Python package turns it into a pandas DataFrame
/// (NumPy views of its integer columns, no copy). Its columns and their names are those of the tool's CSV
/// output for the same command, in the same order.
///
/// Storage per column type (`values` holds one int64 a row, `text` one string a row):
/// - text: `text` only;
/// - integer: `values` (a count);
/// - number: an exact `decimal`, `values` in millionths (`decimal::raw`, scale 6);
/// - currency: `money`, `values` in kopecks (scale 2);
/// - boolean: `values` 0 or 1;
/// - timestamp: an `instant`, `values` in Unix seconds (UTC);
/// - local_period: `values` the period's start as Unix seconds (UTC) and `text` its local label ("2024-03",
///   "2024-03-05", "2024"; what the CSV shows).
/// A null cell (an empty CSV field) is `null_value` in `values` (and "" in `text`).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "kvant/core/decimal.hpp"
#include "kvant/core/export.hpp"
#include "kvant/core/money.hpp"
#include "kvant/core/time.hpp"
#include "kvant/detail/enum_text.hpp"

namespace kvant {
inline namespace v0 {

enum class column_type : std::uint8_t { text, integer, number, currency, boolean, timestamp, local_period };
inline constexpr detail::enum_text<column_type, 7> column_type_text{
    "column type",
    {{{column_type::text, "text"},
      {column_type::integer, "integer"},
      {column_type::number, "number"},
      {column_type::currency, "currency"},
      {column_type::boolean, "boolean"},
      {column_type::timestamp, "timestamp"},
      {column_type::local_period, "local_period"}}}};
KVANT_ENUM_TEXT(column_type, column_type_text)

/// The power of ten a column's `values` are scaled by: 6 for number, 2 for currency, else 0.
constexpr int scale_of(column_type t) noexcept {
    return t == column_type::number ? 6 : t == column_type::currency ? 2 : 0;
}

class KVANT_API report_table {
  public:
    static constexpr std::int64_t null_value = std::numeric_limits<std::int64_t>::min();

    struct column {
        std::string name;
        column_type type = column_type::text;
        std::vector<std::int64_t> values;  ///< every type but text
        std::vector<std::string> text;     ///< text and period
    };

    report_table() = default;
    /// A table with these columns and no rows.
    explicit report_table(std::vector<std::pair<std::string, column_type>> columns);

    std::size_t rows() const noexcept { return rows_; }
    std::size_t columns() const noexcept { return columns_.size(); }
    const column& at(std::size_t i) const { return columns_.at(i); }
    /// The column of that name, or nullptr.
    const column* find(std::string_view name) const noexcept;

    /// Appends one row: call a setter once for each column (in any order), then `end_row`. A cell left unset
    /// is null. Throws std::logic_error when a setter does not match the column's type or sets a cell twice.
    report_table& set_text(std::size_t col, std::string_view v);
    report_table& set_integer(std::size_t col, std::int64_t v);
    report_table& set_number(std::size_t col, decimal v);
    report_table& set_currency(std::size_t col, money v);
    report_table& set_bool(std::size_t col, bool v);
    report_table& set_timestamp(std::size_t col, instant at);
    report_table& set_period(std::size_t col, instant begin, std::string_view label);
    void end_row();

    /// The cell as the CSV shows it: number as the shortest exact text, currency with two digits, boolean
    /// 0/1, timestamp ISO 8601 UTC (to_string(instant)), local_period its label, null empty.
    std::string cell_text(std::size_t col, std::size_t row) const;
    /// A header line of the column names, then a line a row; fields quoted only when they hold `,`, `"` or a
    /// line break (RFC 4180).
    void write_csv(std::ostream& out) const;

  private:
    column& begin_cell(std::size_t col, column_type expected);

    std::vector<column> columns_;
    std::vector<std::uint8_t> set_;  // per column: set in the row being built
    std::size_t rows_ = 0;
};

}  // namespace v0
}  // namespace kvant
