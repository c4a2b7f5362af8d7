// Internal: the one readings CSV parser. It takes the text in pieces (a file read through a bounded buffer,
// or a whole text in memory as a single piece), so that a file is never held whole, and builds the
// reading_table column by column with no allocation per cell: records are split by a byte-class table with
// the text check of core/text.hpp folded in (only a field holding a control or non-ASCII byte, or a long
// one, is checked in full); timestamps `YYYY-MM-DDTHH:MM:SSZ` within 1970..2099 are parsed by a
// specialised routine, every other form by try_parse_instant; meters and channels are dictionary-encoded.
// A `meter,timestamp,value` file (delimiter , ; TAB or |) takes a one-pass path for its usual records
// (printable ASCII serial, that timestamp form, a plain decimal, LF); any other record, and every error, is
// the general path's.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "kvant/io/csv.hpp"

namespace kvant {
inline namespace v0 {
namespace detail {

/// The line of each row, kept compactly: runs of records on consecutive lines that gave the same number of
/// rows. A regular file is one run, whatever its size.
class row_lines {
  public:
    void add(std::uint64_t line, std::uint32_t rows) {
        if (rows == 0) return;
        if (!runs_.empty() && runs_.back().per == rows && line == last_line_ + 1) {
            rows_ += rows;
            last_line_ = line;
            return;
        }
        runs_.push_back({rows_, line, rows});
        rows_ += rows;
        last_line_ = line;
    }
    /// The line of row `row` (< size()).
    std::uint64_t operator[](std::size_t row) const noexcept;
    std::size_t size() const noexcept { return rows_; }
    std::vector<std::uint64_t> expand() const;

  private:
    struct run {
        std::uint64_t row;   // the first row of the run
        std::uint64_t line;  // its line
        std::uint32_t per;   // rows a record
    };
    std::vector<run> runs_;
    std::uint64_t rows_ = 0;
    std::uint64_t last_line_ = 0;
};

/// The date of the last `YYYY-MM-DDTHH:MM:SSZ` timestamp parsed, and its Unix seconds at midnight.
struct date_cache {
    char text[10] = {};
    std::int64_t base = 0;
    bool set = false;
};

/// Takes a batch of rows (a table of its own, meters and channels included), the lines of its rows and
/// whether the file is wide.
using batch_sink = std::function<void(reading_table&, row_lines&, bool)>;

class readings_parser {
  public:
    readings_parser(std::string source, const import_options& o);
    /// Hands the rows to `sink` in batches of about `rows` (each checked by the repeat rule within itself)
    /// instead of keeping them all.
    void set_sink(batch_sink sink, std::size_t rows) {
        sink_ = std::move(sink);
        batch_rows_ = std::max<std::size_t>(rows, 1);
    }

    /// Parses the complete records of `buf` and returns the bytes consumed; the rest (an incomplete last
    /// record) must be given again, followed by more text. `eof`: no text follows `buf`.
    /// `total_bytes` (when known, else 0) sizes the columns once the header is read.
    std::size_t feed(std::string_view buf, bool eof, std::uint64_t total_bytes);
    /// The checks that need every row (the repeat rule); call once after the last feed.
    void finish();

    reading_table& table() noexcept { return table_; }
    row_lines& lines() noexcept { return lines_; }
    bool wide() const noexcept { return wide_; }
    /// The rows parsed so far (those handed to the sink included).
    std::uint64_t rows() const noexcept { return flushed_ + table_.size(); }
    std::uint64_t line() const noexcept { return line_; }

  private:
    enum : int { c_meter, c_time, c_channel, c_value, c_total, c_t1, c_t2, c_t3, c_t4, c_source, c_accepted };
    bool split(std::string_view buf, std::size_t& pos, bool eof);
    bool fast_record(std::string_view buf, std::size_t& pos);
    // The whole of the usual record of a `meter,timestamp,value` file in one pass, parsed and pushed; false
    // (nothing done) for anything it does not take, which the general path then parses with its checks.
    bool lean_record(std::string_view buf, std::size_t& pos);
    [[gnu::noinline]] std::uint32_t new_meter(std::string_view serial);  // the slot of a new row's meter
    bool lean_ = false;  // the file is `meter,timestamp,value` (or total) with nothing else
    // The structural bytes of the buffer, 64 at a time: a bit a delimiter, line end or quote (stop) and a
    // bit a control or non-ASCII byte (strange: its field gets the full text check).
    void mark_block(const std::uint8_t* cls, const char* b, std::size_t n, std::size_t base);
    std::size_t next_stop(const std::uint8_t* cls, const char* b, std::size_t n, std::size_t pos,
                          bool& check);
    static constexpr std::size_t no_block = ~std::size_t{0};
    std::size_t block_ = no_block;
    std::array<std::uint8_t, 256> cls_{};  // the class of each byte for the splitter
    std::uint64_t block_stop_ = 0, block_strange_ = 0;
    void header(std::uint64_t total_bytes);
    void row();
    void flush();
    std::string field_name(std::size_t i) const;
    [[noreturn]] void bad_number(std::string_view text, decimal_status st, const std::string& field) const;
    [[noreturn]] void implausible(std::int64_t raw, const channel& ch, const std::string& field) const;
    void check_field(std::string_view v, std::size_t i) const;
    [[noreturn]] void syntax(const char* what, std::size_t offset_in_line) const;
    location where(std::string field) const { return location{source_, record_line_, std::move(field), -1}; }
    std::uint16_t channel_slot(std::string_view text);

    std::string source_;
    import_options o_;
    bool header_done_ = false;
    bool wide_ = true;
    bool first_piece_ = true;
    std::uint64_t line_ = 1;
    std::uint64_t record_line_ = 0;
    std::vector<std::string_view> f_;
    std::vector<std::string> unquoted_;  // one per column, reused
    std::vector<std::string> names_;
    std::vector<int> col_;  // column index of each known name (-1: absent)
    reading_table table_;
    row_lines lines_;
    std::uint16_t wide_slot_[5] = {};
    std::vector<std::pair<std::size_t, int>> registers_;  // a wide file's register columns: (column, tariff)
    static constexpr std::uint32_t no_slot = ~std::uint32_t{0};
    std::string last_serial_;  // the meter of the last row, and its slot
    std::uint32_t last_slot_ = no_slot;
    std::unordered_map<std::string, std::uint16_t> channels_;
    std::string last_channel_text_;
    date_cache dates_;
    batch_sink sink_;
    std::size_t batch_rows_ = 0;
    std::uint64_t flushed_ = 0;
    std::uint64_t consumed_ = 0;  // bytes of the text parsed by earlier feeds
    bool advised_ = false;
    // Whether the rows of the batch came as runs, one a (meter, channel), each forward in time (what
    // reading_table::grouped() says): then no (meter, channel, time) repeats and the repeat rule has nothing
    // to check.
    bool runs_ok_ = true;
    std::uint32_t run_meter_ = ~std::uint32_t{0};
    std::uint16_t run_channel_ = 0;
    std::int64_t run_time_ = 0;
    std::unordered_set<std::uint64_t> runs_seen_;
    void note_run(std::uint32_t m, std::uint16_t ch, std::int64_t t) {
        if (!runs_ok_) return;
        if (m != run_meter_ || ch != run_channel_) [[unlikely]] {
            runs_ok_ = runs_seen_.insert(std::uint64_t{m} << 16 | ch).second;
            run_meter_ = m;
            run_channel_ = ch;
        } else if (t <= run_time_) {
            runs_ok_ = false;
        }
        run_time_ = t;
    }
    std::uint16_t last_channel_slot_ = 0xffff;
};

/// The one conflict rule of every table: the same key twice in one import with the same content is a repeat
/// (counted as unchanged, written once); with different content it is an error naming both places.
[[noreturn]] inline void conflicting_repeat(const std::string& what, const location& first, location again,
                                            std::string field) {
    again.field = std::move(field);
    throw validation_error(
        errc::duplicate, what + " is given twice with different values (first at " + first.to_string() + ")",
        std::move(again));
}

/// The rule for repeated readings keyed by (meter, channel, time): an identical repeat is kept (the store
/// counts it as unchanged); a repeat with another value, source or acceptance time is
/// validation_error(duplicate) naming both lines. `field_of_slot` names the value's field for each channel
/// slot ("value", or a wide file's register column); `name_channel` names the channel in the message.
void refuse_conflicting_repeats(const reading_table& t, const row_lines& lines, const std::string& source,
                                const std::vector<std::string>& field_of_slot, bool name_channel);

struct parsed_readings {
    reading_table table;
    row_lines lines;
    bool wide = true;
};
/// A readings text in memory, parsed whole.
parsed_readings parse_readings_text(std::string_view text, const std::string& source,
                                    const import_options& o);
/// A readings file, read through a buffer of o.read_buffer_bytes (grown only for a longer record). With a
/// sink, the rows go to it in batches of `batch_rows` and the table returned is empty.
parsed_readings parse_readings_file(const std::filesystem::path& file, const import_options& o,
                                    const batch_sink& sink = {}, std::size_t batch_rows = 0);

}  // namespace detail
}  // namespace v0
}  // namespace kvant
