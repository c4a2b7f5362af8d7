#include "progress.hpp"

#include <unistd.h>

#include <cstdio>

namespace kvant::cli {

std::string grouped_number(std::size_t n) {
    std::string s = std::to_string(n);
    for (std::ptrdiff_t i = static_cast<std::ptrdiff_t>(s.size()) - 3; i > 0; i -= 3)
        s.insert(static_cast<std::size_t>(i), ",");
    return s;
}

namespace {
std::string duration_text(double seconds) {
    const auto s = static_cast<long long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}
}  // namespace

progress::progress(std::string what, std::size_t total, bool quiet)
    : what_(std::move(what)),
      total_(total),
      enabled_(!quiet && isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

progress::~progress() {
    finish();
}

void progress::update(std::size_t done) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    draw(done);
}

void progress::draw(std::size_t done) {
    const double elapsed = std::chrono::duration<double>(last_ - start_).count();
    const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
    std::string line = "\r" + grouped_number(done);
    if (total_ > 0) line += " / " + grouped_number(total_);
    line += " " + what_ + ", " + grouped_number(static_cast<std::size_t>(rate)) + "/s";
    if (total_ > done && rate > 0)
        line += ", " + duration_text(static_cast<double>(total_ - done) / rate) + " left";
    else
        line += ", " + duration_text(elapsed);
    line += "\x1b[K";  // clear to the end of the line
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
    drawn_ = true;
}

void progress::finish() {
    if (!drawn_) return;
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
}

}  // namespace kvant::cli
