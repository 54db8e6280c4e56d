#include "api/server.h"

#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cmath>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/check_request.h"
#include "api/log.h"
#include "api/routes.h"
#include "api/session_reply.h"
#include "api/work_queue.h"

namespace livecheck::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class Session;

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

double ms_since(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

// Echo a caller's X-Request-Id only when it is short and plain, so it is safe in logs and
// headers; otherwise make one up (16 hex characters).
std::string request_id_for(std::string_view given) {
  auto ok_char = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_' || c == '.' || c == ':';
  };
  if (!given.empty() && given.size() <= 128 && std::all_of(given.begin(), given.end(), ok_char)) {
    return std::string(given);
  }
  unsigned char b[8];
  randombytes_buf(b, sizeof b);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, b, sizeof b);
  return hex;
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Service& s)
      : options(std::move(o)),
        service(s),
        ioc(options.io_threads),
        acceptor(ioc),
        signals(ioc, SIGTERM, SIGINT),
        drain_timer(ioc),
        accept_retry(ioc),
        queue(s.options().workers, s.options().queue) {}

  void accept();
  void begin_drain();
  void session_started(const std::shared_ptr<Session>& s);
  void session_ended(Session* s);
  void maybe_finish();

  ServerOptions options;
  Service& service;
  // Declared before ioc so that they outlive it: sessions still queued in the io_context when
  // it is destroyed unregister themselves on the way out.
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  bool draining = false;  // guarded by sessions_mu
  bool stopped = false;   // guarded by sessions_mu; run() has returned, ioc must not be touched
  std::atomic<std::uint64_t> buffered_body_bytes{0};  // see ServerOptions

  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  net::steady_timer drain_timer;
  net::steady_timer accept_retry;
  WorkQueue queue;
  std::atomic<int> exit_code{0};
};

namespace {

// One TCP connection: reads requests one after another (keep-alive), dispatches each, writes
// the reply. All of its handlers run on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Server::Impl& server)
      : stream_(std::move(socket)), server_(server) {}
  ~Session() {
    release_body_budget();
    server_.session_ended(this);
  }

