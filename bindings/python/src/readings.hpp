// The readings the Python package hands to a report or a store: a reading_table (read from a CSV file or
// built row by row), or caller NumPy arrays used in place (int64 times and values grouped by meter and
// channel), with the meters (and their relations) they belong to.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <string>
#include <vector>

#include "kvant/kvant.hpp"
#include "kvant/reports/meter_source.hpp"

namespace kvant::python {

namespace py = pybind11;

/// A read-only NumPy view of a column of `owner` (a Readings or a ReportTable), which the array keeps alive:
/// no copy. Read-only because a code written through it could send a later report past the meter names.
template <class T>
py::array view(const std::vector<T>& v, py::handle owner) {
    py::array a = py::array_t<T>({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))},
                                 v.data(), owner);
    py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
    return a;
}

/// Rows held as caller arrays, grouped by (meter code, channel code) with times increasing in each run.
struct array_rows {
    std::vector<std::string> meters;                                  ///< names of the meter codes
    std::vector<channel> channels;                                    ///< channels of the channel codes
    py::array_t<std::int64_t> meter_code, channel_code, time, value;  ///< the caller's arrays (or ours)
};

/// Throws unless every row of the arrays names a meter and a channel they have and holds a plausible time and
/// value; `when` is put after "readings" in the message. Call it with the GIL held (the arrays are the
/// caller's).
void check_rows(const array_rows& rows, const char* when);

struct readings {
    std::shared_ptr<reading_table> table;  ///< set unless `arrays` is
    std::shared_ptr<array_rows> arrays;
    bool wide = false;  ///< a wide file's register columns (mapped per meter's resource)
    std::shared_ptr<const fleet> relations = std::make_shared<const fleet>();

    std::size_t size() const;
    /// A source over these readings for a report (no copy of the rows unless the table must be sorted).
    std::unique_ptr<meter_source> source(const source_options& o) const;
};

void bind_readings(py::module_& m);

}  // namespace kvant::python
