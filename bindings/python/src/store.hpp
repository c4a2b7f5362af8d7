// kvant.Store: a SQLite database (or ":memory:") for Python, closed explicitly or by its context manager.
#pragma once

#include <memory>
#include <string>

#include "readings.hpp"

namespace kvant::python {

struct py_store {
    std::unique_ptr<store> db;  ///< null once closed
    std::string path;
    /// The open store; storage_error naming the path once it is closed.
    store& get() const;
};

void bind_store(py::module_& m);

}  // namespace kvant::python
