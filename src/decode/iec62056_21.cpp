// IEC 62056-21 messages (§6.3) and their data sets (§6.5), with NEVA's and Energomera's dialects.
// docs/iec62056-21.md describes the forms read and every choice made where the standard is silent.
#include "kvant/decode/iec62056_21.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "civil_date.hpp"
#include "mbus_records.hpp"

namespace kvant {
inline namespace v0 {
namespace {

using detail::hex_byte;

constexpr std::uint8_t soh = 0x01, stx = 0x02, etx = 0x03, eot = 0x04, ack = 0x06, nak = 0x15;
constexpr std::uint8_t cr = 0x0D, lf = 0x0A;
constexpr std::size_t max_address = 32;  // the standard allows 16; some meters write longer names

// A failed frame carries no records.
bool fail(decoded_frame& out, decode_status st, std::size_t offset, std::string expected, std::string found) {
    out.records.clear();
    return detail::fail(out, st, offset, std::move(expected), std::move(found));
}

std::string show(std::uint8_t b) {
    if (b >= 0x20 && b < 0x7F) return "'" + std::string(1, char(b)) + "' (" + hex_byte(b) + ")";
    return hex_byte(b);
}

std::string found_at(std::span<const std::uint8_t> bytes, std::size_t at) {
    return at < bytes.size() ? show(bytes[at]) : std::string("the end of the bytes");
}

bool is_digit(std::uint8_t c) {
    return c >= '0' && c <= '9';
}
bool is_alpha(std::uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool is_line_end(std::uint8_t c) {
    return c == cr || c == lf;
}
// A character that may stand in a data set's address (printable, not a bracket, '/' or '!').
bool is_address_char(std::uint8_t c) {
    return c > 0x20 && c < 0x7F && c != '(' && c != ')' && c != '/' && c != '!';
}

// ---------------------------------------------------------------------------------------------------------
// Values

// `[+-]digits[.digits]`, exact; false when the text is not such a number or does not fit.
bool parse_number(std::string_view s, exact_number& n) {
    std::size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    std::uint64_t m = 0;
    std::size_t digits = 0, fraction = 0;
    bool point = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9') return false;
        const std::uint64_t d = std::uint64_t(c - '0');
        if (m > (UINT64_MAX - d) / 10) return false;
        m = m * 10 + d;
        ++digits;
        if (point) ++fraction;
    }
    if (digits == 0 || (point && fraction == 0) || fraction > 18) return false;
    n.magnitude = m;
    n.exponent = std::int16_t(-std::int16_t(fraction));
    n.negative = negative && m != 0;
    return true;
}

bool is_error_token(std::string_view s) {
    return s == "?" || s.substr(0, 3) == "ERR";
}

unsigned two(std::string_view s, std::size_t at) {
    return unsigned(s[at] - '0') * 10 + unsigned(s[at + 1] - '0');
}

// A time stamp YYMMDDhhmm[ss], with a leading season digit s (0 normal, 1 summer, 2 UTC) when `season`
// (the P.01 header's ZSTs13 form takes 11 or 13 characters). Years are 2000 + YY. Summer time sets
// `summer`; UTC a deviation of 0 (has_deviation: UTC = local + 0).
bool parse_time_stamp(std::string_view s, bool season, record_time& t) {
    std::size_t at = 0;
    char season_digit = '0';
    if (season && (s.size() == 11 || s.size() == 13)) {
        if (s[0] < '0' || s[0] > '2') return false;
        season_digit = s[0];
        at = 1;
    }
    const std::size_t n = s.size() - at;
    if (n != 10 && n != 12) return false;
    for (std::size_t i = at; i < s.size(); ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    const unsigned yy = two(s, at), mo = two(s, at + 2), dd = two(s, at + 4), hh = two(s, at + 6),
                   mi = two(s, at + 8), ss = n == 12 ? two(s, at + 10) : 0;
    if (mo < 1 || mo > 12 || dd < 1 || hh > 23 || mi > 59 || ss > 59) return false;
    // a real day of that month (30 February is not a date): the month's days from the next month's first
    const unsigned y = 2000 + yy;
    const unsigned days_in_month = static_cast<unsigned>(
        detail::days_from_civil(mo == 12 ? int(y) + 1 : int(y), mo == 12 ? 1 : mo + 1, 1) -
        detail::days_from_civil(int(y), mo, 1));
    if (dd > days_in_month) return false;
    t = record_time{};
    t.year = std::int16_t(2000 + yy);
    t.month = std::uint8_t(mo);
    t.day = std::uint8_t(dd);
    t.hour = std::uint8_t(hh);
    t.minute = std::uint8_t(mi);
    t.second = std::uint8_t(ss);
    t.has_date = t.has_time = true;
    t.has_seconds = n == 12;
    t.summer = season_digit == '1';
    if (season_digit == '2') t.has_deviation = true;  // UTC: local time + 0 minutes
    return true;
}

record_time add_minutes(const record_time& t, std::int64_t minutes) {
    const std::int64_t total =
        detail::days_from_civil(t.year, t.month, t.day) * 1440 + t.hour * 60 + t.minute + minutes;
    std::int64_t days = total / 1440, rest = total % 1440;
    if (rest < 0) {
        rest += 1440;
        --days;
    }
    record_time r = t;
    std::int64_t y = 0;
    unsigned m = 0, d = 0;
    detail::civil_from_days(days, y, m, d);
    r.year =
        std::int16_t(std::clamp<std::int64_t>(y, -1, 10000));  // beyond any calendar: a caller refuses it
    r.month = std::uint8_t(m);
    r.day = std::uint8_t(d);
    r.hour = std::uint8_t(rest / 60);
    r.minute = std::uint8_t(rest % 60);
    return r;
}

// The unit a value is in, when the text names one without a prefix (the value is kept as written: "kWh"
// stays in the unit text only, and the mapping converts it).
record_unit base_unit(std::string_view u) {
    if (u == "Wh") return record_unit::wh;
    if (u == "varh") return record_unit::varh;
    if (u == "W") return record_unit::w;
    if (u == "var") return record_unit::var;
    if (u == "V") return record_unit::v;
    if (u == "A") return record_unit::a;
    if (u == "Hz") return record_unit::hz;
    if (u == "s") return record_unit::s;
    if (u == "min") return record_unit::min;
    if (u == "h") return record_unit::h;
    if (u == "%") return record_unit::percent;
    return record_unit::none;
}

// ---------------------------------------------------------------------------------------------------------
// Addresses

// IEC 62056-61 letters in value groups C and D: C 96, F 97, L 98, P 99.
int letter_group(char c) {
    switch (c) {
        case 'C':
            return 96;
        case 'F':
            return 97;
        case 'L':
            return 98;
        case 'P':
            return 99;
        default:
            return -1;
    }
}

// Reads a group of decimal digits (0..255) at s[i]; -1 when there is none or it is too large.
int read_group(std::string_view s, std::size_t& i) {
    const std::size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) v = v * 10 + unsigned(s[i++] - '0');
    if (i == start || v > 255 || (i < s.size() && s[i] >= '0' && s[i] <= '9')) return -1;
    return int(v);
}

// An OBIS address as IEC 62056-21 readouts write it: [A-][B:]C.D[.E][*F|&F], or B:C; C and D may be the
// letters C, F, L, P. False when the address is not one (an Energomera name, a bare number).
bool parse_obis(std::string_view s, logical_name& ln, std::uint8_t& given) {
    ln = logical_name{};
    given = 0;
    std::size_t i = 0;
    // A- and B: prefixes
    {
        std::size_t j = 0;
        const int a = read_group(s, j);
        if (a >= 0 && j < s.size() && s[j] == '-') {
            ln.g[0] = std::uint8_t(a);
            given |= 1;
            i = j + 1;
        }
    }
    {
        std::size_t j = i;
        const int b = read_group(s, j);
        if (b >= 0 && j < s.size() && s[j] == ':') {
            ln.g[1] = std::uint8_t(b);
            given |= 2;
            i = j + 1;
        }
    }
    int groups = 0;
    while (i < s.size() && groups < 3) {
        int v = -1;
        if (groups < 2 && letter_group(s[i]) >= 0 &&
            (i + 1 == s.size() || s[i + 1] == '.' || s[i + 1] == '*' || s[i + 1] == '&')) {
            v = letter_group(s[i]);
            ++i;
        } else {
            v = read_group(s, i);
        }
        if (v < 0) return false;
        ln.g[std::size_t(2 + groups)] = std::uint8_t(v);
        given |= std::uint8_t(4 << groups);
        ++groups;
        if (i < s.size() && s[i] == '.' && groups < 3) {
            ++i;
            if (i == s.size()) return false;
            continue;
        }
        break;
    }
    if (i < s.size() && (s[i] == '*' || s[i] == '&') && groups >= 2) {
        ++i;
        const int f = read_group(s, i);
        if (f < 0) return false;
        ln.g[5] = std::uint8_t(f);
        given |= 32;
    }
    if (i != s.size()) return false;
    return groups >= 2 || (groups == 1 && (given & 2));
}

// Energomera's energy names (ET0PE, ECMPE, ENMPE, EAMPE, ECDPE, …): five characters starting with 'E';
// their repeated values are total, T1, T2, … (the element index is the tariff).
bool energomera_energy(std::string_view name) {
    return name.size() == 5 && name[0] == 'E';
}

// ---------------------------------------------------------------------------------------------------------
// Data lines

struct data_set {
    std::size_t address_at = 0;  // in out.data
    std::uint32_t name_offset = 0, name_size = 0;
    logical_name obis;
    std::uint8_t given = 0;
    bool has_obis = false;
    bool energy_list = false;    // the element index is the tariff
    std::uint32_t elements = 0;  // values so far (brackets and comma elements)
    std::size_t first_record = 0;
    std::size_t value_from = 0;  // the first record of the last value bracket (a time stamp's values)
};

struct profile {
    bool active = false;
    record_time start;
    std::uint32_t period = 0;    // minutes
    std::uint32_t channels = 0;  // z
    std::uint64_t entry = 0;     // value lines so far
};

struct bracket {
    std::uint32_t at = 0, size = 0;  // the content, in out.data
};

class data_parser {
  public:
    data_parser(decoded_frame& out, std::size_t begin, std::size_t end, bool framed)
        : out_(out), begin_(begin), end_(end), framed_(framed) {
        brackets_.clear();
        prof_brackets_.clear();
    }

    bool run();

  private:
    std::string_view view(std::size_t at, std::size_t n) const {
        return std::string_view(reinterpret_cast<const char*>(out_.data.data()) + at, n);
    }
    std::uint8_t at(std::size_t i) const { return out_.data[i]; }
    bool end_of_region(std::size_t pos, const char* expected) {
        if (framed_)
            return fail(out_, decode_status::malformed, pos, expected,
                        found_at(out_.data, pos) + " (the end of the data)");
        return fail(out_, decode_status::truncated, pos, expected, "the end of the bytes");
    }
    // Reads the brackets at pos: the contents into brackets_ (from index `from`), pos past the last ')'.
    bool read_brackets(std::size_t& pos);
    bool emit_values(data_set& ds, std::size_t from, bool continuation);
    bool emit_value(data_set& ds, std::uint32_t at, std::uint32_t size, std::uint32_t element);
    bool start_profile(const data_set& ds, std::size_t from);
    bool emit_profile_line(std::size_t from);
    std::uint32_t add_text(std::string_view s) {
        const auto o = std::uint32_t(out_.text.size());
        out_.text.append(s);
        return o;
    }

    decoded_frame& out_;
    std::size_t begin_, end_;
    bool framed_;
    // A line's brackets and the profile header's channels: kept a thread so that decoding a stream of
    // messages does not allocate once they have grown.
    static thread_local std::vector<bracket> brackets_;
    data_set last_;
    bool have_last_ = false;
    profile prof_;
    static thread_local std::vector<bracket> prof_brackets_;
};

thread_local std::vector<bracket> data_parser::brackets_;
thread_local std::vector<bracket> data_parser::prof_brackets_;

bool data_parser::read_brackets(std::size_t& pos) {
    brackets_.clear();
    while (pos < end_ && at(pos) == '(') {
        std::size_t q = pos + 1;
        while (q < end_ && at(q) != ')' && at(q) != '(' && !is_line_end(at(q))) ++q;
        if (q >= end_) return end_of_region(q, "')' closing the value");
        if (at(q) != ')')
            return fail(out_, decode_status::malformed, q, "')' closing the value", show(at(q)));
        brackets_.push_back(bracket{std::uint32_t(pos + 1), std::uint32_t(q - pos - 1)});
        pos = q + 1;
    }
    return true;
}

bool data_parser::emit_value(data_set& ds, std::uint32_t at_, std::uint32_t size, std::uint32_t element) {
    frame_record r;
    std::string_view v = view(at_, size);
    std::string_view unit;
    if (const auto star = v.find('*'); star != std::string_view::npos) {
        unit = v.substr(star + 1);
        v = v.substr(0, star);
    }
    r.offset = std::uint32_t(ds.address_at);
    r.dib_size = std::uint16_t(std::min<std::size_t>(at_ - ds.address_at, 0xFFFF));
    r.data_offset = at_;
    r.data_size = size;
    if (std::size_t(r.dib_size) + r.data_size != std::size_t(at_ - ds.address_at) + size) {
        // a data set longer than a record's sizes hold: point at the value alone
        r.offset = at_;
        r.dib_size = 0;
    }
    r.name_offset = ds.name_offset;
    r.name_size = ds.name_size;
    r.obis = ds.obis;
    r.has_obis = ds.has_obis;
    r.obis_given = ds.given;
    r.subunit = std::uint16_t(element > 0xFFFF ? 0xFFFF : element);
    if (ds.energy_list) r.tariff = element;
    if (!unit.empty()) {
        r.unit_text_offset = add_text(unit);
        r.unit_text_size = std::uint32_t(unit.size());
        r.unit = base_unit(unit);
    }
    if (v.empty()) {
        r.kind = value_kind::none;
    } else if (is_error_token(v)) {
        r.kind = value_kind::error_token;
        r.text_offset = add_text(v);
        r.text_size = std::uint32_t(v.size());
    } else if (parse_number(v, r.number)) {
        r.kind = value_kind::number;
    } else {
        r.kind = value_kind::text;
        r.text_offset = add_text(v);
        r.text_size = std::uint32_t(v.size());
    }
    out_.records.push_back(r);
    return true;
}

// The brackets of one data set (or of a continuation line): the first bracket is a value (a comma list is
// one value an element); a later bracket that reads as a time stamp is the time of the values before it,
// any other later bracket is one more value.
bool data_parser::emit_values(data_set& ds, std::size_t from, bool continuation) {
    std::size_t since = continuation ? ds.value_from : out_.records.size();  // a time stamp's records
    for (std::size_t b = from; b < brackets_.size(); ++b) {
        const bracket br = brackets_[b];
        const std::string_view content = view(br.at, br.size);
        record_time t;
        if ((b > from || continuation) && out_.records.size() > ds.first_record &&
            parse_time_stamp(content, false, t)) {
            for (std::size_t k = since; k < out_.records.size(); ++k) out_.records[k].when = t;
            since = out_.records.size();
            continue;
        }
        since = ds.value_from = out_.records.size();
        // comma-separated elements
        std::uint32_t s = br.at;
        const std::uint32_t e = br.at + br.size;
        for (std::uint32_t k = br.at;; ++k) {
            if (k == e || at(k) == ',') {
                emit_value(ds, s, k - s, ds.elements++);
                if (k == e) break;
                s = k + 1;
            }
        }
    }
    return true;
}

// P.01(ZSTs13)(S)(RP)(z)(KZ1)(E1)..(KZz)(Ez): the header of a load profile. It becomes one record (the
// status as text, the start time as its time); the value lines that follow become the channels' records.
bool data_parser::start_profile(const data_set& ds, std::size_t from) {
    const std::size_t n = brackets_.size() - from;
    auto content = [&](std::size_t i) { return view(brackets_[from + i].at, brackets_[from + i].size); };
    record_time start;
    if (!parse_time_stamp(content(0), true, start))
        return fail(out_, decode_status::malformed, brackets_[from].at,
                    "a profile time stamp (s)YYMMDDhhmm[ss]", "'" + std::string(content(0)) + "'");
    exact_number rp, z;
    if (n < 4 || !parse_number(content(2), rp) || rp.exponent != 0 || rp.negative || rp.magnitude == 0 ||
        rp.magnitude > 527040)
        return fail(out_, decode_status::malformed, n < 3 ? brackets_.back().at : brackets_[from + 2].at,
                    "a capture period of 1..527040 minutes (P.01 third bracket)",
                    n < 3 ? std::string("none") : "'" + std::string(content(2)) + "'");
    if (!parse_number(content(3), z) || z.exponent != 0 || z.negative || z.magnitude > n ||
        n != 4 + 2 * z.magnitude)
        return fail(out_, decode_status::malformed, brackets_[from + 3].at,
                    "a channel count z followed by z (address)(unit) pairs",
                    "'" + std::string(content(3)) + "' and " + std::to_string(n - 4) + " brackets");
    prof_.active = true;
    prof_.start = start;
    prof_.period = std::uint32_t(rp.magnitude);
    prof_.channels = std::uint32_t(z.magnitude);
    prof_.entry = 0;
    prof_brackets_.assign(brackets_.begin() + std::ptrdiff_t(from + 4), brackets_.end());
    // the header record
    frame_record r;
    r.offset = std::uint32_t(ds.address_at);
    r.data_offset = brackets_[from + 1].at;
    r.data_size = brackets_[from + 1].size;
    r.dib_size = std::uint16_t(std::min<std::size_t>(r.data_offset - r.offset, 0xFFFF));
    r.name_offset = ds.name_offset;
    r.name_size = ds.name_size;
    r.obis = ds.obis;
    r.has_obis = ds.has_obis;
    r.obis_given = ds.given;
    if (!content(1).empty()) {  // the status as written; an empty "()" is no value
        r.kind = value_kind::text;
        r.text_offset = add_text(content(1));
        r.text_size = std::uint32_t(content(1).size());
    }
    r.when = start;
    out_.records.push_back(r);
    return true;
}

bool data_parser::emit_profile_line(std::size_t from) {
    const std::size_t n = brackets_.size() - from;
    if (n > prof_.channels)
        return fail(out_, decode_status::malformed, brackets_[from + prof_.channels].at - 1,
                    "at most " + std::to_string(prof_.channels) + " values (the profile's channels)",
                    std::to_string(n) + " values");
    const record_time t = add_minutes(prof_.start, std::int64_t(prof_.entry) * prof_.period);
    if (t.year > 9999)  // entries × period past any calendar (a hostile profile)
        return fail(out_, decode_status::malformed, brackets_[from].at - 1,
                    "a profile entry within the years up to 9999",
                    "entry " + std::to_string(prof_.entry + 1));
    for (std::size_t i = 0; i < n; ++i) {
        const bracket kz = prof_brackets_[2 * i], unit = prof_brackets_[2 * i + 1];
        data_set ds;
        ds.address_at = brackets_[from + i].at - 1;  // an entry's value has no address: from its '('
        ds.name_offset = add_text(view(kz.at, kz.size));
        ds.name_size = kz.size;
        ds.has_obis = parse_obis(view(kz.at, kz.size), ds.obis, ds.given);
        const std::size_t before = out_.records.size();
        emit_value(ds, brackets_[from + i].at, brackets_[from + i].size, std::uint32_t(i));
        frame_record& r = out_.records[before];
        r.when = t;
        r.storage = prof_.entry + 1;
        if (r.unit_text_size == 0 && unit.size) {
            r.unit_text_offset = add_text(view(unit.at, unit.size));
            r.unit_text_size = unit.size;
            r.unit = base_unit(view(unit.at, unit.size));
        }
    }
    ++prof_.entry;
    return true;
}

bool data_parser::run() {
    std::size_t pos = begin_;
    bool ended = false;  // the "!" end line was seen
    while (pos < end_) {
        const std::uint8_t c = at(pos);
        if (is_line_end(c)) {
            ++pos;
            continue;
        }
        if (ended)
            return fail(out_, decode_status::malformed, pos, "nothing after the '!' end line", show(c));
        if (c == '!') {
            ended = true;
            ++pos;
            continue;
        }
        // one line: data sets up to CR/LF or the region's end
        bool first_in_line = true;
        while (pos < end_ && !is_line_end(at(pos))) {
            const std::size_t set_at = pos;
            std::size_t q = pos;
            while (q < end_ && is_address_char(at(q)) && q - pos <= max_address) ++q;
            if (q - pos > max_address)
                return fail(out_, decode_status::malformed, pos + max_address,
                            "'(' within " + std::to_string(max_address) + " characters of an address",
                            show(at(pos + max_address)));  // an address character: pos + 32 < q <= end_
            if (q >= end_) return end_of_region(q, "'(' after the address");
            if (at(q) != '(')
                return fail(out_, decode_status::malformed, q, "'(' after the address", show(at(q)));
            const std::size_t address_size = q - pos;
            pos = q;
            if (!read_brackets(pos)) return false;
            if (address_size == 0 && first_in_line && (prof_.active || have_last_)) {
                if (prof_.active) {
                    if (!emit_profile_line(0)) return false;
                } else {
                    // a continuation line: more values of the last data set
                    emit_values(last_, 0, true);
                }
                first_in_line = false;
                continue;
            }
            first_in_line = false;
            prof_.active = false;
            const std::string_view address = view(set_at, address_size);
            data_set ds;
            ds.address_at = set_at;
            ds.first_record = out_.records.size();
            ds.has_obis = parse_obis(address, ds.obis, ds.given);
            if (have_last_ && address_size > 0 && view(last_.address_at, last_.name_size) == address) {
                // the same name again (Energomera's ET0PE ×6, VOLTA ×3): the elements count on
                ds.name_offset = last_.name_offset;
                ds.elements = last_.elements;
            } else {
                ds.name_offset = add_text(address);
            }
            ds.name_size = std::uint32_t(address_size);
            ds.energy_list = ds.has_obis ? true : energomera_energy(address);
            if (ds.has_obis && ds.obis.g[2] == 99 && (ds.obis.g[3] == 1 || ds.obis.g[3] == 2) &&
                (ds.given & 0x3C) == 0x0C && brackets_.size() >= 4) {
                if (!start_profile(ds, 0)) return false;
                have_last_ = false;
                continue;
            }
            emit_values(ds, 0, false);
            last_ = ds;
            have_last_ = true;
        }
    }
    return true;
}

// ---------------------------------------------------------------------------------------------------------
// Messages

// The block check: XOR and sum mod 128 of bytes[from..to] (to inclusive).
bool check_bcc(decoded_frame& out, std::size_t from, std::size_t to, bcc_dialect dialect) {
    std::uint8_t x = 0, sum = 0;
    for (std::size_t i = from; i <= to; ++i) {
        x ^= out.data[i];
        sum = std::uint8_t(sum + out.data[i]);
    }
    sum &= 0x7F;
    const std::size_t at = to + 1;
    std::string expected;
    if (dialect == bcc_dialect::standard)
        expected = hex_byte(x) + " (XOR)";
    else if (dialect == bcc_dialect::energomera)
        expected = hex_byte(sum) + " (sum mod 128)";
    else
        expected = hex_byte(x) + " (XOR) or " + hex_byte(sum) + " (sum mod 128)";
    if (at >= out.data.size())
        return fail(out, decode_status::truncated, out.data.size(), "the block check character " + expected,
                    "the end of the bytes");
    const std::uint8_t bcc = out.data[at];
    out.header.bcc = bcc;
    if (dialect != bcc_dialect::energomera && bcc == x) return true;
    if (dialect != bcc_dialect::standard && bcc == sum) {
        out.header.bcc_additive = true;
        return true;
    }
    return fail(out, decode_status::checksum, at, "the block check character " + expected, hex_byte(bcc));
}

// The end of a framed block: the first ETX (or EOT, a partial block's end) from `from`.
std::size_t find_end(const decoded_frame& out, std::size_t from) {
    for (std::size_t i = from; i < out.data.size(); ++i)
        if (out.data[i] == etx || out.data[i] == eot) return i;
    return out.data.size();
}

bool expect_crlf(decoded_frame& out, std::size_t at, const char* what) {
    const auto& b = out.data;
    if (at >= b.size())
        return fail(out, decode_status::truncated, b.size(), std::string("CR LF ending ") + what,
                    "the end of the bytes");
    if (b[at] != cr)
        return fail(out, decode_status::malformed, at, std::string("CR ending ") + what, show(b[at]));
    if (at + 1 >= b.size())
        return fail(out, decode_status::truncated, b.size(), std::string("LF ending ") + what,
                    "the end of the bytes");
    if (b[at + 1] != lf)
        return fail(out, decode_status::malformed, at + 1, std::string("LF ending ") + what, show(b[at + 1]));
    if (at + 2 != b.size())
        return fail(out, decode_status::malformed, at + 2, std::string("the end of the bytes after ") + what,
                    show(b[at + 2]));
    return true;
}

constexpr std::size_t max_device_address = 32;

bool decode_request(decoded_frame& out) {
    auto& h = out.header;
    h.kind = frame_kind::iec_request;
    const auto& b = out.data;
    std::size_t i = 2;
    while (i < b.size() && b[i] != '!') {
        if (b[i] < 0x20 || b[i] >= 0x7F)
            return fail(out, decode_status::malformed, i, "a device address character or '!'", show(b[i]));
        if (i - 2 == max_device_address)  // IEC 62056-21 §6.3.1: a device address of at most 32 characters
            return fail(out, decode_status::malformed, i, "'!' after at most 32 device address characters",
                        show(b[i]));
        ++i;
    }
    if (i >= b.size())
        return fail(out, decode_status::truncated, i, "'!' ending the request", "the end of the bytes");
    h.ident_offset = std::uint32_t(out.text.size());
    h.ident_size = std::uint32_t(i - 2);
    out.text.append(reinterpret_cast<const char*>(b.data()) + 2, i - 2);
    return expect_crlf(out, i + 1, "the request");
}

bool decode_identification(decoded_frame& out) {
    auto& h = out.header;
    h.kind = frame_kind::iec_identification;
    const auto& b = out.data;
    for (std::size_t i = 1; i < 4; ++i) {
        if (i >= b.size())
            return fail(out, decode_status::truncated, i, "a manufacturer letter", "the end of the bytes");
        if (!is_alpha(b[i]))
            return fail(out, decode_status::malformed, i, "a manufacturer letter", show(b[i]));
        h.manufacturer[i - 1] = char(b[i]);
    }
    if (b.size() < 5)
        return fail(out, decode_status::truncated, 4, "the baud rate character", "the end of the bytes");
    if (!is_digit(b[4]) && !(b[4] >= 'A' && b[4] <= 'I'))
        return fail(out, decode_status::malformed, 4, "the baud rate character ('0'..'9', 'A'..'I')",
                    show(b[4]));
    h.iec_baud = char(b[4]);
    std::size_t i = 5;
    while (i < b.size() && b[i] != cr) {
        if (b[i] < 0x20 || b[i] >= 0x7F)
            return fail(out, decode_status::malformed, i, "an identification character or CR", show(b[i]));
        ++i;
    }
    h.ident_offset = std::uint32_t(out.text.size());
    h.ident_size = std::uint32_t(i - 5);
    out.text.append(reinterpret_cast<const char*>(b.data()) + 5, i - 5);
    return expect_crlf(out, i, "the identification");
}

bool decode_option_select(decoded_frame& out) {
    auto& h = out.header;
    h.kind = frame_kind::iec_option_select;
    h.c_field = out.data[0];  // ACK or NAK
    const auto& b = out.data;
    if (b.size() == 1) return true;
    if (b[0] == nak)
        return fail(out, decode_status::malformed, 1, "the end of the bytes after NAK", show(b[1]));
    static constexpr const char* what[3] = {"the protocol control character V ('0'..'9')",
                                            "the baud rate character Z ('0'..'9', 'A'..'I')",
                                            "the mode control character Y ('0'..'9')"};
    for (std::size_t i = 1; i < 4; ++i) {
        if (i >= b.size()) return fail(out, decode_status::truncated, i, what[i - 1], "the end of the bytes");
        const bool okc = is_digit(b[i]) || (i == 2 && b[i] >= 'A' && b[i] <= 'I');
        if (!okc) return fail(out, decode_status::malformed, i, what[i - 1], show(b[i]));
        h.iec_option[i - 1] = b[i];
    }
    return expect_crlf(out, 4, "the option select");
}

// After the BCC: nothing.
bool expect_end(decoded_frame& out, std::size_t at) {
    if (at < out.data.size())
        return fail(out, decode_status::malformed, at, "the end of the bytes after the block check character",
                    show(out.data[at]));
    return true;
}

bool decode_command(decoded_frame& out, bcc_dialect dialect) {
    auto& h = out.header;
    h.kind = frame_kind::iec_command;
    const auto& b = out.data;
    if (b.size() < 2)
        return fail(out, decode_status::truncated, 1, "a command character", "the end of the bytes");
    if (!is_alpha(b[1]))
        return fail(out, decode_status::malformed, 1, "a command character ('P', 'W', 'R', 'E', 'B')",
                    show(b[1]));
    if (b.size() < 3)
        return fail(out, decode_status::truncated, 2, "a command type character", "the end of the bytes");
    if (!is_digit(b[2]) && !is_alpha(b[2]))
        return fail(out, decode_status::malformed, 2, "a command type character ('0'..'9')", show(b[2]));
    h.iec_command = char(b[1]);
    h.iec_command_type = char(b[2]);
    if (b.size() < 4) return fail(out, decode_status::truncated, 3, "STX or ETX", "the end of the bytes");
    std::size_t end = 3;
    if (b[3] == stx) {
        end = find_end(out, 4);
        if (end >= b.size())
            return fail(out, decode_status::truncated, b.size(), "ETX ending the command",
                        "the end of the bytes");
    } else if (b[3] != etx && b[3] != eot) {
        return fail(out, decode_status::malformed, 3, "STX or ETX", show(b[3]));
    }
    if (!check_bcc(out, 1, end, dialect)) return false;
    if (!expect_end(out, end + 2)) return false;
    if (b[3] == stx) {
        data_parser p(out, 4, end, true);
        if (!p.run()) return false;
    }
    return true;
}

bool decode_data(decoded_frame& out, bcc_dialect dialect) {
    out.header.kind = frame_kind::iec_data;
    const std::size_t end = find_end(out, 1);
    if (end >= out.data.size())
        return fail(out, decode_status::truncated, out.data.size(), "ETX ending the data block",
                    "the end of the bytes");
    if (!check_bcc(out, 1, end, dialect)) return false;
    if (!expect_end(out, end + 2)) return false;
    data_parser p(out, 1, end, true);
    return p.run();
}

}  // namespace

bool iec62056_21_identify(std::span<const std::uint8_t> bytes) noexcept {
    if (bytes.empty()) return false;
    const std::uint8_t c = bytes[0];
    if (c == '/' || c == soh || c == stx || c == ack || c == nak || c == '(') return true;
    const std::size_t n = bytes.size() < max_address + 1 ? bytes.size() : max_address + 1;
    for (std::size_t i = 0; i < n; ++i) {
        if (bytes[i] == '(') return i > 0;
        if (!is_address_char(bytes[i])) return false;
    }
    return false;
}

bool decode_iec62056_21(std::span<const std::uint8_t> bytes, decoded_frame& out, bcc_dialect bcc) {
    out.clear();
    out.protocol = "iec62056-21";
    out.data.assign(bytes.begin(), bytes.end());
    if (bytes.empty()) return fail(out, decode_status::truncated, 0, "an IEC 62056-21 message", "no bytes");
    const std::uint8_t c = bytes[0];
    if (c == '/') {
        if (bytes.size() < 2)
            return fail(out, decode_status::truncated, 1, "'?' or a manufacturer letter",
                        "the end of the bytes");
        return bytes[1] == '?' ? decode_request(out) : decode_identification(out);
    }
    if (c == ack || c == nak) return decode_option_select(out);
    if (c == soh) return decode_command(out, bcc);
    if (c == stx) return decode_data(out, bcc);
    if (c == '(' || is_address_char(c) || is_line_end(c)) {
        out.header.kind = frame_kind::iec_data_block;
        data_parser p(out, 0, out.data.size(), false);
        return p.run();
    }
    return fail(out, decode_status::malformed, 0,
                "an IEC 62056-21 message ('/', ACK, NAK, SOH, STX or a data line)", show(c));
}

}  // namespace v0
}  // namespace kvant
