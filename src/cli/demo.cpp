// kvant demo: builds a SQLite database from the bundled sample data and prints what the abonent bot of 000
// (abonent, meters, current readings) and the organisation summary of 001 show.
#include <array>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/collection.hpp"
#include "kvant/algorithms/consumption.hpp"
#include "kvant/algorithms/link_status.hpp"
#include "kvant/algorithms/register_value.hpp"
#include "kvant/kvant.hpp"

namespace kvant::cli {

namespace {

struct labels {
    const char *title, *database, *imported, *rows, *warnings_note, *abonent_h, *name, *account, *address,
        *organization, *phone, *meters_h, *col_resource, *col_serial, *col_model, *col_installed,
        *col_verified, *removed, *readings_h, *total, *tariff, *no_readings, *org_h, *inn, *zone, *abonents,
        *meters, *individual, *building, *removed_count, *by_resource, *no_coords, *of, *stored, *from, *to,
        *events, *archive_h, *month_col, *link_h, *collection, *expected_h, *expected, *col_next,
        *analytics_h, *tariffs_h, *assigned, *prices, *normatives;
};

constexpr labels ru{"libkvant — демонстрация",
                    "База данных",
                    "Загружено",
                    "строк",
                    "предупреждений о данных",
                    "Абонент (бот «Квант Онлайн», 000 §3.2.1)",
                    "ФИО",
                    "Лицевой счёт",
                    "Адрес",
                    "Организация",
                    "Телефон",
                    "Счётчики (000 §3.2.2)",
                    "Ресурс",
                    "Сер. №",
                    "Модель",
                    "Установлен",
                    "Поверен",
                    "снят с учёта",
                    "Текущие показания (000 §3.2.3)",
                    "Общий тариф",
                    "Тариф",
                    "нет показаний",
                    "Организация: абоненты и приборы учёта (001 §3.3)",
                    "ИНН",
                    "часовой пояс",
                    "Абонентов",
                    "Приборов учёта",
                    "индивидуальных",
                    "балансовых",
                    "снятых с учёта",
                    "По ресурсам",
                    "Приборы учета без координат, шт.",
                    "из",
                    "Показаний в базе",
                    "с",
                    "по",
                    "Событий приборов учёта",
                    "Архив данных: расход по месяцам (000 §3.2.4)",
                    "Месяц",
                    "Статусы приборов учёта на карте (001 §3.3.2.3)",
                    "Сбор данных за начало суток (004 §3.1)",
                    "Ввод показаний (001 §3.3.4)",
                    "Предполагаемое",
                    "След. поверка",
                    "Аналитика (004 §3.1)",
                    "Хранимые тарифы",
                    "Тарифные расписания",
                    "Цены, руб. за единицу",
                    "Нормативы потребления в месяц"};
constexpr labels en{"libkvant demo",
                    "Database",
                    "Imported",
                    "rows",
                    "data warnings",
                    "Abonent (bot «Kvant Online», 000 §3.2.1)",
                    "Name",
                    "Personal account",
                    "Address",
                    "Organisation",
                    "Phone",
                    "Meters (000 §3.2.2)",
                    "Resource",
                    "Serial",
                    "Model",
                    "Installed",
                    "Verified",
                    "removed from service",
                    "Current readings (000 §3.2.3)",
                    "Total",
                    "Tariff",
                    "no readings",
                    "Organisation: abonents and meters (001 §3.3)",
                    "INN",
                    "time zone",
                    "Abonents",
                    "Meters",
                    "individual",
                    "building",
                    "removed",
                    "By resource",
                    "Meters without coordinates",
                    "of",
                    "Readings stored",
                    "from",
                    "to",
                    "Meter events",
                    "Data archive: consumption by month (000 §3.2.4)",
                    "Month",
                    "Meter link status on the map (001 §3.3.2.3)",
                    "Data collected for the start of the day (004 §3.1)",
                    "Manual entry (001 §3.3.4)",
                    "Expected",
                    "Next verif.",
                    "Analytics (004 §3.1)",
                    "Stored tariffs",
                    "Schedules assigned",
                    "Prices, roubles a unit",
                    "Normatives a month"};

std::string_view resource_name(resource r, bool russian) {
    if (!russian) return to_string(r);
    switch (r) {
        case resource::electricity:
            return "Электроэнергия";
        case resource::cold_water:
            return "Вода холодная";
        case resource::hot_water:
            return "Вода горячая";
        case resource::heat:
            return "Тепло";
        case resource::gas:
            return "Газ";
        case resource::wastewater:
            return "Водоотведение";
    }
    return "?";
}

/// "21.08.2020 09:05" in a zone.
std::string local_text(instant t, const zone& z) {
    const auto lt = z.to_local(t);
    const auto day = date::floor<date::days>(lt);
    const date::hh_mm_ss hms{lt - day};
    std::ostringstream s;
    s << to_russian_string(calendar_date{day}) << ' ' << std::setfill('0') << std::setw(2)
      << hms.hours().count() << ':' << std::setw(2) << hms.minutes().count();
    return s.str();
}

std::string date_text(const std::optional<calendar_date>& d) {
    return d ? to_russian_string(*d) : "—";
}

/// Pads to a width counted in code points (the labels are UTF-8).
std::string pad(std::string_view s, std::size_t width) {
    std::size_t cps = 0;
    for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
    std::string out(s);
    if (cps < width) out.append(width - cps, ' ');
    return out + ' ';
}

std::filesystem::path find_data(const args& a) {
    if (auto d = a.get("data")) return *d;
    std::vector<std::filesystem::path> candidates;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path() / KVANT_INSTALL_DEMO_DIR);
    candidates.emplace_back(KVANT_SOURCE_DEMO_DIR);
    for (const auto& c : candidates)
        if (std::filesystem::exists(c / "meters.csv")) return c;
    throw config_error(errc::config, "the demo's sample data were not found (looked in " +
                                         candidates.front().string() + " and " + candidates.back().string() +
                                         "); give --data DIR");
}

void heading(std::ostream& out, const char* text) {
    out << "\n=== " << text << " ===\n";
}

}  // namespace

