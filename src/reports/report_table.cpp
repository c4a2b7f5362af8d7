#include "kvant/reports/report_table.hpp"

#include "kvant/io/csv.hpp"

#include <ostream>
#include <stdexcept>

namespace kvant {
inline namespace v0 {

report_table::report_table(std::vector<std::pair<std::string, column_type>> columns) {
    for (auto& [name, type] : columns) {
        column c;
        c.name = std::move(name);
        c.type = type;
        columns_.push_back(std::move(c));
    }
    set_.assign(columns_.size(), 0);
}

const report_table::column* report_table::find(std::string_view name) const noexcept {
    for (const auto& c : columns_)
        if (c.name == name) return &c;
    return nullptr;
}

namespace {

bool has_values(column_type t) noexcept {
    return t != column_type::text;
}
bool has_text(column_type t) noexcept {
    return t == column_type::text || t == column_type::local_period;
}

}  // namespace

report_table::column& report_table::begin_cell(std::size_t col, column_type expected) {
    auto& c = columns_.at(col);
    if (c.type != expected)
        throw std::logic_error("report_table: column " + c.name + " is " + std::string(to_string(c.type)) +
                               ", not " + std::string(to_string(expected)));
    if (set_[col]) throw std::logic_error("report_table: column " + c.name + " set twice in a row");
    set_[col] = 1;
    return c;
}

report_table& report_table::set_text(std::size_t col, std::string_view v) {
    auto& c = begin_cell(col, column_type::text);
    c.text.emplace_back(v);
    return *this;
}
report_table& report_table::set_integer(std::size_t col, std::int64_t v) {
    auto& c = begin_cell(col, column_type::integer);
    c.values.push_back(v);
    return *this;
}
report_table& report_table::set_number(std::size_t col, decimal v) {
    auto& c = begin_cell(col, column_type::number);
    c.values.push_back(v.raw());
    return *this;
}
report_table& report_table::set_currency(std::size_t col, money v) {
    auto& c = begin_cell(col, column_type::currency);
    c.values.push_back(v.kopecks());
    return *this;
}
report_table& report_table::set_bool(std::size_t col, bool v) {
    auto& c = begin_cell(col, column_type::boolean);
    c.values.push_back(v ? 1 : 0);
    return *this;
}
report_table& report_table::set_timestamp(std::size_t col, instant at) {
    auto& c = begin_cell(col, column_type::timestamp);
    c.values.push_back(to_unix(at));
    return *this;
}
report_table& report_table::set_period(std::size_t col, instant begin, std::string_view label) {
    auto& c = begin_cell(col, column_type::local_period);
    c.values.push_back(to_unix(begin));
    c.text.emplace_back(label);
    return *this;
}

void report_table::end_row() {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        auto& c = columns_[i];
        if (!set_[i]) {
            if (has_values(c.type)) c.values.push_back(null_value);
            if (has_text(c.type)) c.text.emplace_back();
        }
        set_[i] = 0;
    }
    ++rows_;
}

std::string report_table::cell_text(std::size_t col, std::size_t row) const {
    const auto& c = columns_.at(col);
    if (row >= rows_) throw std::out_of_range("report_table: row " + std::to_string(row));
    if (c.type == column_type::text || c.type == column_type::local_period) return c.text[row];
    const std::int64_t v = c.values[row];
    if (v == null_value) return {};
    switch (c.type) {
        case column_type::integer:
            return std::to_string(v);
        case column_type::number:
            return to_string(decimal::from_raw(v));
        case column_type::currency:
            return to_string(money::from_kopecks(v));
        case column_type::boolean:
            return v ? "1" : "0";
        case column_type::timestamp:
            return to_string(from_unix(v));
        default:
            return {};
    }
}

void report_table::write_csv(std::ostream& out) const {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
        if (i) out << ',';
        write_csv_field(out, columns_[i].name);
    }
    out << '\n';
    for (std::size_t r = 0; r < rows_; ++r) {
        for (std::size_t i = 0; i < columns_.size(); ++i) {
            if (i) out << ',';
            write_csv_field(out, cell_text(i, r));
        }
        out << '\n';
    }
}

}  // namespace v0
}  // namespace kvant
