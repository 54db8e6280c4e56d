#include "api/json_out.h"

#include <cmath>

#include "billing/clock.h"

namespace livecheck::api {
namespace {

std::int64_t wall_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

double round_to(double v, int decimals) {
  const double f = std::pow(10.0, decimals);
  return std::round(v * f) / f;
}

nlohmann::ordered_json face_json(const Face& f) {
  return {{"x", std::lround(f.box.x)},
          {"y", std::lround(f.box.y)},
          {"width", std::lround(f.box.width)},
          {"height", std::lround(f.box.height)},
          {"score", round_to(f.score, 4)}};
}

nlohmann::ordered_json quality_json(const Quality& q) {
  return {{"brightness", round_to(q.brightness, 1)},
          {"sharpness", round_to(q.sharpness, 1)},
          {"faceWidthPx", round_to(q.face_width_px, 1)},
          {"faceRatio", round_to(q.face_ratio, 3)},
          {"insideRatio", round_to(q.inside_ratio, 3)},
          {"rollDeg", round_to(q.roll_deg, 1)},
          {"yawDeg", round_to(q.yaw_deg, 1)},
          {"reasons", q.reasons}};
}

std::string dump_json(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json error_metadata(const RequestContext& ctx) {
  nlohmann::ordered_json m = {{"date", billing::format_iso_ms(wall_now_ms())},
                              {"ver", kApiVersion}};
  if (!ctx.customer_id.empty()) m["customer_id"] = ctx.customer_id;
  m["status"] = "error";
  m["request_id"] = ctx.request_id;
  return m;
}

nlohmann::ordered_json success_metadata(const RequestContext& ctx,
                                        const billing::UsageSnapshot& usage, std::int64_t now_ms) {
  return {{"date", billing::format_iso_ms(now_ms)},
          {"ver", kApiVersion},
          {"customer_id", ctx.customer_id},
          {"remaining_calls", usage.remaining_calls},
          {"over_limit_calls", usage.over_limit_calls},
          {"status", "success"},
          {"request_id", ctx.request_id}};
}

nlohmann::ordered_json check_data(const CheckResult& r) {
  const Quality& q = r.quality;
  return {
      {"isFakeFace", r.is_fake},
      {"isFakeLikelihood", round_to(r.is_fake_likelihood, 6)},
      {"isValidFace", r.is_valid_face},
      {"faceBrightness", round_to(r.face_brightness, 1)},
      {"latency_ms", round_to(r.times.total_ms, 1)},
      {"face", face_json(r.face)},
      {"faceCount", q.face_count},
      {"quality", quality_json(q)},
      {"threshold", round_to(r.threshold, 6)},
  };
}

nlohmann::ordered_json usage_data(const billing::UsageSnapshot& u) {
  return {{"plan", u.plan},
          {"period_start", billing::format_iso_ms(u.period.start_ms)},
          {"period_end", billing::format_iso_ms(u.period.end_ms)},
          {"monthly_limit", u.monthly_limit},
          {"used_calls", u.used_calls},
          {"remaining_calls", u.remaining_calls},
          {"over_limit_calls", u.over_limit_calls},
          {"hard_cap", u.hard_cap}};
}

}  // namespace livecheck::api