  void start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::read_header, shared_from_this()));
  }

  // Called (on the strand) when the server drains: an idle connection is closed now; a busy
  // one closes after its reply.
  void drain() {
    if (!busy_) close();
  }
  net::any_io_executor executor() { return stream_.get_executor(); }

 private:
  void read_header() {
    busy_ = false;
    ctx_ = RequestContext{};
    if (server_.service.draining()) return close();
    parser_.emplace();
    parser_->header_limit(kMaxHeaderBytes);
    parser_->body_limit(kMaxBodyBytes);
    stream_.expires_after(server_.options.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    auto& req = parser_->get();
    ctx_.request_id = request_id_for(sv(req["X-Request-Id"]));
    ctx_.method = std::string(sv(req.method_string()));
    const std::string_view target = sv(req.target());
    ctx_.path = std::string(target.substr(0, target.find('?')));
    if (const auto q = target.find('?'); q != std::string_view::npos) {
      ctx_.query = std::string(target.substr(q + 1));
    }
    // Announced too large: answer before reading a byte of the body.
    if (auto len = parser_->content_length(); len && *len > kMaxBodyBytes) {
      return reply_error(ErrorCode::kPayloadTooLarge, /*close_after=*/true);
    }
    if (auto len = parser_->content_length()) {
      if (!take_body_budget(*len)) {
        return reply_error(ErrorCode::kServiceUnavailable, true,
                           "The server is at capacity. Retry after a second.");
      }
      // Room for simdjson's padding after the body, so that it parses in place.
      req.body().reserve(*len + json_padding());
    }
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      stream_.expires_after(server_.options.write_timeout);
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code e, std::size_t) {
                          if (e) return self->close();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(server_.options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_body, shared_from_this()));
  }

  void on_read_error(beast::error_code ec) {
    // A header that fails to parse after the request line still tells which API was called
    // (the session paths answer their own envelope).
    if (ctx_.path.empty() && parser_) {
      const std::string_view target = sv(parser_->get().target());
      ctx_.path = std::string(target.substr(0, target.find('?')));
    }
    if (ec == http::error::body_limit) {
      return reply_error(ErrorCode::kPayloadTooLarge, true);
    }
    if (ec == http::error::header_limit) {
      ctx_.request_id = request_id_for("");
      return reply_error(ErrorCode::kInvalidRequest, true, "Request headers exceed 16 KiB.");
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      // Malformed HTTP (bad method, bad header line, bad chunk...).
      if (ctx_.request_id.empty()) ctx_.request_id = request_id_for("");
      return reply_error(ErrorCode::kInvalidRequest, true, "Malformed HTTP request.");
    }
    if (ec == beast::error::timeout && parser_ && parser_->got_some()) {
      // A client that started a request and stalled (an idle keep-alive close is not news).
      log_event(LogLevel::kInfo, "read_timeout", {{"request_id", ctx_.request_id}});
    }
    close();  // end of stream, timeout, reset: nobody to answer
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) return on_read_error(ec);
    // A chunked body's size is known only now.
    if (budget_ == 0 && !parser_->get().body().empty() &&
        !take_body_budget(parser_->get().body().size())) {
      return reply_error(ErrorCode::kServiceUnavailable, true,
                         "The server is at capacity. Retry after a second.");
    }
    stream_.expires_never();  // processing time is bounded by the queue, not the socket
    auto& req = parser_->get();
    ctx_.api_key = std::string(sv(req["X-API-Key"]));
    ctx_.cookie = std::string(sv(req[http::field::cookie]));
    ctx_.csrf_token = std::string(sv(req["X-CSRF-Token"]));
    ctx_.origin = std::string(sv(req[http::field::origin]));
    ctx_.host = std::string(sv(req[http::field::host]));
    ctx_.forwarded_proto = std::string(sv(req["X-Forwarded-Proto"]));
    ctx_.access_token = std::string(sv(req["X-ACCESS-TOKEN"]));
    ctx_.license = std::string(sv(req["X-LICENSE"]));
    ctx_.content_type = std::string(sv(req[http::field::content_type]));
    {
      beast::error_code ep_ec;
      const auto ep = stream_.socket().remote_endpoint(ep_ec);
      if (!ep_ec) ctx_.remote_addr = ep.address().to_string();
    }
    ctx_.body = &req.body();
    ctx_.received = Clock::now();
    keep_alive_ = req.keep_alive();

    const RouteMatch m = match_route(ctx_.method, ctx_.path);
    if (!m.route) {
      if (!m.path_known) return reply_error(ErrorCode::kNotFound, false);
      Reply r = is_session_path(ctx_.path)
                    ? session_transport_error(ErrorCode::kMethodNotAllowed, ctx_)
                    : error_reply(ErrorCode::kMethodNotAllowed,
                                  error_info(ErrorCode::kMethodNotAllowed).default_message, ctx_);
      r.headers.emplace_back("Allow", m.allow);
      return send(std::move(r));
    }
    if (!m.route->worker) return send(run_handler(m.route->handler, server_.service, ctx_));

    Service& svc = server_.service;
    const HandlerFn handler = m.route->handler;
    svc.queued.fetch_add(1);
    const bool queued = server_.queue.try_push([self = shared_from_this(), handler, &svc] {
      svc.queued.fetch_sub(1);
      svc.in_flight.fetch_add(1);
      self->ctx_.queue_ms = ms_since(self->ctx_.received);
      Reply r = run_handler(handler, svc, self->ctx_);
      svc.in_flight.fetch_sub(1);
      net::post(self->executor(), [self, r = std::move(r)]() mutable { self->send(std::move(r)); });
    });
    if (!queued) {
      svc.queued.fetch_sub(1);
      reply_error(ErrorCode::kServiceUnavailable, false,
                  "The server is at capacity. Retry after a second.");
    }
  }

  void reply_error(ErrorCode code, bool close_after, const std::string& message = "") {
    // The vendor's paths keep the vendor's envelope even for transport errors (CLIENT_ERROR).
    Reply r = is_session_path(ctx_.path)
                  ? session_transport_error(code, ctx_)
                  : error_reply(code, message.empty() ? error_info(code).default_message : message,
                                ctx_);
    r.close = close_after;
    send(std::move(r));
  }

  bool take_body_budget(std::uint64_t bytes) {
    auto& total = server_.buffered_body_bytes;
    if (total.fetch_add(bytes) + bytes > server_.options.max_buffered_body_bytes) {
      total.fetch_sub(bytes);
      return false;
    }
    budget_ = bytes;
    return true;
  }
  void release_body_budget() {
    server_.buffered_body_bytes.fetch_sub(budget_);
    budget_ = 0;
  }

  void send(Reply r) {
    // The request body can be large; it is no longer needed once the reply exists.
    if (parser_) parser_->get().body() = std::string();
    release_body_budget();
    auto res = std::make_shared<http::response<http::string_body>>();
    res->result(r.status);
    res->version(11);
    res->set(http::field::server, "livecheck");
    res->set(http::field::content_type, r.content_type);
    res->set("X-Request-Id", ctx_.request_id);
    const double total_ms = ctx_.received == Clock::time_point{} ? 0 : ms_since(ctx_.received);
    // total = request fully read -> reply ready; queue and engine are parts of it. The rest is
    // the server's own overhead (JSON, base64, auth, metering).
    std::string timing = "total;dur=" + std::to_string(total_ms);
    if (ctx_.queue_ms >= 0) timing += ", queue;dur=" + std::to_string(ctx_.queue_ms);
    if (ctx_.parse_ms >= 0) timing += ", parse;dur=" + std::to_string(ctx_.parse_ms);
    if (ctx_.engine_ms >= 0) timing += ", engine;dur=" + std::to_string(ctx_.engine_ms);
    res->set("Server-Timing", timing);
    for (auto& [k, v] : r.headers) res->insert(beast::string_view(k.data(), k.size()), v);
    res->body() = std::move(r.body);
    const bool keep = keep_alive_ && !r.close && !server_.service.draining();
    res->keep_alive(keep);
    res->prepare_payload();

    nlohmann::ordered_json fields = {{"request_id", ctx_.request_id},
                                     {"method", ctx_.method},
                                     {"path", ctx_.path},
                                     {"status", r.status},
                                     {"ms", std::round(total_ms * 100) / 100}};
    if (!r.error_code.empty()) fields["error"] = r.error_code;
    if (!ctx_.customer_id.empty()) fields["customer_id"] = ctx_.customer_id;
    if (ctx_.engine_ms >= 0) fields["engine_ms"] = std::round(ctx_.engine_ms * 100) / 100;
    log_event(r.status >= 500 ? LogLevel::kWarn : LogLevel::kInfo, "request", fields);

    busy_ = true;
    stream_.expires_after(server_.options.write_timeout);
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t) {
                        if (ec || !keep) return self->close();
                        self->read_header();
                      });
  }

  void close() {
    beast::error_code ec;
    // Half-close first so the client reads our reply before it sees the end of the stream.
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Server::Impl& server_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  RequestContext ctx_;
  bool keep_alive_ = true;
  bool busy_ = false;         // a request is being read, processed or answered
  std::uint64_t budget_ = 0;  // bytes of max_buffered_body_bytes held by the current body
};

}  // namespace

