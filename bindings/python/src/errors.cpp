#include "errors.hpp"

#include <string>

namespace kvant::python {

namespace py = pybind11;

namespace {

/// The Python class for a C++ error: by class, then by code for the overflow of arithmetic.
const char* class_of(const error& e) {
    if (e.code() == errc::overflow) return "OverflowError";
    if (dynamic_cast<const parse_error*>(&e)) return "ParseError";
    if (dynamic_cast<const validation_error*>(&e)) return "ValidationError";
    if (dynamic_cast<const storage_error*>(&e)) return "StorageError";
    if (dynamic_cast<const config_error*>(&e)) return "ConfigError";
    if (dynamic_cast<const decode_error*>(&e)) return "DecodeError";
    return "Error";
}

}  // namespace

void bind_errors(py::module_& m) {
    m.def("_area_of", [](int code) { return std::string(area_of(static_cast<errc>(code))); });
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const error& e) {
            py::object cls = py::module_::import("kvant.errors").attr(class_of(e));
            std::string file;
            long long line = 0;
            if (const auto* pe = dynamic_cast<const parse_error*>(&e)) {
                file = pe->where().file;
                line = static_cast<long long>(pe->where().line);
            }
            py::object exc = cls(std::string(e.what()), static_cast<int>(e.code()), file, line);
            PyErr_SetObject(cls.ptr(), exc.ptr());
        }
    });
}

}  // namespace kvant::python
