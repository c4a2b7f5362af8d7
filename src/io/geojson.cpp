#include "kvant/io/geojson.hpp"

#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

namespace kvant {
inline namespace v0 {

namespace {
std::string quoted(const std::string& s) {
    return nlohmann::json(s).dump();
}

void bbox(std::ostream& out, const geo_bounds& b) {
    out << '[' << to_string(b.west) << ',' << to_string(b.south) << ',' << to_string(b.east) << ','
        << to_string(b.north) << ']';
}

void serials(std::ostream& out, const std::vector<std::string>& list) {
    out << '[';
    for (std::size_t i = 0; i < list.size(); ++i) out << (i ? "," : "") << quoted(list[i]);
    out << ']';
}
}  // namespace

void write_geojson(std::ostream& out, const map_view& v) {
    out << "{\"type\":\"FeatureCollection\",\"zoom\":" << v.zoom << ",\"cell_pixels\":" << v.cell_pixels
        << ",\"at\":" << quoted(to_string(v.at)) << ",\"meters\":" << v.meters
        << ",\"without_coordinates\":" << v.without_coordinates << ",\"without\":";
    serials(out, v.without);
    if (v.bounds) {
        out << ",\"bbox\":";
        bbox(out, *v.bounds);
    }
    out << ",\"features\":[";
    for (std::size_t i = 0; i < v.clusters.size(); ++i) {
        const map_cluster& c = v.clusters[i];
        const bool single = c.count == 1;
        out << (i ? "," : "") << "\n{\"type\":\"Feature\",\"id\":"
            << quoted(std::to_string(v.zoom) + '/' + std::to_string(c.column) + '/' + std::to_string(c.row))
            << ",\"bbox\":";
        bbox(out, c.bounds);
        out << ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[" << to_string(c.longitude) << ','
            << to_string(c.latitude)
            << "]},\"properties\":{\"kind\":" << (single ? "\"meter\"" : "\"cluster\"")
            << ",\"count\":" << c.count << ",\"meters\":";
        serials(out, c.meters);
        out << ",\"states\":{";
        for (std::size_t b = 0; b < meter_status_count; ++b)
            out << (b ? "," : "") << '"' << to_string(static_cast<meter_status>(b)) << "\":" << c.states[b];
        out << '}';
        if (single)
            for (std::size_t b = 0; b < meter_status_count; ++b)
                if (c.states[b]) out << ",\"state\":\"" << to_string(static_cast<meter_status>(b)) << '"';
        out << "}}";
    }
    out << "\n]}\n";
}

std::string to_geojson(const map_view& v) {
    std::ostringstream out;
    write_geojson(out, v);
    return out.str();
}

}  // namespace v0
}  // namespace kvant
