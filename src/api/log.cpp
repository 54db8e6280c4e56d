#include "api/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "billing/clock.h"

namespace livecheck::api {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> l;
  std::call_once(once, [] {
    l = std::make_shared<spdlog::logger>("livecheck",
                                         std::make_shared<spdlog::sinks::stdout_sink_mt>());
    l->set_pattern("%v");
    // Every line is flushed: logs are read by tests and by log shippers while we run, and a
    // kill -9 must not eat the last lines.
    l->flush_on(spdlog::level::trace);
  });
  return l;
}

spdlog::level::level_enum to_spd(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      break;
  }
  return spdlog::level::err;
}

}  // namespace

void init_logging(const std::string& min_level) {
  auto level = spdlog::level::info;
  if (min_level == "debug") level = spdlog::level::debug;
  if (min_level == "warn") level = spdlog::level::warn;
  if (min_level == "error") level = spdlog::level::err;
  logger()->set_level(level);
}

void log_event(LogLevel level, const std::string& event, const nlohmann::ordered_json& fields) {
  auto l = logger();
  const auto spd = to_spd(level);
  if (!l->should_log(spd)) return;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  nlohmann::ordered_json line = {{"ts", billing::format_iso_ms(now_ms)},
                                 {"level", spdlog::level::to_string_view(spd).data()},
                                 {"event", event}};
  if (fields.is_object()) line.update(fields);
  // error_handler_t::replace: a stray invalid UTF-8 byte in a header cannot throw here.
  l->log(spd, "{}", line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace livecheck::api
