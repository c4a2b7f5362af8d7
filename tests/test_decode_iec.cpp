// IEC 62056-21: the conformance corpus (pwitab/iec62056-21's tests, Energomera CE301 exchanges) and
// hand-made messages whose every byte is explained.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "kvant/decode/decoder.hpp"
#include "kvant/decode/iec62056_21.hpp"

using namespace kvant;

namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) {
    return std::vector<std::uint8_t>(s.begin(), s.end());
}

std::vector<std::uint8_t> from_hex(const std::string& h) {
    std::vector<std::uint8_t> b;
    for (std::size_t i = 0; i + 1 < h.size(); i += 2)
        b.push_back(std::uint8_t(std::stoi(h.substr(i, 2), nullptr, 16)));
    return b;
}

std::string hex2(std::uint8_t b) {
    static constexpr char d[] = "0123456789ABCDEF";
    return std::string("0x") + d[b >> 4] + d[b & 0xF];
}

bool decode(std::string_view s, decoded_frame& f, bcc_dialect d = bcc_dialect::detect) {
    const auto b = bytes_of(s);
    return decode_iec62056_21(b, f, d);
}

std::string value_of(const decoded_frame& f, const frame_record& r) {
    switch (r.kind) {
        case value_kind::number:
            return r.number.to_string();
        case value_kind::text:
        case value_kind::error_token:
            return std::string(f.text_of(r));
        case value_kind::none:
            return "";
        default:
            return "?";
    }
}

// A decimal text the way exact_number prints it: no leading zeros in the integer part, no trailing zeros in
// the fraction ("012345.670" -> "12345.67", "0.0" -> "0").
std::string normalise_decimal(std::string s) {
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.erase(0, 1);
    }
    if (s.find('.') != std::string::npos) {
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
    }
    while (s.size() > 1 && s[0] == '0' && s[1] != '.') s.erase(0, 1);
    if (s.empty() || s == "0") return "0";
    return neg ? "-" + s : s;
}

bool is_decimal_text(const std::string& s) {
    static const std::regex re(R"([+-]?[0-9]+(\.[0-9]+)?)");
    return std::regex_match(s, re);
}

// The lines (distinct line starts) the records come from.
std::size_t lines_of(const decoded_frame& f) {
    std::set<std::size_t> starts;
    for (const auto& r : f.records) {
        std::size_t i = r.data_offset;
        while (i > 0 && f.data[i - 1] != '\n' && f.data[i - 1] != 0x02) --i;
        starts.insert(i);
    }
    return starts.size();
}

struct tally {
    int total = 0, passed = 0;
    std::vector<std::string> failures;
};

