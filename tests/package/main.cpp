// Uses the installed package as an integrator would: a SQLite database file (kvant::sqlite_store), CSV
// imports, a query through the store's cursor after reopening the file, a monthly consumption in an IANA zone
// (date's tz database, inside libkvant), an exact cost, and a wireless M-Bus telegram decrypted with AES
// (OpenSSL's libcrypto, inside a shared libkvant or on the consumer's link line for a static one). Prints one
// line the test checks:
//   kvant <version> <zone> <month> <consumption> ... cost <roubles> sum <decimal> wmbus <value>
#include <kvant/decode/wmbus.hpp>
#include <kvant/kvant.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer DATABASE\n";
        return 2;
    }
    const std::filesystem::path db = argv[1];
    std::filesystem::remove(db);
    try {
        {
            kvant::sqlite_store s(db);
            kvant::import_csv(s, kvant::table_kind::organizations, "id,name,zone\norg,УК,Europe/Moscow\n",
                              "organizations.csv");
            kvant::import_csv(s, kvant::table_kind::abonents, "id,organization,name\nab-1,org,Иванов\n",
                              "abonents.csv");
            kvant::import_csv(s, kvant::table_kind::accounts,
                              "number,abonent,building_type,apartment,area\nA1,ab-1,apartment,10,54.3\n",
                              "accounts.csv");
            kvant::import_csv(s, kvant::table_kind::metering_points, "code,account,name\ntp-1,A1,Основной\n",
                              "metering_points.csv");
            kvant::import_csv(
                s, kvant::table_kind::meter_models,
                "id,name,resource,tariff_registers,register_digits\nneva,NEVA MT 114,electricity,1,6\n",
                "meter_models.csv");
            kvant::import_csv(s, kvant::table_kind::meters,
                              "serial,model,point,installed\nM1,neva,tp-1,2024-12-01\n", "meters.csv");
            kvant::import_csv(s, kvant::table_kind::readings,
                              "meter,timestamp,value\n"
                              "M1,2025-01-01T00:00:00+03:00,100.5\n"
                              "M1,2025-02-01T00:00:00+03:00,250.75\n"
                              "M1,2025-03-01T00:00:00+03:00,400\n",
                              "readings.csv");
        }
        const kvant::sqlite_store s(db, kvant::sqlite_store::mode::read_only);
        const auto m = s.find<kvant::meter>("M1");
        const kvant::zone z = m->time_zone ? *m->time_zone : kvant::zone::parse("Europe/Moscow");
        kvant::series_query q;
        q.meters = {"M1"};
        kvant::meter_stream stream(s, q);
        std::vector<kvant::meter_series> group;
        if (!stream.next(group) || group.size() != 1) {
            std::cerr << "no series for M1\n";
            return 1;
        }
        const auto mc = kvant::consumption(group[0], z, kvant::register_params{});
        const auto* total = mc.find(kvant::register_id::total);
        std::cout << "kvant " << kvant::version_string() << " " << z.name();
        for (std::size_t k = 0; k < mc.periods.size(); ++k)
            std::cout << " " << kvant::period_label(mc.periods[k].start_date, kvant::period_kind::month)
                      << " " << kvant::to_string(kvant::decimal::from_raw(total->value[k]));
        const auto jan = kvant::decimal::from_raw(total->value.at(0));
        std::cout << " cost " << kvant::to_string(kvant::amount(jan, kvant::decimal::parse("5.53")))
                  << " sum "
                  << kvant::to_string(kvant::decimal::parse("48880.10") + kvant::decimal::parse("49.25"));
        // OMS Vol. 2 Annex N, security mode 5 (AES-128-CBC), CRCs stripped: the gas meter's 28504.27 m3
        const std::string_view telegram =
            "2E4493157856341233037A2A0020255923C95AAA26D1B2E7493B013EC4A6F6D3529B520EDFF0EA6DEFC99D6D69EBF3";
        std::vector<std::uint8_t> bytes;
        for (std::size_t i = 0; i + 1 < telegram.size(); i += 2)
            bytes.push_back(
                static_cast<std::uint8_t>(std::stoi(std::string(telegram.substr(i, 2)), nullptr, 16)));
        kvant::key_ring keys;
        keys.add("12345678", "0102030405060708090A0B0C0D0E0F11");
        kvant::decoded_frame frame;
        if (!kvant::decode_wmbus(bytes, kvant::decoder_config{&keys, nullptr, kvant::crc_mode::detect},
                                 frame)) {
            std::cerr << "wmbus: " << frame.error.message() << "\n";
            return 1;
        }
        std::cout << " wmbus " << frame.records.at(0).number.to_string() << "\n";
    } catch (const kvant::error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
