// kvant.decode, kvant.Decoder, kvant.decode_frames and Store.ingest: meter protocol frames for Python.
#pragma once

#include <pybind11/pybind11.h>

namespace kvant::python {

void bind_decode(pybind11::module_& m);

}  // namespace kvant::python
