// The reports (include/kvant/reports/reports.hpp) and their result table for Python.
#pragma once

#include <pybind11/pybind11.h>

namespace kvant::python {

void bind_reports(pybind11::module_& m);

}  // namespace kvant::python
