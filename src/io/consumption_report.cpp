#include "kvant/io/consumption_report.hpp"

#include <nlohmann/json.hpp>
#include <ostream>

namespace kvant {
inline namespace v0 {

namespace {
std::string dec_text(std::int64_t raw) {
    return to_string(decimal::from_raw(raw));
}
}  // namespace

void write_consumption_csv(std::ostream& out, std::span<const meter_consumption> rows,
                           const report_options& o) {
    out << "meter,period,register,value,complete\n";
    for (const auto& mc : rows)
        for (std::size_t k = 0; k < mc.periods.size(); ++k) {
            const std::string label = period_label(mc.periods[k].start_date, o.kind);
            for (const auto& rc : mc.registers) {
                if (o.complete_only && !rc.complete[k]) continue;
                out << mc.meter << ',' << label << ',' << mc.label(rc.ch) << ',' << dec_text(rc.value[k])
                    << ',' << int(rc.complete[k]) << '\n';
            }
        }
}

void write_consumption_json(std::ostream& out, std::span<const meter_consumption> rows,
                            const report_options& o) {
    nlohmann::json j = {{"rows", nlohmann::json::array()}, {"notes", nlohmann::json::array()}};
    for (const auto& mc : rows) {
        for (std::size_t k = 0; k < mc.periods.size(); ++k)
            for (const auto& rc : mc.registers) {
                if (o.complete_only && !rc.complete[k]) continue;
                j["rows"].push_back({{"meter", mc.meter},
                                     {"period", period_label(mc.periods[k].start_date, o.kind)},
                                     {"register", mc.label(rc.ch)},
                                     {"value", dec_text(rc.value[k])},
                                     {"complete", rc.complete[k] != 0}});
            }
        for (const auto& n : mc.notes)
            j["notes"].push_back({{"meter", mc.meter},
                                  {"register", mc.label(n.ch)},
                                  {"status", to_string(n.status)},
                                  {"from", to_string(from_unix(n.t0))},
                                  {"to", to_string(from_unix(n.t1))},
                                  {"previous", dec_text(n.v0)},
                                  {"current", dec_text(n.v1)},
                                  {"counted", dec_text(n.counted)}});
    }
    out << j.dump(2) << '\n';
}

void write_groups_csv(std::ostream& out, std::span<const group_row> rows, const report_options& o) {
    out << "group,resource,role,period,register,value,complete,meters\n";
    for (const auto& r : rows) {
        if (o.complete_only && !r.complete) continue;
        out << r.group << ',' << to_string(r.measures) << ',' << to_string(r.role) << ','
            << period_label(r.period_start, o.kind) << ',' << channel_label(r.ch, channel::main(r.measures))
            << ',' << dec_text(r.value) << ',' << int(r.complete) << ',' << r.meters << '\n';
    }
}

void write_groups_json(std::ostream& out, std::span<const group_row> rows, const report_options& o) {
    nlohmann::json j = {{"rows", nlohmann::json::array()}};
    for (const auto& r : rows) {
        if (o.complete_only && !r.complete) continue;
        j["rows"].push_back({{"group", r.group},
                             {"resource", to_string(r.measures)},
                             {"role", to_string(r.role)},
                             {"period", period_label(r.period_start, o.kind)},
                             {"register", channel_label(r.ch, channel::main(r.measures))},
                             {"value", dec_text(r.value)},
                             {"complete", r.complete},
                             {"meters", r.meters}});
    }
    out << j.dump(2) << '\n';
}

}  // namespace v0
}  // namespace kvant
