// kvant's C++ exceptions as the Python package's exception classes (kvant/errors.py).
#pragma once

#include <pybind11/pybind11.h>

#include "kvant/core/error.hpp"

namespace kvant::python {

/// Registers the translator: kvant::error → kvant.errors.<class>(message, code), std::bad_alloc →
/// MemoryError; anything else pybind11 maps itself.
void bind_errors(pybind11::module_& m);

}  // namespace kvant::python
