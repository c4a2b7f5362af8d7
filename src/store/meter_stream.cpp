#include "kvant/store/meter_stream.hpp"

namespace kvant {
inline namespace v0 {

meter_stream::meter_stream(const store& s, series_query q, std::size_t group_size)
    : cursor_(s.scan(q)), group_size_(group_size == 0 ? 1 : group_size) {}

bool meter_stream::next(std::vector<meter_series>& out) {
    out.clear();
    std::vector<std::int64_t> time, value;  // the series being assembled
    channel ch;
    std::string meter;
    auto flush = [&] {
        if (time.empty()) return;
        out.back().add(series(meter, ch, std::move(time), std::move(value)));
        time = {}, value = {};
    };
    while (!done_) {
        if (!pending_) {
            if (!cursor_->next(chunk_)) {
                done_ = true;
                break;
            }
            values_ += chunk_.size();
            pending_ = true;
        }
        if (out.empty() || chunk_.meter != out.back().serial()) {
            flush();
            if (out.size() == group_size_) return true;  // the chunk waits for the next group
            out.emplace_back(chunk_.meter);
        } else if (chunk_.ch != ch) {
            flush();
        }
        meter = chunk_.meter;
        ch = chunk_.ch;
        time.insert(time.end(), chunk_.time.begin(), chunk_.time.end());
        value.insert(value.end(), chunk_.value.begin(), chunk_.value.end());
        pending_ = false;
    }
    flush();
    return !out.empty();
}

}  // namespace v0
}  // namespace kvant