// One corpus record: its bytes decode (or fail as the upstream says), and its parts are those the reference
// decoding shows and the upstream's asserts name.
void check_record(const nlohmann::json& rec, tally& t) {
    const std::string source = rec["source"].get<std::string>() + " #" + rec["id"].get<std::string>() + " (" +
                               rec["context"].value("test", std::string("exchange")) + ")";
    const auto input = from_hex(rec["input_hex"].get<std::string>());
    const auto& exp = rec["expected"];
    const auto& ref = exp["decoded"];
    const std::string kind = rec["kind"].get<std::string>();
    const bool expects_error = rec["context"].value("expects_error", false);
    decoded_frame f;
    const bool ok = decode_iec62056_21(input, f);
    std::vector<std::string> why;
    auto check = [&](bool cond, const std::string& what) {
        if (!cond) why.push_back(what);
    };

    // the BCC of the bytes after SOH/STX up to ETX, worked out here
    std::uint8_t x = 0, sum = 0;
    std::size_t etx_at = input.size();
    if (!input.empty() && (input[0] == 0x01 || input[0] == 0x02)) {
        for (std::size_t i = 1; i < input.size(); ++i) {
            x ^= input[i];
            sum = std::uint8_t(sum + input[i]);
            if (input[i] == 0x03) {
                etx_at = i;
                break;
            }
        }
        sum &= 0x7F;
    }

    if (expects_error) {
        check(!ok, "decoded, but the upstream raises");
        check(f.error.status == decode_status::checksum,
              "status " + std::string(decode_status_text.name(f.error.status)) + ", not checksum");
        check(f.error.offset == etx_at + 1,
              "offset " + std::to_string(f.error.offset) + ", not the BCC's " + std::to_string(etx_at + 1));
        check(f.error.expected.find(hex2(x)) != std::string::npos,
              "the expected text names no " + hex2(x) + ": " + f.error.message());
    } else if (rec["id"] == "9be565525f0a") {
        // the message without its BCC: truncated at its end, and the BCC expected is the one the complete
        // message (4c2593afd0aa, "…\x03P") carries
        check(!ok && f.error.status == decode_status::truncated, "not truncated: " + f.error.message());
        check(f.error.offset == input.size(), "offset " + std::to_string(f.error.offset));
        check(f.error.expected.find("0x50 (XOR)") != std::string::npos, "expected text: " + f.error.expected);
    } else {
        check(ok, "failed: " + f.error.message());
        if (ok) {
            // the message kind
            static const std::map<std::string, frame_kind> kinds{
                {"unframed data block", frame_kind::iec_data_block},
                {"data message", frame_kind::iec_data},
                {"command message", frame_kind::iec_command},
                {"request (sign-on)", frame_kind::iec_request},
                {"acknowledgement/option select", frame_kind::iec_option_select},
                {"ACK", frame_kind::iec_option_select},
                {"identification", frame_kind::iec_identification}};
            check(kinds.count(kind) && kinds.at(kind) == f.header.kind,
                  "kind " + std::to_string(int(f.header.kind)));
            const std::string_view ident =
                std::string_view(f.text).substr(f.header.ident_offset, f.header.ident_size);
            if (kind == "request (sign-on)")
                check(ident == ref.value("device_address", std::string()),
                      "device address '" + std::string(ident) + "'");
            if (kind == "identification") {
                check(std::string(f.header.manufacturer.data()) == ref["manufacturer"].get<std::string>(),
                      "manufacturer");
                check(std::string(1, f.header.iec_baud) == ref["baud_char"].get<std::string>(), "baud");
                std::string want = ref["identification"].get<std::string>();
                if (ref.contains("enhanced_id_char") && !ref["enhanced_id_char"].is_null())
                    want = "\\" + ref["enhanced_id_char"].get<std::string>() + want;
                check(ident == want, "identification '" + std::string(ident) + "', want '" + want + "'");
            }
            if (kind == "acknowledgement/option select") {
                check(f.header.iec_option[0] == ref["protocol_control_char"].get<std::string>()[0], "V");
                check(f.header.iec_option[1] == ref["baud_char"].get<std::string>()[0], "Z");
                check(f.header.iec_option[2] == ref["mode_char"].get<std::string>()[0], "Y");
            }
            if (kind == "ACK") check(f.header.c_field == 0x06 && f.records.empty(), "lone ACK");
            if (kind == "command message") {
                check(std::string(1, f.header.iec_command) == ref["command"].get<std::string>(), "command");
                check(std::string(1, f.header.iec_command_type) == ref["command_type"].get<std::string>(),
                      "command type");
            }
            if (ref.contains("bcc_received")) {
                check(f.header.bcc == ref["bcc_received"].get<int>(), "bcc");
                const std::string match = ref["bcc_match"].get<std::string>();
                check(f.header.bcc_additive == (match == "sum7"), "bcc dialect " + match);
            }
            // the data sets: the records in order, one a value (none of these has a comma list)
            if (ref.contains("data") && ref["data"].is_object() && ref["data"].contains("lines")) {
                std::size_t k = 0;
                for (const auto& line : ref["data"]["lines"])
                    for (const auto& set : line["sets"])
                        for (const auto& v : set["values"]) {
                            const std::string whole =
                                v["value"].is_null() ? "" : v["value"].get<std::string>();
                            // a comma list (Energomera's HELLO(2,CE301,...)) is one value upstream and a
                            // record an element here, the element's index its subunit
                            std::vector<std::string> elements;
                            for (std::size_t s0 = 0;;) {
                                const auto c = whole.find(',', s0);
                                elements.push_back(whole.substr(s0, c == std::string::npos ? c : c - s0));
                                if (c == std::string::npos) break;
                                s0 = c + 1;
                            }
                            for (std::size_t e = 0; e < elements.size(); ++e) {
                                if (k >= f.records.size()) {
                                    why.push_back("fewer records than values");
                                    break;
                                }
                                const auto& r = f.records[k++];
                                const std::string addr =
                                    set["address"].is_null() ? "" : set["address"].get<std::string>();
                                check(f.name_of(r) == addr,
                                      "address '" + std::string(f.name_of(r)) + "' want '" + addr + "'");
                                const std::string& value = elements[e];
                                if (elements.size() > 1) check(r.subunit == e, "subunit of element " + value);
                                if (is_decimal_text(value))
                                    check(r.kind == value_kind::number &&
                                              r.number.to_string() == normalise_decimal(value),
                                          "value " + value_of(f, r) + " want " + value);
                                else
                                    check(value_of(f, r) == value,
                                          "value '" + value_of(f, r) + "' want '" + value + "'");
                                const auto data = f.data_of(r);
                                const std::string raw_value(data.begin(), data.end());
                                check(raw_value.substr(0, raw_value.find('*')) == value,
                                      "the record's bytes '" + raw_value + "'");
                                const std::string unit =
                                    v["unit"].is_null() ? "" : v["unit"].get<std::string>();
                                check(f.unit_text_of(r) == unit,
                                      "unit '" + std::string(f.unit_text_of(r)) + "' want '" + unit + "'");
                            }
                        }
                check(k == f.records.size(),
                      std::to_string(f.records.size()) + " records, " + std::to_string(k) + " values");
            }
            // the upstream's own asserts
            for (const auto& a : exp["source_asserts"]) {
                const std::string s = a.get<std::string>();
                std::smatch m;
                static const std::regex idx(R"(data_sets\[(\d+)\]|data\[(\d+)\])");
                std::size_t i = 0;
                if (std::regex_search(s, m, idx)) i = std::stoul(m[1].matched ? m[1].str() : m[2].str());
                const frame_record* r = i < f.records.size() ? &f.records[i] : nullptr;
                static const std::regex eq_value(R"(\.value == "([^"]*)\")"),
                    eq_addr(R"(\.address == "([^"]*)\")"), eq_unit(R"(\.unit == "([^"]*)\")"),
                    len_sets(R"(len\(dl\.data_sets\) == (\d+))"),
                    len_lines(R"(len\(db\.data_lines\) == (\d+))"), eq_cmd(R"(cm\.command == "(.)\")"),
                    eq_cmd_type(R"(cm\.command_type == "(.)\")");
                if (std::regex_search(s, m, eq_value))
                    check(r && value_of(f, *r) ==
                                   (is_decimal_text(m[1]) ? normalise_decimal(m[1]) : m[1].str()),
                          s);
                else if (std::regex_search(s, m, eq_addr))
                    check(r && f.name_of(*r) == m[1].str(), s);
                else if (s.find(".address is None") != std::string::npos)
                    check(r && f.name_of(*r).empty(), s);
                else if (std::regex_search(s, m, eq_unit))
                    check(r && f.unit_text_of(*r) == m[1].str(), s);
                else if (s.find(".unit is None") != std::string::npos)
                    check(r && f.unit_text_of(*r).empty(), s);
                else if (std::regex_search(s, m, len_sets))
                    check(f.records.size() == std::stoul(m[1]), s);
                else if (std::regex_search(s, m, len_lines))
                    check(lines_of(f) == std::stoul(m[1]), s + " (" + std::to_string(lines_of(f)) + ")");
                else if (std::regex_search(s, m, eq_cmd))
                    check(f.header.iec_command == m[1].str()[0], s);
                else if (std::regex_search(s, m, eq_cmd_type))
                    check(f.header.iec_command_type == m[1].str()[0], s);
                else if (s.find("bcc == correct_bcc") != std::string::npos)
                    // the BCC the message carries is the XOR worked out above, and the decoder took it as
                    // such
                    check(f.header.bcc == x && !f.header.bcc_additive && input.back() == x, s);
                // to_representation asserts: the message decoded and its parts are checked above
            }
            // Energomera: the values the host's test publishes
            if (exp.contains("source_expectation")) {
                const auto& e = exp["source_expectation"]["mqtt_publish_expected_by_test"];
                std::vector<std::string> want;
                if (e.contains("value")) want.push_back(e["value"].get<std::string>());
                if (e.contains("values"))
                    for (const auto& v : e["values"]) want.push_back(v.get<std::string>());
                for (std::size_t k = 0; k < want.size(); ++k) {
                    check(k < f.records.size() && f.records[k].kind == value_kind::number &&
                              f.records[k].number.to_string() == normalise_decimal(want[k]) &&
                              f.records[k].subunit == k,
                          "published value " + want[k]);
                    // energy names: the position is the tariff (total first); phase names: the subunit only
                    const std::string_view name = k < f.records.size() ? f.name_of(f.records[k]) : "";
                    if (k < f.records.size())
                        check(f.records[k].tariff == (!name.empty() && name[0] == 'E' ? k : 0),
                              "tariff of element " + std::to_string(k));
                }
            }
        }
    }
    ++t.total;
    if (why.empty())
        ++t.passed;
    else {
        std::string all;
        for (const auto& w : why) all += "; " + w;
        t.failures.push_back(source + all);
    }
}

void run_corpus(const char* file, std::size_t expected_total) {
    const std::string path = std::string(KVANT_CORPUS_DIR) + "/iec62056-21/" + file;
    std::ifstream in(path);
    if (!in) {
        WARN("SKIPPED: the corpus is absent (" << path << ")");
        return;
    }
    tally t;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        check_record(nlohmann::json::parse(line), t);
    }
    for (const auto& f : t.failures) FAIL_CHECK(f);
    WARN("IEC 62056-21 conformance " << file << ": " << t.passed << " / " << t.total << " passed");
    CHECK(t.total == int(expected_total));
    CHECK(t.passed == t.total);
}

}  // namespace

TEST_CASE("IEC 62056-21 conformance: pwitab/iec62056-21's test data", "[decode][iec]") {
    run_corpus("pwitab_iec62056_21.jsonl", 24);
}

TEST_CASE("IEC 62056-21 conformance: Energomera CE301 exchanges (additive BCC)", "[decode][iec]") {
    run_corpus("hostcc_energomera.jsonl", 30);
}

// ---------------------------------------------------------------------------------------------------------
// Hand-made messages

TEST_CASE("IEC 62056-21: a NEVA readout with a comma list of total and tariffs", "[decode][iec]") {
    // STX                      data message
    // "0.0.0(12345678)" CR LF  the meter's serial (OBIS C.D.E 0.0.0): a number, 12345678
    // "1.8.0(012345.67,005432.10,004321.00,002592.57,000000.00)" CR LF
    //                          active energy import, NEVA MT's list: total, T1, T2, T3, T4 (kWh implied)
    // "!" CR LF                the end line
    // ETX 0x01                 BCC: the XOR of the bytes after STX up to and including ETX is 0x01 (worked
    //                          out with Python: functools.reduce(operator.xor, body)); their sum mod 128 is
    //                          0x79
    const std::string msg =
        "\x02"
        "0.0.0(12345678)\r\n"
        "1.8.0(012345.67,005432.10,004321.00,002592.57,000000.00)\r\n"
        "!\r\n"
        "\x03\x01";
    decoded_frame f;
    REQUIRE(decode(msg, f));
    CHECK(f.header.kind == frame_kind::iec_data);
    CHECK(f.header.bcc == 0x01);
    CHECK_FALSE(f.header.bcc_additive);
    REQUIRE(f.records.size() == 6);
    CHECK(f.name_of(f.records[0]) == "0.0.0");
    CHECK(f.records[0].number == exact_number{12345678, 0, false});
    const char* want[5] = {"12345.67", "5432.1", "4321", "2592.57", "0"};
    for (std::size_t k = 0; k < 5; ++k) {
        const auto& r = f.records[1 + k];
        INFO("element " << k);
        CHECK(f.name_of(r) == "1.8.0");
        CHECK(r.has_obis);
        CHECK(r.obis.g == std::array<std::uint8_t, 6>{0, 0, 1, 8, 0, 0});
        CHECK(r.obis_given == 0b011100);  // C, D, E
        CHECK(r.kind == value_kind::number);
        CHECK(r.number.to_string() == want[k]);
        CHECK(r.number.exponent == -2);  // "012345.67": two decimals as written, leading zero kept out
        CHECK(r.tariff == k);
        CHECK(r.subunit == k);
        const auto d = f.data_of(r);
        CHECK(std::string(d.begin(), d.end()).size() == 9);  // "012345.67": the element's bytes
    }
    CHECK(f.records[1].number == exact_number{1234567, -2, false});
}

TEST_CASE("IEC 62056-21: a value with its time stamp, and a continuation line", "[decode][iec]") {
    // STX
    // "1.6.0(0.345*kW)(2201151030)" CR LF   maximum demand 0.345 kW; second bracket YYMMDDhhmm: when it
    //                                       occurred, 2022-01-15 10:30
    // "2.6.0(0.120*kW)" CR LF               export maximum demand 0.120 kW ...
    // "(2201161245)" CR LF                  ... its time stamp on a continuation line: 2022-01-16 12:45
    // "!" CR LF ETX 0x23                    end line, ETX, BCC (XOR 0x23; sum mod 128 would be 0x55)
    const std::string msg =
        "\x02"
        "1.6.0(0.345*kW)(2201151030)\r\n"
        "2.6.0(0.120*kW)\r\n"
        "(2201161245)\r\n"
        "!\r\n"
        "\x03\x23";
    decoded_frame f;
    REQUIRE(decode(msg, f));
    REQUIRE(f.records.size() == 2);
    const auto& a = f.records[0];
    CHECK(f.name_of(a) == "1.6.0");
    CHECK(a.kind == value_kind::number);  // the time stamp is the value's time, not a value
    CHECK(a.number == exact_number{345, -3, false});
    CHECK(f.unit_text_of(a) == "kW");
    CHECK(a.unit == record_unit::none);  // kW: a prefixed unit stays text; the value is as written
    CHECK(a.when.has_date);
    CHECK(a.when.has_time);
    CHECK_FALSE(a.when.has_seconds);
    CHECK((a.when.year == 2022 && a.when.month == 1 && a.when.day == 15 && a.when.hour == 10 &&
           a.when.minute == 30));
    const auto& b = f.records[1];
    CHECK(f.name_of(b) == "2.6.0");
    CHECK(b.number == exact_number{120, -3, false});
    CHECK((b.when.year == 2022 && b.when.month == 1 && b.when.day == 16 && b.when.hour == 12 &&
           b.when.minute == 45));

    // a continuation line with a value (not a time stamp): the next element of the same data set
    // "1.8.0(100.0*kWh)" CR LF "(200.5*kWh)" CR LF, unframed
    REQUIRE(decode("1.8.0(100.0*kWh)\r\n(200.5*kWh)\r\n", f));
    CHECK(f.header.kind == frame_kind::iec_data_block);
    REQUIRE(f.records.size() == 2);
    CHECK(f.name_of(f.records[1]) == "1.8.0");
    CHECK(f.records[1].subunit == 1);
    CHECK(f.records[1].number == exact_number{2005, -1, false});
}

TEST_CASE("IEC 62056-21: error tokens, empty values, text, OBIS address forms", "[decode][iec]") {
    // An unframed block, one data set a line:
    // "F.F(ERR05)"             the error register (C=F=97, D=F=97) holds an error token
    // "1-0:32.7.0*255(?)"      voltage L1, A-B:C.D.E*F written in full; "?" is an error token
    // "1-0:31.7.0(ERROR)"      current L1, A-B:C.D.E; the token ERROR
    // "C.1.0()"                the meter's serial (C=96), empty
    // "3:14(SERIAL 1)"         B:C only; a text value
    // "0.9.2(04.22)"           a date as the meter writes it: a decimal number, 4.22, two decimals
    // "ET0PE(-1.5*Wh)"         an Energomera name (no OBIS), a negative value in a base unit (Wh)
    const std::string block =
        "F.F(ERR05)\r\n1-0:32.7.0*255(?)\r\n1-0:31.7.0(ERROR)\r\nC.1.0()\r\n3:14(SERIAL "
        "1)\r\n0.9.2(04.22)\r\n"
        "ET0PE(-1.5*Wh)\r\n";
    decoded_frame f;
    REQUIRE(decode(block, f));
    REQUIRE(f.records.size() == 7);
    const auto& r = f.records;
    CHECK(r[0].kind == value_kind::error_token);
    CHECK(f.text_of(r[0]) == "ERR05");
    CHECK(r[0].obis.g == std::array<std::uint8_t, 6>{0, 0, 97, 97, 0, 0});
    CHECK(r[0].obis_given == 0b001100);
    CHECK(r[1].kind == value_kind::error_token);
    CHECK(f.text_of(r[1]) == "?");
    CHECK(r[1].obis.g == std::array<std::uint8_t, 6>{1, 0, 32, 7, 0, 255});
    CHECK(r[1].obis_given == 0b111111);
    CHECK(r[2].kind == value_kind::error_token);
    CHECK(f.text_of(r[2]) == "ERROR");
    CHECK(r[2].obis_given == 0b011111);
    CHECK(r[3].kind == value_kind::none);
    CHECK(r[3].obis.g[2] == 96);
    CHECK(r[4].kind == value_kind::text);
    CHECK(f.text_of(r[4]) == "SERIAL 1");
    CHECK(r[4].obis_given == 0b000110);  // B and C
    CHECK(r[4].obis.g[1] == 3);
    CHECK(r[4].obis.g[2] == 14);
    CHECK(r[5].number == exact_number{422, -2, false});
    CHECK_FALSE(r[6].has_obis);
    CHECK(f.name_of(r[6]) == "ET0PE");
    CHECK(r[6].number == exact_number{15, -1, true});
    CHECK(r[6].unit == record_unit::wh);
    CHECK(f.unit_text_of(r[6]) == "Wh");
}

TEST_CASE("IEC 62056-21: a P.01 load profile", "[decode][iec]") {
    // STX
    // "P.01"              the load profile (C=P=99, D=01)
    // "(1221231233000)"   ZSTs13: s=1 (summer time), 22-12-31 23:30:00: the first entry's time
    // "(08)"              the status S, kept as text on the header record
    // "(15)"              RP: the capture period, 15 minutes
    // "(2)"               z: two channels
    // "(1.5.0)(kW)"       channel 1: OBIS 1.5.0 (last average active power +), unit kW
    // "(2.5.0)(kvar)"     channel 2: OBIS 2.5.0, unit kvar
    // CR LF
    // "(0.250)(0.010)"    entry k=0, 2022-12-31 23:30: channel 1 0.250, channel 2 0.010
    // "(0.300)(0.000)"    entry k=1, 23:45
    // "(0.275)(ERROR)"    entry k=2, 2023-01-01 00:00 (the year turns); channel 2 an error token
    // ETX 0x32            BCC (XOR; the sum mod 128 would be 0x54)
    const std::string msg =
        "\x02"
        "P.01(1221231233000)(08)(15)(2)(1.5.0)(kW)(2.5.0)(kvar)\r\n"
        "(0.250)(0.010)\r\n"
        "(0.300)(0.000)\r\n"
        "(0.275)(ERROR)\r\n"
        "\x03\x32";
    decoded_frame f;
    REQUIRE(decode(msg, f));
    REQUIRE(f.records.size() == 7);
    const auto& h = f.records[0];
    CHECK(f.name_of(h) == "P.01");
    CHECK(h.obis.g[2] == 99);
    CHECK(h.obis.g[3] == 1);
    CHECK(h.kind == value_kind::text);
    CHECK(f.text_of(h) == "08");
    CHECK(h.when.summer);
    CHECK((h.when.year == 2022 && h.when.month == 12 && h.when.day == 31 && h.when.hour == 23 &&
           h.when.minute == 30));
    struct want_t {
        const char* name;
        const char* unit;
        std::uint64_t storage;
        int y, mo, d, hh, mi;
        const char* value;
    };
    const want_t want[6] = {
        {"1.5.0", "kW", 1, 2022, 12, 31, 23, 30, "0.25"}, {"2.5.0", "kvar", 1, 2022, 12, 31, 23, 30, "0.01"},
        {"1.5.0", "kW", 2, 2022, 12, 31, 23, 45, "0.3"},  {"2.5.0", "kvar", 2, 2022, 12, 31, 23, 45, "0"},
        {"1.5.0", "kW", 3, 2023, 1, 1, 0, 0, "0.275"},    {"2.5.0", "kvar", 3, 2023, 1, 1, 0, 0, "ERROR"}};
    for (std::size_t i = 0; i < 6; ++i) {
        const auto& r = f.records[1 + i];
        INFO("value " << i);
        CHECK(f.name_of(r) == want[i].name);
        CHECK(r.has_obis);
        CHECK(r.obis.g[2] == (i % 2 == 0 ? 1 : 2));
        CHECK(r.obis.g[3] == 5);
        CHECK(f.unit_text_of(r) == want[i].unit);
        CHECK(r.storage == want[i].storage);
        CHECK(r.subunit == i % 2);
        CHECK(r.when.summer);
        CHECK((r.when.year == want[i].y && r.when.month == want[i].mo && r.when.day == want[i].d &&
               r.when.hour == want[i].hh && r.when.minute == want[i].mi));
        CHECK(value_of(f, r) == want[i].value);
    }
    CHECK(f.records[6].kind == value_kind::error_token);
    // an entry's raw bytes start at its '(': the second entry's channel 1 is "(0.300"
    const auto raw = f.raw_of(f.records[3]);
    CHECK(std::string(raw.begin(), raw.end()) == "(0.300");

    // a profile line with more values than channels is malformed at the extra value's '('
    decoded_frame g;
    CHECK_FALSE(decode("P.01(2201010000)(00)(15)(1)(1.5.0)(kW)\r\n(1)(2)\r\n", g));
    CHECK(g.error.status == decode_status::malformed);
    CHECK(g.error.offset == 43);

    // season digit 2 (UTC) in the header: a deviation of 0, not summer time. "P.01" "(2220101000000)":
    // s=2, 2022-01-01 00:00:00; "(00)" status; "(60)" one hour; "(1)" one channel "(1.5.0)(kW)"; one entry
    REQUIRE(decode("P.01(2220101000000)(00)(60)(1)(1.5.0)(kW)\r\n(1.5)\r\n", g));
    REQUIRE(g.records.size() == 2);
    CHECK(g.records[1].when.has_deviation);
    CHECK(g.records[1].when.deviation == 0);
    CHECK_FALSE(g.records[1].when.summer);
    CHECK(g.records[1].when.has_seconds);
    // P.98 (an event log) is not a load profile: its brackets are plain values of one data set
    REQUIRE(decode("P.98(2201010000)(00)(15)(1)(x)(y)\r\n", g));
    CHECK(g.records.size() == 6);
    CHECK(g.records[0].number ==
          exact_number{2201010000, 0,
                       false});  // "P.01(...)...(kW)" is 38 bytes, CR LF 2, "(1)" 3: the second '(' at 43
}

TEST_CASE("IEC 62056-21: the BCC under each dialect", "[decode][iec]") {
    // STX "3:171.0(0)" ETX BCC: XOR of "3:171.0(0)" ETX is 0x12, their sum mod 128 0x68 (pwitab's test)
    const std::string body = std::string("\x02") + "3:171.0(0)" + "\x03";
    decoded_frame f;
    // the XOR
    for (auto d : {bcc_dialect::detect, bcc_dialect::standard}) {
        REQUIRE(decode(body + "\x12", f, d));
        CHECK_FALSE(f.header.bcc_additive);
    }
    CHECK_FALSE(decode(body + "\x12", f, bcc_dialect::energomera));
    CHECK(f.error.status == decode_status::checksum);
    CHECK(f.error.offset == 12);
    CHECK(f.error.expected == "the block check character 0x68 (sum mod 128)");
    CHECK(f.error.found == "0x12");
    CHECK(f.records.empty());
    // Energomera's sum
    for (auto d : {bcc_dialect::detect, bcc_dialect::energomera}) {
        REQUIRE(decode(body + "\x68", f, d));
        CHECK(f.header.bcc_additive);
        CHECK(f.records.size() == 1);
    }
    CHECK_FALSE(decode(body + "\x68", f, bcc_dialect::standard));
    CHECK(f.error.expected == "the block check character 0x12 (XOR)");
    // neither
    CHECK_FALSE(decode(body + "\x11", f));
    CHECK(f.error.status == decode_status::checksum);
    CHECK(f.error.offset == 12);
    CHECK(f.error.expected == "the block check character 0x12 (XOR) or 0x68 (sum mod 128)");
    CHECK(f.error.found == "0x11");
    // missing: truncated at the end; EOT ends a partial block like ETX
    CHECK_FALSE(decode(body, f));
    CHECK(f.error.status == decode_status::truncated);
    CHECK(f.error.offset == 12);
    // STX "1(2)" EOT BCC: XOR of '1' '(' '2' ')' EOT = 0x31^0x28^0x32^0x29^0x04 = 0x06
    REQUIRE(decode(std::string("\x02") + "1(2)\x04\x06", f, bcc_dialect::standard));
    CHECK(f.records.size() == 1);
    // a byte after the BCC
    CHECK_FALSE(decode(body + "\x12\r", f));
    CHECK(f.error.status == decode_status::malformed);
    CHECK(f.error.offset == 13);
}

TEST_CASE("IEC 62056-21: every prefix of a good readout fails cleanly", "[decode][iec]") {
    // the NEVA readout of the first hand-made test, and a sign-on exchange's messages
    const std::vector<std::string> messages = {
        std::string("\x02") +
            "0.0.0(12345678)\r\n1.8.0(012345.67,005432.10,004321.00,002592.57,000000.00)\r\n!\r\n" +
            "\x03\x01",
        "/?12345678!\r\n", "/EKT5CE301v12\r\n",
        "\x06"
        "051\r\n",
        std::string("\x01") + "P0\x02(777777)\x03 "};
    decoded_frame f;
    for (const auto& m : messages) {
        REQUIRE(decode(m, f));
        for (std::size_t n = 0; n < m.size(); ++n) {
            const auto b = bytes_of(std::string_view(m).substr(0, n));
            INFO("prefix of " << n << " bytes of " << m.size());
            if (n == 1 && m[0] == '\x06') continue;  // a lone ACK is a message of its own
            CHECK_FALSE(decode_iec62056_21(b, f));
            CHECK(f.error.status == decode_status::truncated);
            CHECK(f.error.offset <= n);
            CHECK(f.records.empty());
        }
    }
}

TEST_CASE("IEC 62056-21: the other messages", "[decode][iec]") {
    decoded_frame f;
    // "/?" "12345678" "!" CR LF: a sign-on to the device address 12345678
    REQUIRE(decode("/?12345678!\r\n", f));
    CHECK(f.header.kind == frame_kind::iec_request);
    CHECK(std::string_view(f.text).substr(f.header.ident_offset, f.header.ident_size) == "12345678");
    // "/" "EKT" '5' "CE301v12" CR LF: Energomera, 9600 Bd, the identification CE301v12
    REQUIRE(decode("/EKT5CE301v12\r\n", f));
    CHECK(f.header.kind == frame_kind::iec_identification);
    CHECK(std::string(f.header.manufacturer.data()) == "EKT");
    CHECK(f.header.iec_baud == '5');
    CHECK(std::string_view(f.text).substr(f.header.ident_offset, f.header.ident_size) == "CE301v12");
    // NAK alone
    REQUIRE(decode("\x15", f));
    CHECK(f.header.kind == frame_kind::iec_option_select);
    CHECK(f.header.c_field == 0x15);
    // SOH "B0" ETX 0x71: the break command (XOR of 'B' '0' ETX = 0x42^0x30^0x03 = 0x71)
    REQUIRE(
        decode("\x01"
               "B0\x03\x71",
               f));
    CHECK(f.header.kind == frame_kind::iec_command);
    CHECK(f.header.iec_command == 'B');
    CHECK(f.records.empty());
    // an identification whose line does not end: CR missing, another byte instead
    CHECK_FALSE(decode("/EKT5CE301\x01", f));
    CHECK(f.error.status == decode_status::malformed);
    CHECK(f.error.offset == 10);
}

TEST_CASE("IEC 62056-21: bytes that are not IEC 62056-21", "[decode][iec]") {
    decoded_frame f;
    // a wired M-Bus long frame's start, an HDLC flag, the DLMS wrapper's version, an M-Bus single character
    for (std::vector<std::uint8_t> b :
         {std::vector<std::uint8_t>{0x68, 0x03, 0x03, 0x68, 0x08, 0x01, 0x72},
          std::vector<std::uint8_t>{0x7E, 0xA0, 0x07}, std::vector<std::uint8_t>{0x00, 0x01},
          std::vector<std::uint8_t>{0xE5}}) {
        CHECK_FALSE(iec62056_21_identify(b));
        CHECK_FALSE(decode_iec62056_21(b, f));
        CHECK(f.error.status == decode_status::malformed);
        // 'h' (0x68) and '~' (0x7E) may begin an address: the byte after them is the one that is wrong
        CHECK(f.error.offset == (b[0] == 0x68 || b[0] == 0x7E ? 1u : 0u));
        CHECK(f.protocol == "iec62056-21");
    }
    CHECK_FALSE(decode_iec62056_21({}, f));
    CHECK(f.error.status == decode_status::truncated);
    // a data line that never opens a bracket, within an STX block: malformed at ETX
    CHECK_FALSE(decode(std::string("\x02") + "1.8.0\x03\x3B", f, bcc_dialect::detect));
    // identify: the starts it knows, and an address followed by '('
    CHECK(iec62056_21_identify(bytes_of("/?!\r\n")));
    CHECK(iec62056_21_identify(bytes_of("1.8.0(1)")));
    CHECK(iec62056_21_identify(bytes_of("ET0PE(1)")));
    CHECK_FALSE(iec62056_21_identify(bytes_of("hello world")));
    // and the registry finds the decoder by its name
    const auto reg = builtin_decoders();
    auto dec =
        reg.make("iec62056-21", decoder_config{nullptr, nullptr, crc_mode::detect, bcc_dialect::energomera});
    REQUIRE(dec->decode(bytes_of(std::string("\x02") + "3:171.0(0)\x03\x68"), f));
    CHECK(f.header.bcc_additive);
}

namespace {
// A readout of `lines` data lines with OBIS addresses, units, a comma list and a time stamp, framed with
// its XOR BCC (computed here: the BCC is not what these tests are about).
std::string big_readout(int lines) {
    std::string body;
    for (int i = 0; i < lines; ++i) {
        switch (i % 4) {
            case 0:
                body += "1.8." + std::to_string(i % 5) + "(0" + std::to_string(10000 + i) + ".25*kWh)\r\n";
                break;
            case 1:
                body += "1.6.0(0.345*kW)(2201151030)\r\n";
                break;
            case 2:
                body += "1.8.0(012345.67,005432.10,004321.00,002592.57,000000.00)\r\n";
                break;
            default:
                body += "1-0:32.7.0*255(230.1*V)\r\n";
                break;
        }
    }
    body += "!\r\n\x03";
    std::uint8_t x = 0;
    for (char c : body) x ^= std::uint8_t(c);
    return "\x02" + body + char(x);
}
}  // namespace

TEST_CASE("IEC 62056-21: a reused frame keeps its buffers", "[decode][iec]") {
    const auto msg = bytes_of(big_readout(300));
    decoded_frame f;
    REQUIRE(decode_iec62056_21(msg, f));
    CHECK(f.records.size() == 300 / 4 * (1 + 1 + 5 + 1));
    const auto* records = f.records.data();
    const auto* text = f.text.data();
    const auto* data = f.data.data();
    REQUIRE(decode_iec62056_21(msg, f));
    CHECK(f.records.data() == records);
    CHECK(f.text.data() == text);
    CHECK(f.data.data() == data);
}

TEST_CASE("IEC 62056-21: decoding speed (prints MB/s, no assertion on time)", "[.perf][iec]") {
    const auto msg = bytes_of(big_readout(400));
    decoded_frame f;
    const auto t0 = std::chrono::steady_clock::now();
    int n = 0;
    std::size_t records = 0;
    for (; n < 5000; ++n) {
        REQUIRE(decode_iec62056_21(msg, f));
        records += f.records.size();
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    WARN("IEC 62056-21 readout of 400 lines (" << msg.size()
                                               << " bytes): " << double(msg.size()) * n / s / 1e6 << " MB/s, "
                                               << double(records) / s / 1e6 << " M records/s");
}
