// Structured logs: one JSON object per line on stdout (spdlog, pattern "%v", we format the
// object ourselves so that every line is valid JSON). Never pass API keys or image bytes here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace livecheck::api {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets up the logger once per process; min_level is "debug" | "info" | "warn" | "error".
void init_logging(const std::string& min_level);

// Adds "ts" (UTC, ms) and "level", then writes `fields` as one line. Thread-safe.
void log_event(LogLevel level, const std::string& event, const nlohmann::ordered_json& fields = {});

}  // namespace livecheck::api
