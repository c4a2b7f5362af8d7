// The readings CSV parser (readings_parser.hpp) and the entry points over it: parse_readings_csv for a text
// in memory and read_readings_csv for a file read through a bounded buffer. Both run the same code.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <unordered_map>

#include "csv_columns.hpp"
#include "kvant/io/csv_reader.hpp"
#include "kvant/model/validation.hpp"
#include "readings_parser.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

#if defined(__GNUC__)
#define KVANT_FLATTEN [[gnu::flatten]]
#else
#define KVANT_FLATTEN
#endif

namespace kvant {
inline namespace v0 {
namespace detail {

std::uint64_t row_lines::operator[](std::size_t row) const noexcept {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), row,
                               [](std::size_t r, const run& x) { return r < x.row; });
    --it;  // row 0 is in the first run
    return it->line + (row - it->row) / it->per;
}

std::vector<std::uint64_t> row_lines::expand() const {
    std::vector<std::uint64_t> out;
    out.reserve(rows_);
    for (std::size_t k = 0; k < runs_.size(); ++k) {
        const std::uint64_t end = k + 1 < runs_.size() ? runs_[k + 1].row : rows_;
        for (std::uint64_t r = runs_[k].row; r < end; ++r)
            out.push_back(runs_[k].line + (r - runs_[k].row) / runs_[k].per);
    }
    return out;
}

namespace {

// byte classes of the record splitter
enum : std::uint8_t { plain = 0, odd = 1, delim = 2, cr = 3, lf = 4, quote = 5 };

constexpr std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return std::int64_t{era} * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

/// `YYYY-MM-DDTHH:MM:SSZ` within 1970..2099, the form files written by machines use; false for anything
/// else (the general parser then decides, with its exact error). The date of the last call is remembered:
/// consecutive rows mostly share it.
inline bool fast_utc(std::string_view s, std::int64_t& out, date_cache& c) noexcept {
    if (s.size() != 20 || s[19] != 'Z' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return false;
    const char* p = s.data();
    const auto d = [&](std::size_t i) {
        return static_cast<unsigned>(static_cast<unsigned char>(p[i]) - '0');
    };
    if (!c.set || std::memcmp(p, c.text, 10) != 0) {
        if (p[4] != '-' || p[7] != '-') return false;
        for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
            if (d(i) > 9) return false;
        const int y = static_cast<int>(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3));
        const unsigned mo = d(5) * 10 + d(6), day = d(8) * 10 + d(9);
        if (y < 1970 || y > 2099 || !valid_ymd(y, static_cast<int>(mo), static_cast<int>(day))) return false;
        std::memcpy(c.text, p, 10);
        c.base = days_from_civil(y, mo, day) * 86400;
        c.set = true;
    }
    const unsigned h1 = d(11), h2 = d(12), m1 = d(14), m2 = d(15), s1 = d(17), s2 = d(18);
    if (h1 > 9 || h2 > 9 || m1 > 9 || m2 > 9 || s1 > 9 || s2 > 9) return false;
    const unsigned h = h1 * 10 + h2, mi = m1 * 10 + m2, se = s1 * 10 + s2;
    if (h > 23 || mi > 59 || se > 59) return false;
    out = c.base + h * 3600 + mi * 60 + se;
    return true;
}

/// `[-]digits[.digits]` with at most 12 integer and 6 fraction digits, as raw millionths; false for
/// anything else (decimal::try_parse then decides, with its exact error).
inline bool fast_decimal(std::string_view s, std::int64_t& out) noexcept {
    const char* p = s.data();
    const char* end = p + s.size();
    const bool neg = p < end && *p == '-';
    p += neg;
    int int_digits = 0;  // more than 12: the general parser (leading zeros, or an overflow)
    std::int64_t ip = 0;
    while (p < end && static_cast<unsigned>(*p - '0') <= 9) {
        if (++int_digits > 12) return false;
        ip = ip * 10 + (*p++ - '0');
    }
    if (int_digits == 0) return false;
    std::int64_t fp = 0;
    int frac = 0;
    if (p < end && *p == '.') {
        ++p;
        while (p < end && static_cast<unsigned>(*p - '0') <= 9 && frac < 6) {
            fp = fp * 10 + (*p++ - '0');
            ++frac;
        }
        if (frac == 0) return false;
    }
    if (p != end) return false;
    static constexpr std::int64_t pow10[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
    const std::int64_t raw = ip * 1'000'000 + fp * pow10[frac];
    out = neg ? -raw : raw;
    return true;
}

/// Whether two short texts are equal, without a library call for the usual serials of up to 16 bytes.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    const std::size_t n = a.size();
    if (n >= 8 && n <= 16) {
        std::uint64_t x0, y0, x1, y1;
        std::memcpy(&x0, a.data(), 8);
        std::memcpy(&y0, b.data(), 8);
        std::memcpy(&x1, a.data() + n - 8, 8);
        std::memcpy(&y1, b.data() + n - 8, 8);
        return ((x0 ^ y0) | (x1 ^ y1)) == 0;
    }
    return a == b;
}

/// Asks for transparent huge pages (Linux, THP in madvise mode) on the first `rows` rows of a column: one
/// page fault a 2 MiB page instead of one a 4 KiB page. Only whole huge pages are advised, so the column's
/// unused capacity stays unbacked.
template <class T>
void advise_huge(const std::vector<T>& v, std::size_t rows) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    constexpr std::uintptr_t huge = std::uintptr_t{2} << 20;
    const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
    const std::uintptr_t end = begin + std::min(rows, v.capacity()) * sizeof(T);
    const std::uintptr_t first = (begin + huge - 1) & ~(huge - 1), last = end & ~(huge - 1);
    if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
#else
    (void)v;
    (void)rows;
#endif
}

}  // namespace

