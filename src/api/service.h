// Service: the state every handler needs — store, meter, the inference runners once loaded —
// and the HTTP-independent request/reply types the routes table works with.
//
// Readiness: the server listens before the models are loaded; set_engine() flips ready() once
// the RunnerPool exists. Until then inference routes and /v1/health answer 503.
// Thread safety: everything here may be used from any I/O or worker thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "billing/meter.h"
#include "console/console.h"
#include "livecheck/engine.h"
#include "store/store.h"

namespace livecheck::sessions {
class SessionService;
}  // namespace livecheck::sessions

namespace livecheck::api {

inline constexpr const char* kApiVersion = "1.0.0";  // metadata.ver

struct ServiceOptions {
  int workers = 2;           // inference threads (= runners)
  std::size_t queue = 128;   // queued inference jobs before 503
  std::string openapi_yaml;  // served at /openapi.yaml
  // Serve web/ from this folder instead of the copy compiled into the binary (development:
  // edit a page, reload). Empty: the compiled-in copy.
  std::string web_root;
  // --public-url as given ("" when not set): absolute links in API answers (session image URLs).
  // When empty, links are built from the request's Host (and X-Forwarded-Proto).
  std::string public_url;
};

// What a handler sees of a request; filled by the HTTP session.
struct RequestContext {
  std::string method;   // "POST"
  std::string path;     // target without the query string
  std::string query;    // after '?', undecoded ("" if none)
  std::string api_key;  // X-API-Key header (never logged)
  // Headers the console and session routes read (never logged).
  std::string cookie;        // Cookie
  std::string csrf_token;    // X-CSRF-Token
  std::string origin;        // Origin
  std::string host;          // Host
  std::string forwarded_proto;  // X-Forwarded-Proto
  std::string access_token;  // X-ACCESS-TOKEN (session liveness)
  std::string license;       // X-LICENSE (session liveness capture, sent by the SDK)
  std::string content_type;  // Content-Type
  std::string remote_addr;   // peer address of the connection
  const std::string* body = nullptr;
  std::string request_id;
  std::chrono::steady_clock::time_point received;  // when the full request had been read
  // Filled by handlers, read by the access log.
  std::string customer_id;
  double queue_ms = -1;   // waiting for an inference worker
  double parse_ms = -1;   // JSON + base64 of the body
  double engine_ms = -1;  // Runner::check
};

struct Reply {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Extra headers; a name may repeat (Set-Cookie).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string error_code;  // set for error replies, for the access log
  bool close = false;      // close the connection after this reply
};

class Service {
 public:
  Service(ServiceOptions options, store::Store* store, billing::Meter* meter)
      : options_(std::move(options)), store_(store), meter_(meter) {}

  void set_engine(std::shared_ptr<const Engine> engine, std::unique_ptr<RunnerPool> pool);
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  void set_draining() { draining_.store(true, std::memory_order_release); }
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  // Valid only when ready().
  RunnerPool& runners() { return *pool_; }
  const Engine& engine() const { return *engine_; }

  // The console, when the server runs one (always, for `livecheck serve`); nullptr in tests
  // that exercise the API alone. Set before the server starts.
  // "https://livecheck.example" for links in answers: --public-url, else from the request.
  std::string public_base(const RequestContext& ctx) const {
    if (!options_.public_url.empty()) {
      std::string u = options_.public_url;
      while (!u.empty() && u.back() == '/') u.pop_back();
      return u;
    }
    if (ctx.host.empty()) return {};
    return (ctx.forwarded_proto == "https" ? "https://" : "http://") + ctx.host;
  }

  void set_console(console::Console* console) { console_ = console; }
  console::Console* console() { return console_; }
  // Session liveness (docs/SESSIONS.md); nullptr when not configured: its routes then answer
  // ERROR. Set before the server starts.
  void set_sessions(sessions::SessionService* sessions) { sessions_ = sessions; }
  sessions::SessionService* sessions() { return sessions_; }

  store::Store& store() { return *store_; }
  billing::Meter& meter() { return *meter_; }
  const ServiceOptions& options() const { return options_; }

  // Queue gauges for /v1/health, maintained by the server.
  std::atomic<std::size_t> queued{0};
  std::atomic<std::size_t> in_flight{0};

 private:
  ServiceOptions options_;
  store::Store* store_;
  billing::Meter* meter_;
  console::Console* console_ = nullptr;
  sessions::SessionService* sessions_ = nullptr;
  std::shared_ptr<const Engine> engine_;
  std::unique_ptr<RunnerPool> pool_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> draining_{false};
};

}  // namespace livecheck::api
