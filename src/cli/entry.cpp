// kvant enter: manual entry of a reading (001 §3.3.4): the expected values, the verdict, and the reading and
// its log row stored when it is not refused.
#include <chrono>
#include <iostream>

#include "commands.hpp"
#include "inputs.hpp"
#include "kvant/algorithms/manual_entry.hpp"

namespace kvant::cli {

namespace {

const char* tariff_options[] = {"t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"};

int run_enter(const args& a) {
    const std::string serial = a.require("meter");
    const instant when = at_option(a);
    const language lang = a.choice("lang", language_text, std::optional<language>{language::ru});
    const entry_confirmation confirm = a.choice("confirm", entry_confirmation_text,
                                                std::optional<entry_confirmation>{entry_confirmation::none});
    const auto db_handle = open_db(a, open_mode::open);
    store& db = *db_handle;
    const fleet f = load_fleet(db);
    const meter* m = f.find_meter(serial);
    if (!m) throw validation_error(errc::unknown_reference, "unknown meter " + excerpt(serial));
    const register_params p = register_params_of(*m, f.model_of(*m));
    const zone z = f.zone_of(*m);
    const int tariffs = f.tariff_registers_of(*m);

    reading entered;
    entered.meter = serial;
    entered.time = when;
    entered.source = reading_source::manual;
    entered.set(p.main, *a.decimal_value("total"));
    for (int k = 1; k <= 8; ++k)
        if (const auto v = a.decimal_value(tariff_options[k - 1])) {
            // a register the meter does not have would be stored as a reading of it (or refused as a wrong
            // sum, which names the sum and not the register): refuse it by name
            if (k > tariffs)
                throw config_error(errc::usage,
                                   std::string("--") + tariff_options[k - 1] + ": meter " + excerpt(serial) +
                                       " has " + std::to_string(tariffs) +
                                       (tariffs == 1 ? " tariff register" : " tariff registers"));
            entered.set(p.main.with_tariff(static_cast<register_id>(k)), *v);
        }

    const auto history = meter_series::from_table(std::make_shared<const reading_table>(
        db.readings(serial, from_unix(plausible_first_unix), from_unix(plausible_end_unix))));
    const meter_series none(serial);
    const entry_verdict v =
        check_entry(*m, history.empty() ? none : history.front(), p, tariffs, z, entered, confirm);

    const int places = display_places(m->measures);
    std::cout << "meter " << serial << " at " << to_string(when) << "\n";
    for (const auto& e : v.expected)
        std::cout << "expected " << to_string(e.ch.tariff) << " " << to_fixed(e.value, places) << " (last "
                  << to_fixed(e.last_value, places) << " at " << to_string(e.last_time) << ", "
                  << to_fixed(e.daily, places) << " a day)\n";
    std::cout << "verdict " << to_string(v.outcome) << "\n";
    for (const auto& x : v.findings) std::cout << to_string(x.check) << ": " << render(x.text, lang) << "\n";
    if (!v.stored()) {
        std::cout << "not stored\n";
        return 1;
    }
    entry_record rec;
    rec.entered = entered;
    rec.entered_by = a.require("by");
    rec.entered_at = std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now());
    rec.outcome = v.outcome;
    rec.confirmation = confirm;
    for (const auto& x : v.findings) rec.findings.push_back(x.text);
    db.enter_reading(rec);
    std::cout << "stored, entered by " << rec.entered_by << "\n";
    return 0;
}

}  // namespace

command entry_command() {
    std::vector<option_spec> options{
        db_spec().mandatory(),
        opt::busy_timeout(),
        opt::text("meter", "SERIAL", "the meter's serial number").mandatory(),
        at_spec(),
        opt::decimal_at_least("total", "VALUE", decimal{}, "the total register").mandatory(),
    };
    for (const char* t : tariff_options)
        options.push_back(
            opt::decimal_at_least(t, "VALUE", decimal{}, std::string("tariff register ") + (t + 1)));
    options.push_back(opt::text("by", "USER", "who enters the reading (kept in the entry log)").mandatory());
    options.push_back(
        opt::choice("confirm", "WHAT", entry_confirmation_text,
                    "confirms a reading lower than the last one as a meter replacement or a rollover")
            .defaults_to("none"));
    options.push_back(
        opt::choice("lang", "LANG", language_text, "the language of the messages").defaults_to("ru"));
    return {
        {"enter",
         "Manual entry of a reading (001 §3.3.4): the expected values, the verdict, and the reading stored "
         "with its entry log row unless refused.",
         std::move(options),
         "Exit code 1 when the entry is refused (nothing stored). docs/manual_entry.md gives the checks."},
        run_enter};
}

}  // namespace kvant::cli
