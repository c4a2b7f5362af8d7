#include "kvant/series/series.hpp"

#include "kvant/core/decimal.hpp"
#include "kvant/core/time.hpp"

namespace kvant {
inline namespace v0 {

void check_series(std::string_view meter, const channel& ch, std::span<const std::int64_t> time,
                  std::span<const std::int64_t> value) {
    auto where = [&] { return "meter " + excerpt(meter) + ", channel " + to_string(ch) + ": "; };
    if (time.size() != value.size())
        throw validation_error(errc::validation, where() + std::to_string(time.size()) + " times but " +
                                                     std::to_string(value.size()) + " values");
    for (std::size_t i = 0; i < time.size(); ++i) {
        if (value[i] == decimal::missing_raw)
            throw validation_error(errc::validation,
                                   where() + "value " + std::to_string(i) + " is the missing marker");
        if (i > 0 && time[i] <= time[i - 1])
            throw validation_error(errc::validation, where() + "time " + std::to_string(i) + " (" +
                                                         std::to_string(time[i]) + ") is not after time " +
                                                         std::to_string(i - 1) + " (" +
                                                         std::to_string(time[i - 1]) + ")");
    }
}

series::series(std::string meter, channel ch, std::vector<std::int64_t> time, std::vector<std::int64_t> value)
    : meter_(std::move(meter)), channel_(ch) {
    check_series(meter_, ch, time, value);
    own_ = std::make_shared<arrays>(arrays{std::move(time), std::move(value)});
    view_ = {own_->time, own_->value};
}

series series::over(std::string meter, channel ch, std::span<const std::int64_t> time,
                    std::span<const std::int64_t> value, std::shared_ptr<const void> keeper) {
    check_series(meter, ch, time, value);
    return over_unchecked(std::move(meter), ch, time, value, std::move(keeper));
}

series series::over_unchecked(std::string meter, channel ch, std::span<const std::int64_t> time,
                              std::span<const std::int64_t> value, std::shared_ptr<const void> keeper) {
    series s;
    s.meter_ = std::move(meter);
    s.channel_ = ch;
    s.keeper_ = std::move(keeper);
    s.view_ = {time, value};
    return s;
}

}  // namespace v0
}  // namespace kvant
