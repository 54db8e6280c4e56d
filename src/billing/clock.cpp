#include "billing/clock.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace livecheck::billing {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;
using std::chrono::sys_days;
using std::chrono::year_month_day;

std::int64_t to_ms(sys_days d) {
  return std::chrono::duration_cast<milliseconds>(d.time_since_epoch()).count();
}

}  // namespace

Clock Clock::from_environment() {
  Clock c;
  if (const char* f = std::getenv("LIVECHECK_TEST_CLOCK_FILE"); f && *f) c.override_file_ = f;
  return c;
}

std::int64_t Clock::now_ms() const {
  if (!override_file_.empty()) {
    std::ifstream in(override_file_);
    std::string text;
    if (in >> text) {
      if (auto t = parse_time(text)) return *t;
    }
  }
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_iso_ms(std::int64_t epoch_ms) {
  const std::int64_t day_ms = 86'400'000;
  std::int64_t days_since = epoch_ms / day_ms;
  std::int64_t rem = epoch_ms % day_ms;
  if (rem < 0) {
    rem += day_ms;
    --days_since;
  }
  const year_month_day ymd{sys_days{days{days_since}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(rem / 3'600'000),
                static_cast<int>(rem / 60'000 % 60), static_cast<int>(rem / 1000 % 60),
                static_cast<int>(rem % 1000));
  return buf;
}

std::optional<std::int64_t> parse_time(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() < 16) {
    return std::stoll(text);
  }
  int y, mo, d, h, mi, s;
  char z = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z') {
    return std::nullopt;
  }
  const year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                           std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return std::nullopt;
  return to_ms(sys_days{ymd}) + ((h * 60 + mi) * 60 + s) * 1000LL;
}

Period period_at(std::int64_t epoch_ms) {
  const std::int64_t day_ms = 86'400'000;
  std::int64_t days_since = epoch_ms / day_ms - (epoch_ms % day_ms < 0 ? 1 : 0);
  const year_month_day ymd{sys_days{days{days_since}}};
  const auto first = ymd.year() / ymd.month() / std::chrono::day{1};
  const auto next = first + std::chrono::months{1};
  Period p;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()));
  p.key = buf;
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  p.day = buf;
  p.start_ms = to_ms(sys_days{first});
  p.end_ms = to_ms(sys_days{next});
  return p;
}

}  // namespace livecheck::billing
