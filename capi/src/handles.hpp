// What the C API's opaque handles hold.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kvant/model/reading_table.hpp"
#include "kvant/reports/report_table.hpp"
#include "kvant/store/store.hpp"

struct kvant_store {
    std::unique_ptr<kvant::store> db;
};

/// Values read back: the rows as the cursor gave them, with each channel's text made once.
struct kvant_readings {
    kvant::reading_table rows;
    std::vector<std::string> channel_text;  // per channel slot of `rows`
};

/// A report's result, with the text of its non-text cells made on first ask, a column at a time (so that a
/// caller reading only numbers never pays for text); reading it from many threads at once is safe.
struct kvant_table {
    explicit kvant_table(kvant::report_table t)
        : table(std::move(t)), text(table.columns()), made(new std::once_flag[table.columns()]) {}
    /// The cells of column `col` as the CSV shows them.
    const std::vector<std::string>& cells(std::size_t col) const;

    kvant::report_table table;

  private:
    mutable std::vector<std::vector<std::string>> text;
    std::unique_ptr<std::once_flag[]> made;
};

namespace kvant::capi {
/// The store's conflict policy for a KVANT_CONFLICT_* value; any other value is an invalid argument of `fn`.
on_conflict conflict_policy(int c, const char* fn);
}  // namespace kvant::capi