readings_parser::readings_parser(std::string source, const import_options& o)
    : source_(std::move(source)), o_(o) {
    for (int c = 0; c < 256; ++c) cls_[static_cast<std::size_t>(c)] = c < 0x20 || c >= 0x7f ? odd : plain;
    cls_['\r'] = cr;
    cls_['\n'] = lf;
    cls_['"'] = quote;
    cls_[static_cast<unsigned char>(o_.delimiter)] = delim;
    o_.progress = nullptr;  // the driver reports progress, not the parser
}

std::string readings_parser::field_name(std::size_t i) const {
    return i < names_.size() ? names_[i] : "column " + std::to_string(i + 1);
}

void readings_parser::syntax(const char* what, std::size_t offset_in_line) const {
    throw parse_error(errc::csv_syntax, what,
                      location{source_, record_line_, "", static_cast<std::int64_t>(offset_in_line)});
}

void readings_parser::mark_block(const std::uint8_t* cls, const char* b, std::size_t n, std::size_t base) {
    char pad[64];
    const char* p = b + base;
    if (base + 64 > n) {  // the last, partial block: padded with a plain byte
        std::memset(pad, 'a', sizeof pad);
        std::memcpy(pad, p, n - base);
        p = pad;
    }
    std::uint64_t stop = 0, strange = 0;
#if defined(__SSE2__)
    const __m128i vd = _mm_set1_epi8(o_.delimiter), vl = _mm_set1_epi8('\n'), vr = _mm_set1_epi8('\r'),
                  vq = _mm_set1_epi8('"'), v20 = _mm_set1_epi8(0x20), v7f = _mm_set1_epi8(0x7f);
    for (int k = 0; k < 4; ++k) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
        const __m128i st = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vd), _mm_cmpeq_epi8(v, vl)),
                                        _mm_or_si128(_mm_cmpeq_epi8(v, vr), _mm_cmpeq_epi8(v, vq)));
        // signed compare: bytes 0x80..0xFF are negative, so below 0x20 too
        const __m128i od = _mm_or_si128(_mm_cmplt_epi8(v, v20), _mm_cmpeq_epi8(v, v7f));
        stop |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(st))} << (16 * k);
        strange |= std::uint64_t{static_cast<std::uint16_t>(_mm_movemask_epi8(od))} << (16 * k);
    }
#else
    for (int i = 0; i < 64; ++i) {
        const std::uint8_t c = cls[static_cast<unsigned char>(p[i])];
        if (c == odd) strange |= std::uint64_t{1} << i;
        if (c >= delim) stop |= std::uint64_t{1} << i;
    }
