// The capture step of session liveness (POST /liveness/ext/v1/capture): both frames through the
// engine (sessions::measure_frame), the user-fixable problems answered as RETRY, then the
// cross-frame analysis (sessions::analyze_session), and the result, images and audit zip stored
// through SessionService. Lives in api because it converts the analysis to analysis.json.
//
// Errors: an Outcome with PARAMETER_ERROR (undecodable frame, used-up session) or ERROR (engine or
// store failure; `detail` for the log).
// Thread safety: call from a worker thread that holds `runner` exclusively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "livecheck/engine.h"
#include "sessions/session_service.h"

namespace livecheck::api {

struct CaptureFrame {
  sessions::Bytes bytes;
  std::int64_t captured_at_ms = 0;  // client clock, epoch ms
};

struct CaptureInput {
  std::string nonce;  // as presented by the SDK ("" when missing)
  CaptureFrame far;
  CaptureFrame near;
};

struct CaptureRetry {
  std::string stage;   // "far" | "near"
  std::string reason;  // docs/SESSIONS.md: no_face, face_too_small, too_close, ...
};

struct CaptureOutcome : sessions::Outcome {
  std::optional<CaptureRetry> retry;  // set: answer RETRY, the session stays usable
  std::string liveness_id;            // set on success
  double engine_ms = 0;
};

// `session` comes from SessionService::begin_capture (the attempt is already counted).
CaptureOutcome run_capture(sessions::SessionService& service, Runner& runner,
                           store::LivenessSession& session, const CaptureInput& input);

}  // namespace livecheck::api
