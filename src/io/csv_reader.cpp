#include "kvant/io/csv_reader.hpp"

#include <algorithm>

namespace kvant {
inline namespace v0 {

csv_reader::csv_reader(std::string_view text, std::string source, char delimiter)
    : text_(text), source_(std::move(source)), delim_(delimiter) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

void csv_reader::push(std::vector<std::string_view>& fields, std::string_view v) {
    if (auto p = check_text(v)) {
        const std::size_t i = fields.size();
        std::string field = i < names_.size() ? names_[i] : "column " + std::to_string(i + 1);
        throw parse_error(
            errc::invalid_text, p->reason + " in " + excerpt(v),
            location{source_, record_line_, std::move(field), static_cast<std::int64_t>(p->offset)});
    }
    fields.push_back(v);
}

bool csv_reader::next(std::vector<std::string_view>& fields) {
    fields.clear();
    unquoted_.clear();
    const std::size_t n = text_.size();
    // skip blank lines
    while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
        if (text_[pos_] == '\n') ++line_;
        ++pos_;
    }
    if (pos_ >= n) return false;
    record_line_ = line_;
    const std::size_t line_start = pos_;
    for (;;) {
        if (pos_ < n && text_[pos_] == '"') {
            // quoted field
            const std::size_t open = pos_++;
            std::size_t start = pos_;
            bool doubled = false;
            for (;;) {
                const std::size_t q = text_.find('"', pos_);
                if (q == std::string_view::npos)
                    throw parse_error(
                        errc::csv_syntax, "unterminated quoted field",
                        location{source_, record_line_, "", static_cast<std::int64_t>(open - line_start)});
                // count newlines inside the quotes so later line numbers stay right
                line_ += static_cast<std::uint64_t>(
                    std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                               text_.begin() + static_cast<std::ptrdiff_t>(q), '\n'));
                if (q + 1 < n && text_[q + 1] == '"') {
                    doubled = true;
                    pos_ = q + 2;
                    continue;
                }
                std::string_view raw = text_.substr(start, q - start);
                if (doubled) {
                    std::string u;
                    u.reserve(raw.size());
                    for (std::size_t i = 0; i < raw.size(); ++i) {
                        u += raw[i];
                        if (raw[i] == '"') ++i;  // skip the second of a doubled quote
                    }
                    unquoted_.push_back(std::move(u));
                    raw = unquoted_.back();
                }
                push(fields, raw);
                pos_ = q + 1;
                break;
            }
            if (pos_ < n && text_[pos_] != delim_ && text_[pos_] != '\n' && text_[pos_] != '\r')
                throw parse_error(
                    errc::csv_syntax, "text after a closing quote",
                    location{source_, record_line_, "", static_cast<std::int64_t>(pos_ - line_start)});
        } else {
            const std::size_t start = pos_;
            while (pos_ < n && text_[pos_] != delim_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
                if (text_[pos_] == '"')
                    throw parse_error(
                        errc::csv_syntax, "a quote inside an unquoted field (quote the whole field)",
                        location{source_, record_line_, "", static_cast<std::int64_t>(pos_ - line_start)});
                ++pos_;
            }
            push(fields, text_.substr(start, pos_ - start));
        }
        if (pos_ >= n) return true;
        if (text_[pos_] == delim_) {
            ++pos_;
            if (pos_ >= n) {  // a delimiter at the very end: one more empty field
                fields.emplace_back();
                return true;
            }
            continue;
        }
        // end of record
        if (text_[pos_] == '\r') ++pos_;
        if (pos_ < n && text_[pos_] == '\n') ++pos_;
        ++line_;
        return true;
    }
}

csv_header::csv_header(const std::vector<std::string_view>& names, const location& where,
                       const std::vector<std::string_view>& known,
                       const std::vector<std::string_view>& required) {
    auto list = [](const std::vector<std::string_view>& v) {
        std::string s;
        for (auto x : v) s += (s.empty() ? "" : ",") + std::string(x);
        return s;
    };
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::string name(names[i]);
        // tolerate surrounding spaces in header names, as spreadsheets write them
        while (!name.empty() && name.back() == ' ') name.pop_back();
        while (!name.empty() && name.front() == ' ') name.erase(name.begin());
        location at = where;
        at.field = name;
        if (std::find(known.begin(), known.end(), name) == known.end())
            throw parse_error(errc::csv_header, "unknown column (known: " + list(known) + ")", at);
        if (std::find(names_.begin(), names_.end(), name) != names_.end())
            throw parse_error(errc::csv_header, "column appears twice", at);
        names_.push_back(std::move(name));
    }
    for (auto r : required)
        if (index(r) < 0) {
            location at = where;
            at.field = std::string(r);
            throw parse_error(errc::csv_header, "required column is missing (header: " + list(names) + ")",
                              at);
        }
}

int csv_header::index(std::string_view name) const noexcept {
    for (std::size_t i = 0; i < names_.size(); ++i)
        if (names_[i] == name) return static_cast<int>(i);
    return -1;
}

}  // namespace v0
}  // namespace kvant
