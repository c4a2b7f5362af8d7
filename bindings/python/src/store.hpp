// kvant.Store: a SQLite database (or ":memory:") for Python, closed explicitly or by its context manager.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "readings.hpp"

namespace kvant::python {

/// Every call that uses `db` (close too) releases the GIL, then holds `mu`: two threads on one Store take
/// turns on its one connection, and close() waits for a call under way instead of freeing it under it.
struct py_store {
    std::unique_ptr<store> db;  ///< null once closed
    std::string path;
    mutable std::mutex mu;
    /// The open store; storage_error naming the path once it is closed.
    store& get() const;
    /// f(store&) with the GIL released and `mu` held (never take the GIL while holding `mu`).
    template <class F>
    auto locked(F&& f) const {
        py::gil_scoped_release nogil;
        std::lock_guard<std::mutex> lk(mu);
        return f(get());
    }
};

void bind_store(py::module_& m);

}  // namespace kvant::python