int run_demo(const args& a) {
    const bool russian = a.get("lang").value() == "ru";  // ru or en: checked when parsed
    const labels& L = russian ? ru : en;
    require_sqlite(a, "kvant demo");  // it replaces the file: never a connection string taken for a path
    const std::filesystem::path dir = find_data(a);
    const std::filesystem::path file = a.get("db").value();  // default kvant-demo.db
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);

    auto& out = std::cout;
    out << L.title << " (libkvant " << version_string() << ")\n";
    sqlite_store db(file, sqlite_store::mode::create,
                    std::chrono::milliseconds(a.integer("busy-timeout").value()));
    std::vector<std::pair<table_kind, std::filesystem::path>> files;
    for (const auto k :
         {table_kind::organizations, table_kind::abonents, table_kind::accounts, table_kind::metering_points,
          table_kind::meter_models, table_kind::meters, table_kind::readings, table_kind::events})
        files.emplace_back(k, dir / (std::string(to_string(k)) + ".csv"));
    // ---- meter state and stored tariffs: relay changes, sessions, schedules (JSON), assignments, rates and
    // normatives, when the data folder has them
    for (const auto k : {table_kind::relay_changes, table_kind::sessions, table_kind::tariff_schedules,
                         table_kind::tariff_assignments, table_kind::tariff_rates, table_kind::normatives})
        if (const auto p =
                dir / (std::string(to_string(k)) + (k == table_kind::tariff_schedules ? ".json" : ".csv"));
            std::filesystem::exists(p))
            files.emplace_back(k, p);
    const auto rep = import_csv_files(db, files);
    out << L.database << ": " << file.string() << " (" << dir.string() << ")\n";
    out << L.imported << ": " << rep.rows << " " << L.rows << "; " << rep.warning_count << " "
        << L.warnings_note << ":\n";
    for (const auto& w : rep.warnings)
        out << "  " << w.where.file.substr(w.where.file.rfind('/') + 1) << ":" << w.where.line << ": "
            << w.what.to_string() << "\n";

    const fleet f = load_fleet(db);
    const std::string number = a.get("account").value();  // default A15900009360
    const account* acc = f.find_account(number);
    if (!acc) throw config_error(errc::config, "no personal account '" + number + "' in the demo data");
    const abonent* ab = f.abonent_of(*acc);
    const organization* org = ab ? f.organization_of(*ab) : nullptr;

    heading(out, L.abonent_h);
    out << pad(L.name, 16) << (ab ? ab->name : "—") << "\n"
        << pad(L.account, 16) << acc->number << "\n"
        << pad(L.address, 16) << acc->address << (acc->apartment.empty() ? "" : ", кв. " + acc->apartment)
        << "\n"
        << pad(L.organization, 16) << (org ? org->name : "—") << "\n"
        << pad(L.phone, 16) << (ab ? ab->phone : "—") << "\n";

    const auto meters = f.meters_of(*acc);
    heading(out, L.meters_h);
    out << pad(L.col_resource, 15) << pad(L.col_serial, 15) << pad(L.col_model, 29)
        << pad(L.col_installed, 11) << pad(L.col_verified, 11) << L.col_next << "\n";
    for (const meter* m : meters) {
        const meter_model* model = f.model_of(*m);
        const std::string model_name = model ? model->name + " " + model->execution : m->model;
        // the next verification as the seeds write it (same date, the model's МПИ; docs/anomalies.md)
        const auto next = verification_of(*m, model, calendar_date{date::year{2000} / 1 / 1}).next;
        out << pad(resource_name(m->measures, russian), 15) << pad(m->serial, 15)
            << pad(model_name.substr(0, 40), 29) << pad(date_text(m->installed), 11)
            << pad(date_text(m->last_verification), 11) << date_text(next)
            << (m->removed ? std::string(" (") + L.removed + " " + date_text(m->removed) + ")" : "") << "\n";
    }

    heading(out, L.readings_h);
    // ---- meter state: each meter's state beside its readings (Отключен or the link bucket), "now" being the
    // newest reading of the demo (as the map legend below)
    std::optional<instant> newest;
    for (const auto& m : f.meters())
        for (const auto& v : db.last_values(m.serial))
            if (!newest || from_unix(v.time) > *newest) newest = from_unix(v.time);
    const fleet_states bot_states = newest ? read_states(db, *newest) : fleet_states{};
    for (const meter* m : meters) {
        if (m->removed) continue;
        const auto last = db.last_reading(m->serial);
        const unit u = unit_of(m->measures);
        const auto sym = russian ? unit_symbol_ru(u) : unit_symbol(u);
        const int places = display_places(m->measures);
        out << pad(m->serial, 15) << pad(resource_name(m->measures, russian), 15);
        if (!last) {
            out << L.no_readings << "\n";
            continue;
        }
        bool first = true;
        const channel main = channel::main(m->measures);
        for (std::size_t r = 0; r < register_count; ++r) {
            const auto v = (*last)[main.with_tariff(static_cast<register_id>(r))];
            if (!v) continue;
            out << (first ? "" : "; ")
                << (r == 0 ? std::string(L.total) : std::string(L.tariff) + " " + std::to_string(r)) << ": "
                << to_fixed(*v, places) << " " << sym;
            first = false;
        }
        out << "  (" << local_text(last->time, f.zone_of(*m)) << ")";
        if (newest) {
            const auto st = state_in(db, bot_states, f, *m, *newest);
            out << "  " << (russian ? label_ru(st.status) : to_string(st.status));
        }
        out << "\n";
    }

    // the bot's archive: complete months per meter, each register, as the bot shows them
    const instant min_t = from_unix(std::numeric_limits<std::int64_t>::min() / 2);
    const instant max_t = from_unix(std::numeric_limits<std::int64_t>::max() / 2);
    heading(out, L.archive_h);
    for (const meter* m : meters) {
        const auto batch = db.readings(m->serial, min_t, max_t);
        if (batch.size() < 2) continue;
        const auto series = meter_series::from_table(batch);
        consumption_options o;
        o.periods = {period_kind::month};
        const auto mc = consumption(series.front(), f.zone_of(*m), register_params_of(*m, f.model_of(*m)), o);
        const unit u = unit_of(m->measures);
        out << m->serial << " (" << resource_name(m->measures, russian) << ", "
            << (russian ? unit_symbol_ru(u) : unit_symbol(u)) << "):";
        for (std::size_t k = 0; k < mc.periods.size(); ++k) {
            if (!mc.registers.front().complete[k]) continue;  // complete months only, as the seeds' tables
            out << "  " << period_label(mc.periods[k].start_date, period_kind::month) << " "
                << to_fixed(decimal::from_raw(mc.registers.front().value[k]), display_places(m->measures));
        }
        out << "\n";
    }

    // manual entry: the expected reading of each register beside the input, at the time of the last reading
    heading(out, L.expected_h);
    for (const meter* m : meters) {
        if (m->removed) continue;
        const auto batch = db.readings(m->serial, min_t, max_t);
        if (batch.empty()) continue;
        const auto series = meter_series::from_table(batch);
        const auto params = register_params_of(*m, f.model_of(*m));
        const std::int64_t now_t = series.front().last_time();
        out << pad(m->serial, 15) << L.expected << " " << local_text(from_unix(now_t), f.zone_of(*m)) << ":";
        for (std::size_t r = 0; r < register_count; ++r) {
            const auto rs = series.front().view(params.main.with_tariff(static_cast<register_id>(r)));
            if (rs.empty()) continue;
            if (const auto v = expected_reading(rs, now_t, params))
                out << "  "
                    << (r == 0 ? std::string(L.total) : std::string(L.tariff) + " " + std::to_string(r))
                    << " " << to_fixed(decimal::from_raw(*v), display_places(m->measures));
        }
        out << "\n";
    }

    heading(out, L.org_h);
    if (org)
        out << org->name << ", " << L.inn << " " << org->inn << ", " << L.zone << " "
            << (org->time_zone ? org->time_zone->name() : "UTC") << "\n";
    std::size_t individual = 0, building = 0, removed = 0, without_coords = 0;
    std::map<resource, std::array<std::size_t, 2>> by_resource;
    for (const auto& m : f.meters()) {
        (m.role == meter_role::building ? building : individual)++;
        removed += m.removed.has_value();
        without_coords += !m.latitude.has_value();
        by_resource[m.measures][m.role == meter_role::building ? 1 : 0]++;
    }
    out << L.abonents << ": " << f.abonents().size() << "\n";
    out << L.meters << ": " << f.meters().size() << " (" << L.individual << " " << individual << ", "
        << L.building << " " << building << "; " << L.removed_count << " " << removed << ")\n";
    out << L.by_resource << ":\n";
    out << "  " << pad("", 15) << pad(L.individual, 15) << L.building << "\n";
    for (const auto& [r, n] : by_resource)
        out << "  " << pad(resource_name(r, russian), 15) << pad(std::to_string(n[0]), 15) << n[1] << "\n";
    out << L.no_coords << ": " << without_coords << " " << L.of << " " << f.meters().size() << "\n";
    std::optional<instant> first_t, last_t;
    for (const auto& m : f.meters()) {
        const auto t = db.readings(m.serial, min_t, max_t);
        if (t.empty()) continue;
        const instant a0 = from_unix(t.times().front()), a1 = from_unix(t.times().back());
        if (!first_t || a0 < *first_t) first_t = a0;
        if (!last_t || a1 > *last_t) last_t = a1;
    }
    const zone org_zone = org && org->time_zone ? *org->time_zone : zone::utc();
    out << L.stored << ": " << db.reading_count();
    if (first_t)
        out << ", " << L.from << " " << local_text(*first_t, org_zone) << " " << L.to << " "
            << local_text(*last_t, org_zone);
    out << "\n" << L.events << ": " << db.events({}, min_t, max_t).size() << "\n";

    // the map's legend and the analytics' collection rate, "now" being the newest reading
    if (last_t) {
        const instant now = *last_t;
        status_counts counts{};
        const fleet_states states = read_states(db, now);
        std::vector<std::vector<std::int64_t>> times(f.meters().size());
        std::vector<collection_input> inputs;
        for (std::size_t i = 0; i < f.meters().size(); ++i) {
            const meter& m = f.meters()[i];
            const zone z = f.zone_of(m);
            counts[static_cast<std::size_t>(state_in(db, states, f, m, now).status)]++;
            const auto batch = db.readings(m.serial, now - std::chrono::hours{48}, now + seconds{1});
            times[i] = batch.times();
            inputs.push_back({&m, z, times[i], false});
        }
        out << "\n" << L.link_h << " (" << local_text(now, org_zone) << "):\n ";
        for (std::size_t b = 0; b < meter_status_count; ++b)
            out << " " << to_string(static_cast<meter_status>(b)) << " " << counts[b];
        const auto rate = collection_rate(inputs, now);
        out << "\n"
            << L.collection << ": " << rate.collected << " " << L.of << " " << rate.under_control << " ("
            << to_fixed(decimal::from_raw(rate.share.raw() * 100), 1) << " %)\n";

        // the analytics panel of 004 §3.1 at the same "now"
        heading(out, L.analytics_h);
        const analytics_options ao;
        write_analytics(out, store_analytics(db, f, now, ao), ao);
    }

    // the stored tariffs: schedules assigned, rates with their supplier, normatives
    heading(out, L.tariffs_h);
    out << L.assigned << ":\n";
    for (const auto& as : db.all<tariff_assignment>())
        out << "  " << to_string(as.scope) << " " << as.target << " " << resource_name(as.measures, russian)
            << " " << L.from << " " << to_russian_string(as.from) << ": " << as.schedule << "\n";
    out << L.prices << ":\n";
    for (const auto& r : db.all<tariff_rate>())
        out << "  " << r.schedule << " " << r.target << " " << r.zone << " " << L.from << " "
            << to_russian_string(r.from) << ": " << to_fixed(r.price, 2) << " (" << r.supplier << ")\n";
    out << L.normatives << ":\n";
    for (const auto& n : db.all<normative>())
        out << "  " << n.organization << " " << resource_name(n.measures, russian) << " "
            << (n.amenities.empty() ? "—" : n.amenities) << " " << L.from << " " << to_russian_string(n.from)
            << ": " << to_fixed(n.value, display_places(n.measures)) << " "
            << (n.basis == normative_basis::per_person ? (russian ? "на человека" : "a person")
                                                       : (russian ? "на лицевой счёт" : "an account"))
            << "\n";
    return 0;
}

}  // namespace kvant::cli
