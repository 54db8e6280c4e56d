// Wall clock for billing periods and response dates.
//
// Test-only override: when the environment variable LIVECHECK_TEST_CLOCK_FILE names a file, the
// clock reads "now" from it on every call (epoch milliseconds, or an ISO-8601 UTC time such as
// 2026-01-31T23:59:59Z). E2E tests rewrite the file to cross a month boundary while the server
// runs. Never set it in production: it is read per request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace livecheck::billing {

class Clock {
 public:
  // The process clock: system_clock unless LIVECHECK_TEST_CLOCK_FILE is set.
  static Clock from_environment();
  std::int64_t now_ms() const;

 private:
  std::string override_file_;
};

// "2026-11-22T06:40:00.123Z"
std::string format_iso_ms(std::int64_t epoch_ms);
// "2026-11-22T06:40:00Z" or epoch-ms digits -> epoch ms; nullopt when malformed.
std::optional<std::int64_t> parse_time(const std::string& text);

// The UTC calendar month containing a moment.
struct Period {
  std::string key;            // "2026-11"
  std::string day;            // "2026-11-22": the day of the moment, for daily counts
  std::int64_t start_ms = 0;  // first instant of the month
  std::int64_t end_ms = 0;    // first instant of the next month (exclusive)
};
Period period_at(std::int64_t epoch_ms);

}  // namespace livecheck::billing