void Server::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;  // draining
      log_event(LogLevel::kWarn, "accept_failed", {{"error", ec.message()}});
      // Out of file descriptors (EMFILE) fails again at once: pause instead of spinning, and
      // let existing connections finish and free descriptors.
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](beast::error_code e) {
        if (!e) accept();
      });
      return;
    } else {
      auto s = std::make_shared<Session>(std::move(socket), *this);
      session_started(s);
      s->start();
    }
    accept();
  });
}

void Server::Impl::session_started(const std::shared_ptr<Session>& s) {
  std::lock_guard lock(sessions_mu);
  sessions.emplace(s.get(), s);
}

void Server::Impl::session_ended(Session* s) {
  {
    std::lock_guard lock(sessions_mu);
    sessions.erase(s);
  }
  maybe_finish();
}

void Server::Impl::maybe_finish() {
  std::lock_guard lock(sessions_mu);
  if (draining && !stopped && sessions.empty()) ioc.stop();
}

void Server::Impl::begin_drain() {
  log_event(LogLevel::kInfo, "draining");
  service.set_draining();
  beast::error_code ec;
  acceptor.close(ec);
  accept_retry.cancel();
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(sessions_mu);
    draining = true;
    for (auto& [_, w] : sessions) {
      if (auto s = w.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) net::post(s->executor(), [s] { s->drain(); });
  live.clear();
  // A request that never finishes (a client stuck mid-upload) must not block shutdown forever.
  drain_timer.expires_after(options.drain_timeout);
  drain_timer.async_wait([this](beast::error_code e) {
    if (e) return;
    log_event(LogLevel::kWarn, "drain_timeout");
    ioc.stop();
  });
  maybe_finish();
}

Server::Server(ServerOptions options, Service& service)
    : impl_(std::make_unique<Impl>(std::move(options), service)) {}

Server::~Server() = default;

Status Server::listen() {
  beast::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) return Status::invalid_argument("bad --host: " + impl_->options.host);
  const tcp::endpoint ep(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return Status::io_error("cannot listen on " + impl_->options.host + ":" +
                            std::to_string(impl_->options.port) + ": " + ec.message());
  return Status::ok();
}

std::uint16_t Server::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

int Server::run() {
  Impl& s = *impl_;
  s.signals.async_wait([&s](beast::error_code ec, int sig) {
    if (ec) return;
    log_event(LogLevel::kInfo, "signal", {{"signal", sig}});
    s.begin_drain();
  });
  s.accept();
  std::vector<std::thread> threads;
  for (int i = 1; i < s.options.io_threads; ++i) threads.emplace_back([&s] { s.ioc.run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(s.sessions_mu);
    s.stopped = true;
  }
  s.queue.shutdown();  // jobs still queued after a drain timeout run to completion here
  return s.exit_code.load();
}

void Server::stop(int exit_code) {
  impl_->exit_code.store(exit_code);
  impl_->ioc.stop();
}

}  // namespace livecheck::api