#endif
    (void)cls;
    block_ = base;
    block_stop_ = stop;
    block_strange_ = strange & ~stop;
}

std::size_t readings_parser::next_stop(const std::uint8_t* cls, const char* b, std::size_t n, std::size_t pos,
                                       bool& check) {
    while (pos < n) {
        const std::size_t base = pos & ~std::size_t{63};
        if (base != block_) mark_block(cls, b, n, base);
        const unsigned shift = static_cast<unsigned>(pos - base);
        const std::uint64_t m = block_stop_ >> shift, od = block_strange_ >> shift;
        if (m) {
            const int k = std::countr_zero(m);
            if (k > 0 && (od << (64 - k))) check = true;  // a strange byte before the stop
            return pos + static_cast<std::size_t>(k);
        }
        if (od) check = true;
        pos = base + 64;
    }
    return n;
}

void readings_parser::check_field(std::string_view v, std::size_t i) const {
    if (auto p = check_text(v))
        throw parse_error(
            errc::invalid_text, p->reason + " in " + excerpt(v),
            location{source_, record_line_, field_name(i), static_cast<std::int64_t>(p->offset)});
}

void readings_parser::bad_number(std::string_view text, decimal_status st, const std::string& field) const {
    throw parse_error(errc::invalid_number, excerpt(text) + ": " + std::string(describe(st)), where(field));
}

void readings_parser::implausible(std::int64_t raw, const channel& ch, const std::string& field) const {
    const decimal d = decimal::from_raw(raw);
    throw validation_error(errc::out_of_range,
                           (wide_ ? "register value " : "value of " + to_string(ch) + " ") + to_string(d) +
                               " is outside " + plausible_range_text(ch),
                           where(field));
}

bool readings_parser::fast_record(std::string_view buf, std::size_t& pos_io) {
    // The usual record: unquoted fields, as many as the header's, ending in LF within the buffer. Anything
    // else (a quote, CR, a blank line, a short record, the end of the buffer) is left to split().
    const char* b = buf.data();
    const std::size_t n = buf.size();
    std::size_t pos = pos_io;
    if (pos >= n || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '"') return false;
    const std::size_t cols = names_.size();
    f_.resize(cols);
    record_line_ = line_;
    for (std::size_t k = 0; k < cols; ++k) {
        bool check = false;
        const std::size_t stop = next_stop(cls_.data(), b, n, pos, check);
        if (stop >= n) return false;
        const char c = b[stop];
        if (c != (k + 1 < cols ? o_.delimiter : '\n')) return false;
        f_[k] = std::string_view(b + pos, stop - pos);
        if (check || f_[k].size() > max_text_bytes) [[unlikely]]
            check_field(f_[k], k);
        pos = stop + 1;
    }
    ++line_;
    pos_io = pos;
    return true;
}

std::uint32_t readings_parser::new_meter(std::string_view serial) {
    last_slot_ = table_.meter_slot(serial);
    last_serial_.assign(serial);
    return last_slot_;
}

