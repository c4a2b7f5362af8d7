// kvant._kvant: the private compiled module behind the pure-Python package `kvant`.
#include <pybind11/pybind11.h>

#include <string>

#include "decode.hpp"
#include "errors.hpp"
#include "kvant/core/version.hpp"
#include "readings.hpp"
#include "reports.hpp"
#include "store.hpp"

PYBIND11_MODULE(_kvant, m) {
    m.doc() = "libkvant's private binding; use the package `kvant`";
    m.attr("__version__") = std::to_string(KVANT_VERSION_MAJOR) + "." + std::to_string(KVANT_VERSION_MINOR) +
                            "." + std::to_string(KVANT_VERSION_PATCH);
    kvant::python::bind_errors(m);
    kvant::python::bind_readings(m);
    kvant::python::bind_store(m);
    kvant::python::bind_reports(m);
    kvant::python::bind_decode(m);
}
