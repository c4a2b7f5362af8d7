#include "store.hpp"

#include <nlohmann/json.hpp>

#include "kvant/io/entity_json.hpp"
#include "kvant/store/open_store.hpp"

namespace kvant::python {

store& py_store::get() const {
    if (!db) throw storage_error(errc::storage, "store " + path + " is closed");
    return *db;
}

namespace {}  // namespace

void bind_store(py::module_& m) {
    py::class_<py_store, std::shared_ptr<py_store>>(m, "Store")
        .def(py::init([](const std::string& path, const std::string& mode, int busy_timeout_ms) {
                 auto s = std::make_shared<py_store>();
                 s->path = path;
                 const auto md = mode == "create" ? sqlite_store::mode::create
                                 : mode == "open" ? sqlite_store::mode::open
                                 : mode == "read_only"
                                     ? sqlite_store::mode::read_only
                                     : throw config_error(errc::usage, "store mode '" + mode +
                                                                           "': create, open or read_only");
                 if (path == ":memory:") {
                     s->db = std::make_unique<memory_store>();
                     return s;
                 }
                 py::gil_scoped_release nogil;
                 if (names_postgres(path)) {  // a PostgreSQL connection string or URI
                     store_options o;
                     o.postgres.lock_timeout = std::chrono::milliseconds(busy_timeout_ms);
                     s->db = open_store(path,
                                        md == sqlite_store::mode::create ? open_mode::create
                                        : md == sqlite_store::mode::open ? open_mode::open
                                                                         : open_mode::read_only,
                                        o);
                     s->path = postgres_store::redact(path);  // messages name it without its password
                     return s;
                 }
                 s->db = std::make_unique<sqlite_store>(path, md, std::chrono::milliseconds(busy_timeout_ms));
                 return s;
             }),
             py::arg("path"), py::arg("mode") = "create", py::arg("busy_timeout_ms") = 5000)
        .def_readonly("path", &py_store::path)
        .def_property_readonly("closed",
                               [](const py_store& s) {
                                   py::gil_scoped_release nogil;
                                   std::lock_guard<std::mutex> lk(s.mu);
                                   return s.db == nullptr;
                               })
        .def("close",
             [](py_store& s) {
                 py::gil_scoped_release nogil;
                 std::lock_guard<std::mutex> lk(s.mu);  // waits for a call under way
                 s.db.reset();
             })
        .def("_begin", [](py_store& s) { s.locked([](store& db) { db.begin(); }); })
        .def("_commit", [](py_store& s) { s.locked([](store& db) { db.commit(); }); })
        .def("_rollback", [](py_store& s) { s.locked([](store& db) { db.rollback(); }); })
        .def(
            "_import_csv",
            [](py_store& s, const std::vector<std::pair<std::string, std::string>>& files,
               const std::string& conflict, std::optional<int> offset) {
                std::vector<std::pair<table_kind, std::filesystem::path>> list;
                for (const auto& [kind, file] : files) list.emplace_back(parse_enum<table_kind>(kind), file);
                import_options io;
                io.conflict = parse_enum<on_conflict>(conflict);
                io.default_offset_minutes = offset;
                const auto r = s.locked([&](store& db) { return import_csv_files(db, std::move(list), io); });
                return std::make_tuple(r.rows, r.warning_count);
            },
            py::arg("files"), py::arg("conflict") = "fail", py::arg("assume_offset_minutes") = py::none())
        .def("_put_json",
             [](py_store& s, const std::string& kind, const std::string& text) {
                 s.locked([&](store& db) { put_json_entities(db, kind, text, "Store.put " + kind); });
             })
        .def(
            "_put_readings",
            [](py_store& s, const readings& r, const std::string& conflict) {
                const auto policy = parse_enum<on_conflict>(conflict);
                // caller arrays used in place: changed since from_arrays checked them, a code out of range
                // would index past the names (checked with the GIL held, before the copy below)
                if (r.arrays) check_rows(*r.arrays, " (changed since it was made)");
                const write_stats st = s.locked([&](store& db) {
                    if (r.table) return db.put_readings(*r.table, policy);
                    reading_table t;  // caller arrays: the store takes a table
                    t.reserve(r.size());
                    const auto& a = *r.arrays;
                    std::vector<std::uint32_t> ms;
                    for (const auto& x : a.meters) ms.push_back(t.meter_slot(x));
                    std::vector<std::uint16_t> cs;
                    for (const auto& c : a.channels) cs.push_back(t.channel_slot(c));
                    for (std::size_t i = 0; i < r.size(); ++i)
                        t.push(ms[static_cast<std::size_t>(a.meter_code.data()[i])],
                               cs[static_cast<std::size_t>(a.channel_code.data()[i])], a.time.data()[i],
                               a.value.data()[i]);
                    return db.put_readings(t, policy);
                });
                return std::make_tuple(st.inserted, st.replaced, st.unchanged);
            },
            py::arg("readings"), py::arg("conflict") = "fail")
        .def(
            "_readings",
            [](const py_store& s, std::vector<std::string> meters, std::vector<std::string> channels,
               std::int64_t from, std::int64_t to) {
                series_query q;
                q.meters = std::move(meters);
                for (const auto& c : channels) q.channels.push_back(parse_channel(c));
                q.from = from;
                q.to = to;
                q.provenance = false;
                auto r = std::make_shared<readings>();
                r->table = std::make_shared<reading_table>();
                s.locked([&](store& db) {
                    auto cur = db.scan(q);
                    series_chunk ch;
                    while (cur->next(ch)) {
                        const auto mslot = r->table->meter_slot(ch.meter);
                        const auto cslot = r->table->channel_slot(ch.ch);
                        for (std::size_t i = 0; i < ch.size(); ++i)
                            r->table->push(mslot, cslot, ch.time[i], ch.value[i]);
                    }
                });
                return r;
            },
            py::arg("meters"), py::arg("channels"), py::arg("from_"), py::arg("to"))
        .def(
            "reading_count",
            [](const py_store& s, const std::string& meter) {
                return s.locked([&](store& db) { return db.reading_count(meter); });
            },
            py::arg("meter") = "");
}

}  // namespace kvant::python
