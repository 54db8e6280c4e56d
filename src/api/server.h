// HTTP/1.1 server (Boost.Beast over Asio) in front of the Service.
//
// Threading model:
//   * `io_threads` threads run the io_context: accept, read, write, and the cheap routes
//     (health, usage, openapi). Each connection is a Session on its own strand.
//   * `workers` inference threads (WorkQueue) run inference routes end to end: JSON parse,
//     base64, auth, reservation, engine, commit. The queue in front of them is bounded.
//   * Shutdown: SIGTERM/SIGINT stop accepting, close idle keep-alive connections, let every
//     request already read (queued or running) finish and be written, then run() returns 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api/service.h"
#include "livecheck/status.h"

namespace livecheck::api {

// Body limit: a 10 MiB image is 13.4 MiB in base64, plus JSON around it.
inline constexpr std::uint64_t kMaxBodyBytes = 14u << 20;
// Header limit: request line + headers; generous for an API key and proxies' additions.
inline constexpr std::uint32_t kMaxHeaderBytes = 16u << 10;

struct ServerOptions {
  std::string host = "0.0.0.0";
  std::uint16_t port = 8080;  // 0: any free port (see port())
  // Deadline for reading one request (headers, then again for the body), and for an idle
  // keep-alive connection to send its next request. A trickling client is cut off after it;
  // reading never occupies an inference worker. 14 MiB in 30 s needs only ~0.5 MB/s.
  std::chrono::milliseconds read_timeout{30'000};
  std::chrono::milliseconds write_timeout{30'000};  // a client that stops reading its reply
  std::chrono::milliseconds drain_timeout{60'000};  // SIGTERM: longest wait for in-flight work
  int io_threads = 1;
  // Bodies read but not yet answered (queued or running) may hold at most this much memory in
  // total: 128 queued 14 MiB uploads would otherwise be 1.8 GB. Past it, 503 before the upload.
  std::uint64_t max_buffered_body_bytes = 256ull << 20;
};

class Server {
 public:
  Server(ServerOptions options, Service& service);
  ~Server();

  // Binds and listens. The port is known afterwards (useful with port 0).
  Status listen();
  std::uint16_t port() const;

  // Serves until a signal drains the server or stop() is called. Returns the exit code.
  int run();
  // Thread-safe: ends run() without draining (fatal start-up failure), with this exit code.
  void stop(int exit_code);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace livecheck::api