// flattened: the timestamp, the push and the line bookkeeping inlined into the one loop body
KVANT_FLATTEN bool readings_parser::lean_record(std::string_view buf, std::size_t& pos_io) {
    const char* b = buf.data();
    const std::size_t n = buf.size();
    std::size_t pos = pos_io;
    const char delim = o_.delimiter;
    // the meter: most often the last row's
    std::uint32_t m = last_slot_;
    const std::size_t ls = last_serial_.size();
    if (last_slot_ != no_slot && pos + ls < n && b[pos + ls] == delim &&
        same_text(std::string_view(b + pos, ls), last_serial_)) [[likely]] {
        pos += ls + 1;
    } else {
        const std::size_t start = pos;
        // printable ASCII but the quote (the text check passes it as it is), at most 64 bytes
        while (pos < n && pos - start <= 64) {
            const auto c = static_cast<unsigned char>(b[pos]);
            if (c == static_cast<unsigned char>(delim)) break;
            if (c < 0x20 || c >= 0x7f || c == '"') return false;
            ++pos;
        }
        if (pos >= n || b[pos] != delim || pos == start || pos - start > 64) return false;
        m = no_slot;
        ++pos;
    }
    const std::size_t serial_end = pos - 1;
    // the timestamp: `YYYY-MM-DDTHH:MM:SSZ`
    if (pos + 20 >= n || b[pos + 20] != delim) return false;
    std::int64_t t = 0;
    if (!fast_utc(std::string_view(b + pos, 20), t, dates_)) return false;
    if (t < plausible_first_unix || t >= plausible_end_unix) return false;
    pos += 21;
    // the value: `[-]digits[.digits]`, at most 12 integer and 6 fraction digits, then LF
    const bool neg = pos < n && b[pos] == '-';
    pos += neg;
    std::int64_t ip = 0;
    std::size_t digits = 0;
    while (pos < n && static_cast<unsigned>(b[pos] - '0') <= 9) {
        if (++digits > 12) return false;
        ip = ip * 10 + (b[pos++] - '0');
    }
    if (digits == 0) return false;
    std::int64_t fp = 0;
    int frac = 0;
    if (pos < n && b[pos] == '.') {
        ++pos;
        while (pos < n && static_cast<unsigned>(b[pos] - '0') <= 9) {
            if (++frac > 6) return false;
            fp = fp * 10 + (b[pos++] - '0');
        }
        if (frac == 0) return false;
    }
    if (pos >= n || b[pos] != '\n') return false;
    static constexpr std::int64_t pow10[] = {1'000'000, 100'000, 10'000, 1'000, 100, 10, 1};
    std::int64_t raw = ip * 1'000'000 + fp * pow10[frac];
    if (neg) raw = -raw;
    const std::uint16_t slot = wide_slot_[0];
    if (!plausible_value(table_.channels()[slot], raw)) return false;
    if (m == no_slot) m = new_meter(std::string_view(b + pos_io, serial_end - pos_io));
    table_.push(m, slot, t, raw);
    note_run(m, slot, t);
    record_line_ = line_;
    lines_.add(line_++, 1);
    pos_io = pos + 1;
    return true;
}

bool readings_parser::split(std::string_view buf, std::size_t& pos_io, bool eof) {
    const std::uint8_t* cls = cls_.data();
    const char* b = buf.data();
    const std::size_t n = buf.size();
    std::size_t pos = pos_io;
    // blank lines (complete by themselves)
    while (pos < n && (b[pos] == '\n' || b[pos] == '\r')) {
        if (b[pos] == '\n') ++line_;
        ++pos;
    }
    pos_io = pos;
    if (pos >= n) return false;
    record_line_ = line_;
    std::uint64_t line = line_;
    const std::size_t line_start = pos;
    f_.clear();
    const auto push = [&](std::string_view v, bool check) {
        if (check || v.size() > max_text_bytes) [[unlikely]]
            check_field(v, f_.size());
        f_.push_back(v);
    };
    for (;;) {
        if (pos >= n) {  // after a delimiter at the end of the text: one more empty field
            if (!eof) return false;
            push({}, false);
            break;
        }
        if (b[pos] == '"') {
            const std::size_t open = pos++;
            bool doubled = false;
            std::size_t q = 0;
            for (;;) {
                const void* hit = pos < n ? std::memchr(b + pos, '"', n - pos) : nullptr;
                if (!hit) {
                    if (!eof) return false;
                    syntax("unterminated quoted field", open - line_start);
                }
                q = static_cast<std::size_t>(static_cast<const char*>(hit) - b);
                if (q + 1 >= n && !eof) return false;  // a doubled quote or the end of the field?
                if (q + 1 < n && b[q + 1] == '"') {
                    doubled = true;
                    pos = q + 2;
                    continue;
                }
                break;
            }
            std::string_view raw(b + open + 1, q - open - 1);
            line += static_cast<std::uint64_t>(std::count(raw.begin(), raw.end(), '\n'));
            if (doubled) {
                if (unquoted_.size() <= f_.size()) unquoted_.resize(f_.size() + 1);
                std::string& u = unquoted_[f_.size()];
                u.clear();
                for (std::size_t i = 0; i < raw.size(); ++i) {
                    u += raw[i];
                    if (raw[i] == '"') ++i;  // the second of a doubled quote
                }
                raw = u;
            }
            pos = q + 1;
            if (pos < n && cls[static_cast<unsigned char>(b[pos])] != delim && b[pos] != '\n' &&
                b[pos] != '\r')
                syntax("text after a closing quote", pos - line_start);
            if (pos >= n && !eof) return false;
            push(raw, true);
        } else {
            const std::size_t start = pos;
            bool check = false;
            pos = next_stop(cls, b, n, pos, check);
            if (pos < n && b[pos] == '"')
                syntax("a quote inside an unquoted field (quote the whole field)", pos - line_start);
            if (pos >= n && !eof) return false;
            push(std::string_view(b + start, pos - start), check);
        }
        if (pos >= n) break;  // the last record, without a line end
        if (cls[static_cast<unsigned char>(b[pos])] == delim) {
            ++pos;
            continue;
        }
        // the end of the record
        if (b[pos] == '\r') {
            if (pos + 1 >= n && !eof) return false;
            ++pos;
        }
        if (pos < n && b[pos] == '\n') ++pos;
        ++line;
        break;
    }
    pos_io = pos;
    line_ = line;
    return true;
}

void readings_parser::header(std::uint64_t total_bytes) {
    const auto& cols = columns_of(table_kind::readings);
    const csv_header h(f_, where(""), cols.all, cols.required);
    names_ = h.names();
    static constexpr std::string_view known[] = {"meter", "timestamp", "channel", "value",  "total",   "t1",
                                                 "t2",    "t3",        "t4",      "source", "accepted"};
    col_.clear();
    for (auto k : known) col_.push_back(h.index(k));
    if (col_[c_channel] >= 0) {  // the long layout
        wide_ = false;
        for (int c = c_total; c <= c_t4; ++c)
            if (col_[c] >= 0)
                throw parse_error(
                    errc::csv_header,
                    "a long file (with a 'channel' column) has its values in 'value'; total and "
                    "t1..t4 are the wide layout's columns",
                    where(names_[static_cast<std::size_t>(col_[c])]));
        if (col_[c_value] < 0)
            throw parse_error(errc::csv_header,
                              "a long file (with a 'channel' column) needs a 'value' column", where("value"));
    } else {
        wide_ = true;
        if (col_[c_value] >= 0 && col_[c_total] >= 0)
            throw parse_error(errc::csv_header, "both 'value' and 'total' name the total register; keep one",
                              where("value"));
        if (col_[c_value] >= 0) col_[c_total] = col_[c_value];
        bool any = false;
        for (int c = c_total; c <= c_t4; ++c) any = any || col_[c] >= 0;
        if (!any)
            throw parse_error(errc::csv_header, "no register column (value, total or t1..t4)", where(""));
        for (int r = 0; r < 5; ++r) {
            wide_slot_[r] =
                table_.channel_slot(channel::of(quantity::active_import, static_cast<register_id>(r)));
            if (col_[c_total + r] >= 0)
                registers_.push_back({static_cast<std::size_t>(col_[c_total + r]), r});
        }
        lean_ = names_.size() == 3 && col_[c_meter] == 0 && col_[c_time] == 1 && registers_.size() == 1 &&
                registers_[0].first == 2 && registers_[0].second == 0 &&
                std::string_view(",;\t|").find(o_.delimiter) != std::string_view::npos;
    }
    // Size the columns once, from the least bytes a record can take: a meter, a 16-byte timestamp, a value
    // (and a channel), the delimiters and a line end. Pages never written are never resident.
    if (total_bytes > 0) {
        const std::uint64_t min_record = names_.size() + 18 + (wide_ ? 0 : 1);
        std::uint64_t per = 1;
        if (wide_) {
            per = 0;
            for (int c = c_total; c <= c_t4; ++c) per += col_[c] >= 0 ? 1 : 0;
        }
        std::size_t rows = static_cast<std::size_t>((total_bytes / min_record + 1) * per);
        if (sink_) rows = std::min(rows, batch_rows_ + 4);
        table_.reserve(rows);
    }
    header_done_ = true;
}

void readings_parser::flush() {
    std::vector<std::string> field_of_slot(table_.channels().size(), "value");
    if (wide_)
        for (int r = 0; r < 5; ++r)
            if (col_[c_total + r] >= 0)
                field_of_slot[wide_slot_[r]] = names_[static_cast<std::size_t>(col_[c_total + r])];
    if (!runs_ok_) refuse_conflicting_repeats(table_, lines_, source_, field_of_slot, !wide_);
    table_.grouped_ = runs_ok_ ? 1 : 0;  // exactly grouped()'s rule, so that nobody passes over it again
    if (!sink_) return;
    flushed_ += table_.size();
    sink_(table_, lines_, wide_);
    // a fresh batch, with the wide channels in the same slots
    table_ = reading_table{};
    lines_ = row_lines{};
    runs_ok_ = true;
    run_meter_ = ~std::uint32_t{0};
    runs_seen_.clear();
    last_slot_ = no_slot;
    channels_.clear();
    last_channel_slot_ = 0xffff;
    if (wide_)
        for (int r = 0; r < 5; ++r)
            wide_slot_[r] =
                table_.channel_slot(channel::of(quantity::active_import, static_cast<register_id>(r)));
    table_.reserve(batch_rows_ + 4);
}

std::uint16_t readings_parser::channel_slot(std::string_view text) {
    if (last_channel_slot_ != 0xffff && text == last_channel_text_) return last_channel_slot_;
    auto it = channels_.find(std::string(text));
    if (it == channels_.end()) {
        const channel c = parse_channel(text, where("channel"));
        it = channels_.emplace(std::string(text), table_.channel_slot(c)).first;
    }
    last_channel_text_.assign(text);
    return last_channel_slot_ = it->second;
}

void readings_parser::row() {
    if (f_.size() != names_.size())
        throw parse_error(errc::csv_syntax,
                          "expected " + std::to_string(names_.size()) + " fields as in the header, found " +
                              std::to_string(f_.size()),
                          where(""));
    const auto cell = [&](int c) {
        return col_[c] >= 0 ? f_[static_cast<std::size_t>(col_[c])] : std::string_view{};
    };
    const std::string_view serial = f_[static_cast<std::size_t>(col_[c_meter])];
    if (serial.empty()) throw parse_error(errc::missing_field, "meter is empty", where("meter"));
    std::int64_t t = 0;
    const std::string_view ts = f_[static_cast<std::size_t>(col_[c_time])];
    if (!fast_utc(ts, t, dates_)) {
        instant at;
        if (const auto st = try_parse_instant(ts, at, o_.default_offset_minutes); st != time_status::ok)
            throw parse_error(errc::invalid_timestamp, excerpt(ts) + ": " + std::string(describe(st)),
                              where("timestamp"));
        t = to_unix(at);
    }
    const auto value_of = [&](std::string_view text, const channel& ch, const std::string& field) {
        std::int64_t raw = 0;
        if (!fast_decimal(text, raw)) [[unlikely]] {
            decimal d;
            if (const auto st = decimal::try_parse(text, d); st != decimal_status::ok)
                bad_number(text, st, field);
            raw = d.raw();
        }
        if (!plausible_value(ch, raw)) [[unlikely]]
            implausible(raw, ch, field);
        return raw;
    };
    std::int64_t v[5];
    std::uint16_t slot = 0;
    std::uint32_t n = 0;
    if (!wide_) {
        const std::string_view ct = f_[static_cast<std::size_t>(col_[c_channel])];
        if (ct.empty()) throw parse_error(errc::missing_field, "channel is empty", where("channel"));
        slot = channel_slot(ct);
        const std::string_view vt = f_[static_cast<std::size_t>(col_[c_value])];
        if (vt.empty()) throw parse_error(errc::missing_field, "value is empty", where("value"));
        v[0] = value_of(vt, table_.channels()[slot], "value");
        n = 1;
    } else {
        for (const auto& [c, r] : registers_) {
            v[r] = decimal::missing_raw;
            const std::string_view x = f_[c];
            if (x.empty()) continue;
            v[r] = value_of(x, table_.channels()[wide_slot_[r]], names_[c]);
            ++n;
        }
        if (n == 0) {
            int first = c_total;
            while (col_[first] < 0) ++first;
            throw validation_error(errc::validation, "a reading needs at least one register value",
                                   where(names_[static_cast<std::size_t>(col_[first])]));
        }
    }
    // the plausible range of every reading (model/validation.hpp): checked here, where file, line and field
    // are known, for an import and for a report read straight from a file alike
    if (t < plausible_first_unix || t >= plausible_end_unix)
        throw validation_error(
            errc::out_of_range,
            to_string(from_unix(t)) + " is outside 1970-01-01T00:00:00Z..2099-12-31T23:59:59Z",
            where("timestamp"));
    reading_source src = reading_source::automatic;
    if (const auto s = cell(c_source); !s.empty()) src = reading_source_text.parse(s, where("source"));
    std::int64_t acc = reading_table::missing_time;
    if (const auto a = cell(c_accepted); !a.empty()) {
        if (!fast_utc(a, acc, dates_))
            acc = to_unix(parse_instant(a, where("accepted"), o_.default_offset_minutes));
        if (acc < plausible_first_unix || acc >= plausible_end_unix)
            throw validation_error(
                errc::out_of_range,
                to_string(from_unix(acc)) + " is outside 1970-01-01T00:00:00Z..2099-12-31T23:59:59Z",
                where("accepted"));
    }
    if (!same_text(serial, last_serial_) || last_slot_ == no_slot) [[unlikely]] {
        last_slot_ = table_.meter_slot(serial);
        last_serial_.assign(serial);
    }
    const std::uint32_t m = last_slot_;
    if (!wide_) {
        table_.push(m, slot, t, v[0], src, acc);
        note_run(m, slot, t);
    } else {
        for (const auto& [c, r] : registers_)
            if (v[r] != decimal::missing_raw) {
                table_.push(m, wide_slot_[r], t, v[r], src, acc);
                note_run(m, wide_slot_[r], t);
            }
    }
    lines_.add(record_line_, n);
}

std::size_t readings_parser::feed(std::string_view buf, bool eof, std::uint64_t total_bytes) {
    std::size_t pos = 0;
    block_ = no_block;  // the block marks are of the last buffer
    if (first_piece_) {
        if (buf.size() < 3 && !eof && std::string_view("\xEF\xBB\xBF").starts_with(buf)) return 0;
        first_piece_ = false;
        if (buf.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
    }
    while (true) {
        if (lean_ && lean_record(buf, pos)) {
            if (sink_ && table_.size() >= batch_rows_) flush();
            continue;
        }
        if (!header_done_ || !fast_record(buf, pos)) {
            if (!split(buf, pos, eof)) break;
            if (!header_done_) {
                header(total_bytes);
                continue;
            }
        }
        row();
        if (sink_ && table_.size() >= batch_rows_) flush();
    }
    consumed_ += pos;
    // Once the first rows tell the bytes a row, the rows the whole file will give are known closely: their
    // part of each column gets huge pages (a tenth of a million page faults fewer on 100 MB), the rest of the
    // reserve none, so that no page is backed that the table will not use.
    if (!advised_ && !sink_ && total_bytes > consumed_ && table_.size() >= 4096) {
        advised_ = true;
        const double per_row = static_cast<double>(consumed_) / static_cast<double>(table_.size());
        const auto rows = static_cast<std::size_t>(static_cast<double>(total_bytes) / per_row * 0.95);
        advise_huge(table_.meter_index(), rows);
        advise_huge(table_.channel_index(), rows);
        advise_huge(table_.times(), rows);
        advise_huge(table_.values(), rows);
    }
    return pos;
}

void readings_parser::finish() {
    if (!header_done_)
        throw parse_error(errc::csv_header, "empty file: expected a header row",
                          location{source_, 1, "", -1});
    if (!sink_ || !table_.empty()) flush();
}

void refuse_conflicting_repeats(const reading_table& t, const row_lines& lines, const std::string& source,
                                const std::vector<std::string>& field_of_slot, bool name_channel) {
    const auto& slot = t.meter_index();
    const auto& chan = t.channel_index();
    const auto& time = t.times();
    {  // rows in time order per series (the usual case) are checked in one pass without sorting
        std::vector<std::int64_t> last_dense;
        std::unordered_map<std::size_t, std::int64_t> last_sparse;
        const bool dense = t.dense_series_keys();
        if (dense) last_dense.assign(t.series_keys(), std::numeric_limits<std::int64_t>::min());
        bool ordered = true;
        for (std::size_t i = 0; i < t.size() && ordered; ++i) {
            auto& l = dense
                          ? last_dense[t.series_key(i)]
                          : last_sparse.try_emplace(t.series_key(i), std::numeric_limits<std::int64_t>::min())
                                .first->second;
            ordered = time[i] > l;
            l = time[i];
        }
        if (ordered) return;
    }
    std::vector<std::uint32_t> order(t.size());
    std::iota(order.begin(), order.end(), std::uint32_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        if (slot[a] != slot[b]) return slot[a] < slot[b];
        if (chan[a] != chan[b]) return chan[a] < chan[b];
        return time[a] < time[b];
    });
    for (std::size_t k = 1; k < order.size(); ++k) {
        const std::size_t a = order[k - 1], b = order[k];
        if (slot[a] != slot[b] || chan[a] != chan[b] || time[a] != time[b]) continue;
        std::string field;
        if (t.values()[a] != t.values()[b]) field = field_of_slot[chan[a]];
        if (field.empty() && t.source(a) != t.source(b)) field = "source";
        if (field.empty() && t.accepted_at(a) != t.accepted_at(b)) field = "accepted";
        if (field.empty()) continue;  // an identical repeat
        const std::string what = (name_channel ? "value of " + to_string(t.channel_of(a)) + " of meter "
                                               : std::string("reading of meter ")) +
                                 excerpt(t.meters()[slot[a]]) + " at ";
        conflicting_repeat(what + to_string(from_unix(time[a])), location{source, lines[a], "", -1},
                           location{source, lines[b], "", -1}, field);
    }
}

parsed_readings parse_readings_text(std::string_view text, const std::string& source,
                                    const import_options& o) {
    readings_parser p(source, o);
    p.feed(text, true, text.size());
    p.finish();
    if (o.progress) o.progress({p.rows(), text.size(), text.size()});
    return {std::move(p.table()), std::move(p.lines()), p.wide()};
}

parsed_readings parse_readings_file(const std::filesystem::path& file, const import_options& o,
                                    const batch_sink& sink, std::size_t batch_rows) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.string().c_str(), "rb"), &std::fclose);
    if (!f) throw storage_error(errc::storage_io, "cannot read " + file.string());
    std::error_code ec;
    std::uint64_t total =
        std::filesystem::is_regular_file(file, ec) ? std::filesystem::file_size(file, ec) : 0;
    if (ec) total = 0;
    std::size_t cap = std::max<std::size_t>(o.read_buffer_bytes, 1);
    std::unique_ptr<char[]> buf(new char[cap]);  // never zero-filled
    std::size_t have = 0;
    std::uint64_t done = 0;
    bool eof = false;
    readings_parser p(file.string(), o);
    if (sink) p.set_sink(sink, batch_rows);
    while (true) {
        const std::size_t want = cap - have;
        const std::size_t got = std::fread(buf.get() + have, 1, want, f.get());
        have += got;
        if (got < want) {
            if (std::ferror(f.get()))
                throw storage_error(errc::storage_io, "error while reading " + file.string());
            eof = true;
        }
        const std::size_t used = p.feed(std::string_view(buf.get(), have), eof, total);
        done += used;
        if (o.progress) o.progress({p.rows(), done, total});
        if (eof) break;
        std::memmove(buf.get(), buf.get() + used, have - used);
        have -= used;
        if (have == cap) {  // one record longer than the buffer: grow it
            std::unique_ptr<char[]> bigger(new char[cap * 2]);
            std::memcpy(bigger.get(), buf.get(), have);
            buf = std::move(bigger);
            cap *= 2;
        }
    }
    p.finish();
    return {std::move(p.table()), std::move(p.lines()), p.wide()};
}

}  // namespace detail

reading_table parse_readings_csv(std::string_view text, const std::string& source, const import_options& o,
                                 std::vector<std::uint64_t>* lines, bool* wide) {
    auto r = detail::parse_readings_text(text, source, o);
    if (lines) *lines = r.lines.expand();
    if (wide) *wide = r.wide;
    return std::move(r.table);
}

reading_table read_readings_csv(const std::filesystem::path& file, const import_options& o, bool* wide) {
    auto r = detail::parse_readings_file(file, o);
    if (wide) *wide = r.wide;
    return std::move(r.table);
}

}  // namespace v0
}  // namespace kvant
