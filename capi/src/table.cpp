// kvant_table: a report's result, read through typed accessors, or as CSV or JSON text.
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "barrier.hpp"
#include "handles.hpp"
#include "kvant/model/json.hpp"

using namespace kvant;
using namespace kvant::capi;

const std::vector<std::string>& kvant_table::cells(std::size_t col) const {
    std::call_once(made[col], [&] {
        std::vector<std::string> t;
        t.reserve(table.rows());
        for (std::size_t r = 0; r < table.rows(); ++r) t.push_back(table.cell_text(col, r));
        text[col] = std::move(t);
    });
    return text[col];
}

namespace {

const report_table::column& column_of(const kvant_table* t, std::size_t col, const char* fn) {
    need(t, fn, "table");
    if (col >= t->table.columns())
        invalid(fn, ("column " + std::to_string(col) + " out of range (" +
                     std::to_string(t->table.columns()) + " columns)")
                        .c_str());
    return t->table.at(col);
}

void check_row(const kvant_table* t, std::size_t row, const char* fn) {
    if (row >= t->table.rows())
        invalid(fn, ("row " + std::to_string(row) + " out of range (" + std::to_string(t->table.rows()) +
                     " rows)")
                        .c_str());
}

bool is_null(const report_table::column& c, std::size_t row) {
    return c.type == column_type::text ? false : c.values[row] == report_table::null_value;
}

/// A copy of `s` the caller frees with kvant_string_free (std::free).
char* hand_out(const std::string& s) {
    char* p = static_cast<char*>(std::malloc(s.size() + 1));
    if (!p) throw std::bad_alloc();
    std::memcpy(p, s.c_str(), s.size() + 1);
    return p;
}

}  // namespace

extern "C" {

void kvant_table_free(kvant_table* t) {
    barrier([t] {
        delete t;
        return KVANT_OK;
    });
}

size_t kvant_table_rows(const kvant_table* t) {
    return barrier([t] { return need(t, "kvant_table_rows", "table")->table.rows(); });
}

size_t kvant_table_columns(const kvant_table* t) {
    return barrier([t] { return need(t, "kvant_table_columns", "table")->table.columns(); });
}

const char* kvant_table_column_name(const kvant_table* t, size_t col) {
    return barrier([&] { return column_of(t, col, "kvant_table_column_name").name.c_str(); });
}

int kvant_table_column_type(const kvant_table* t, size_t col) {
    return barrier([&] { return static_cast<int>(column_of(t, col, "kvant_table_column_type").type); });
}

int kvant_table_column_scale(const kvant_table* t, size_t col) {
    return barrier([&] { return scale_of(column_of(t, col, "kvant_table_column_scale").type); });
}

int kvant_table_find_column(size_t* col_out, const kvant_table* t, const char* name) {
    return barrier([&] {
        constexpr const char* fn = "kvant_table_find_column";
        need(col_out, fn, "col_out");
        *col_out = 0;
        need(t, fn, "table");
        need(name, fn, "name");
        for (std::size_t i = 0; i < t->table.columns(); ++i)
            if (t->table.at(i).name == name) {
                *col_out = i;
                return KVANT_OK;
            }
        throw failure(KVANT_E_NOT_FOUND, "[kvant.capi.not_found] kvant_table_find_column: no column '" +
                                             std::string(name) + "'");
    });
}

int kvant_table_get_int64(int64_t* out, const kvant_table* t, size_t col, size_t row) {
    return barrier([&] {
        constexpr const char* fn = "kvant_table_get_int64";
        need(out, fn, "out");
        *out = 0;
        const auto& c = column_of(t, col, fn);
        check_row(t, row, fn);
        if (c.type == column_type::text)
            invalid(fn, ("column '" + c.name + "' is text: read it with kvant_table_get_text").c_str());
        *out = c.values[row];
        return KVANT_OK;
    });
}

int kvant_table_get_text(const char** out, const kvant_table* t, size_t col, size_t row) {
    return barrier([&] {
        constexpr const char* fn = "kvant_table_get_text";
        need(out, fn, "out");
        *out = nullptr;
        const auto& c = column_of(t, col, fn);
        check_row(t, row, fn);
        *out = c.type == column_type::text || c.type == column_type::local_period
                   ? c.text[row].c_str()
                   : t->cells(col)[row].c_str();
        return KVANT_OK;
    });
}

int kvant_table_is_null(const kvant_table* t, size_t col, size_t row) {
    return barrier([&] {
        constexpr const char* fn = "kvant_table_is_null";
        const auto& c = column_of(t, col, fn);
        check_row(t, row, fn);
        return is_null(c, row) ? 1 : 0;
    });
}

int kvant_table_to_csv(char** out, const kvant_table* t) {
    return barrier([&] {
        constexpr const char* fn = "kvant_table_to_csv";
        need(out, fn, "out");
        *out = nullptr;
        need(t, fn, "table");
        std::ostringstream os;
        t->table.write_csv(os);
        *out = hand_out(os.str());
        return KVANT_OK;
    });
}

int kvant_table_to_json(char** out, const kvant_table* t) {
    return barrier([&] {
        constexpr const char* fn = "kvant_table_to_json";
        need(out, fn, "out");
        *out = nullptr;
        need(t, fn, "table");
        const report_table& r = t->table;
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();  // keys in column order
        for (std::size_t i = 0; i < r.rows(); ++i) {
            nlohmann::ordered_json row = nlohmann::ordered_json::object();
            for (std::size_t k = 0; k < r.columns(); ++k) {
                const auto& c = r.at(k);
                nlohmann::ordered_json& cell = row[c.name];
                if (is_null(c, i)) continue;  // stays null
                switch (c.type) {
                    case column_type::integer:
                        cell = c.values[i];
                        break;
                    case column_type::boolean:
                        cell = c.values[i] != 0;
                        break;
                    default:  // text, exact numbers and money, times and periods: as the CSV shows them
                        cell = r.cell_text(k, i);
                        break;
                }
            }
            rows.push_back(std::move(row));
        }
        *out = hand_out(rows.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
        return KVANT_OK;
    });
}

}  // extern "C"
