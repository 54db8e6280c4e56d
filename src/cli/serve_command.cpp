// `livecheck serve`: the HTTP API. Listens first, loads the models in the background (health is
// 503 until then), drains on SIGTERM.
#include <sodium.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "api/log.h"
#include "api/openapi_yaml.h"
#include "api/server.h"
#include "api/service.h"
#include "billing/meter.h"
#include "console/console.h"
#include "commands.h"
#include "livecheck/engine.h"
#include "sessions/access_keys.h"
#include "sessions/session_service.h"
#include "sessions/sweeper.h"
#include "sessions/url_signing.h"
#include "store/store.h"

namespace livecheck::cli {
namespace {

struct ServeArgs {
  std::string host = "0.0.0.0";
  int port = 8080;
  std::string db = "sqlite:./data/livecheck.db";
  std::string models = "models";
  int workers = 0;  // 0: one per core
  int queue = 128;
  double threshold = 0.15;
  double read_timeout_s = 30;
  int max_buffered_mb = 256;
  std::string log_level = "info";
  // Console (docs/CONSOLE.md).
  std::string public_url;  // default http://localhost:PORT
  std::string smtp_url;
  std::string smtp_user;
  std::string smtp_password;
  std::string mail_from = "livecheck <no-reply@localhost>";
  std::string data_dir = "data";  // default home of the three below
  std::string outbox;             // default DATA_DIR/outbox
  std::string marketplace_secret;
  std::string web_root;
  // Session liveness (docs/SESSIONS.md).
  std::string session_dir;  // default DATA_DIR/sessions
  double image_retention_hours = 24;
  std::string master_key_file;  // default DATA_DIR/master.key
  double sweep_interval_s = 60;
};

int run_serve(ServeArgs args) {
  if (args.outbox.empty()) args.outbox = args.data_dir + "/outbox";
  if (args.session_dir.empty()) args.session_dir = args.data_dir + "/sessions";
  if (args.master_key_file.empty()) args.master_key_file = args.data_dir + "/master.key";
  using api::log_event;
  using api::LogLevel;
  if (sodium_init() < 0) return 1;
  api::init_logging(args.log_level);
  // SIGTERM/SIGINT are handled by the server's signal_set (installed before any other thread).
  std::signal(SIGPIPE, SIG_IGN);  // a client closing early must not kill the process

  auto store = store::open_store(args.db);
  if (!store.is_ok()) {
    log_event(LogLevel::kError, "store_open_failed", {{"error", store.status().to_string()}});
    return 1;
  }
  billing::Meter meter(store.value().get(), billing::Clock::from_environment(),
                       billing::process_owner_id());
  if (auto purged = meter.purge_stale(); purged.is_ok() && purged.value() > 0) {
    log_event(LogLevel::kInfo, "purged_stale_reservations", {{"count", purged.value()}});
  }

  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  api::ServiceOptions so;
  so.workers = args.workers > 0 ? args.workers : hw;
  so.queue = static_cast<std::size_t>(args.queue);
  so.openapi_yaml = api::openapi_yaml();
  so.web_root = args.web_root;
  so.public_url = args.public_url;
  api::Service service(so, store.value().get(), &meter);

  auto secret = console::marketplace_secret(*store.value(), args.marketplace_secret);
  if (!secret.is_ok()) {
    log_event(LogLevel::kError, "marketplace_secret", {{"error", secret.status().to_string()}});
    return 1;
  }
  console::MailConfig mail;
  mail.smtp_url = args.smtp_url;
  mail.smtp_user = args.smtp_user;
  mail.smtp_password = args.smtp_password;
  mail.from = args.mail_from;
  mail.outbox_dir = args.outbox;
  // Embedded default (no SMTP server): the message's file and link go to the log.
  mail.on_outbox_write = [](const console::MailMessage& m, const std::string& path) {
    log_event(LogLevel::kInfo, "mail_outbox",
              {{"subject", m.subject}, {"file", path}, {"link", m.link}});
  };
  auto mailer = console::make_mailer(mail);
  const std::string mail_desc = mailer->describe();
  console::ConsoleConfig cc;
  cc.public_url = args.public_url.empty() ? "http://localhost:" + std::to_string(args.port)
                                          : args.public_url;
  console::Console console(cc, store.value().get(), &meter,
                           std::make_unique<console::HmacTokenResolver>(secret.value()),
                           std::move(mailer));
  service.set_console(&console);

  // Session liveness: sealed access secrets (master key file), signed media URLs (key in the
  // database, shared by every node), images under --session-dir with a retention sweeper.
  auto master_key = sessions::MasterKey::load_or_create(args.master_key_file);
  if (!master_key.is_ok()) {
    log_event(LogLevel::kError, "master_key", {{"error", master_key.status().to_string()}});
    return 1;
  }
  auto signer = sessions::load_media_signer(*store.value());
  if (!signer.is_ok()) {
    log_event(LogLevel::kError, "media_url_key", {{"error", signer.status().to_string()}});
    return 1;
  }
  sessions::SessionConfig session_config;
  session_config.image_dir = args.session_dir;
  session_config.image_retention_ms =
      static_cast<std::int64_t>(args.image_retention_hours * 3600.0 * 1000.0);
  const billing::Clock& clock = meter.clock();
  sessions::SessionService session_service(session_config, store.value().get(),
                                           std::move(master_key).value(),
                                           std::move(signer).value(),
                                           [&clock] { return clock.now_ms(); });
  service.set_sessions(&session_service);
  sessions::RetentionSweeper sweeper(store.value().get(), &session_service.images(),
                                     [&clock] { return clock.now_ms(); });
  sweeper.start(std::chrono::milliseconds(static_cast<long>(args.sweep_interval_s * 1000)),
                [](const Status& s) {
                  log_event(LogLevel::kWarn, "retention_sweep_failed", {{"error", s.to_string()}});
                });

  api::ServerOptions opts;
  opts.host = args.host;
  opts.port = static_cast<std::uint16_t>(args.port);
  opts.read_timeout = std::chrono::milliseconds(static_cast<long>(args.read_timeout_s * 1000));
  opts.max_buffered_body_bytes = static_cast<std::uint64_t>(args.max_buffered_mb) << 20;
  api::Server server(opts, service);
  if (Status s = server.listen(); !s.is_ok()) {
    log_event(LogLevel::kError, "listen_failed", {{"error", s.to_string()}});
    return 1;
  }
  log_event(LogLevel::kInfo, "listening",
            {{"host", args.host},
             {"port", server.port()},
             {"workers", so.workers},
             {"queue", so.queue},
             {"db", args.db.substr(0, args.db.find(':'))},
             {"mail", mail_desc},
             {"console", console.config().public_url + "/console/"}});

  // Models load while the server already answers (health: 503 "starting").
  std::thread loader([&] {
    // Test hook (documented in docs/API.md): delays readiness so tests can observe health 503.
    if (const char* d = std::getenv("LIVECHECK_TEST_LOAD_DELAY_MS")) {
      std::this_thread::sleep_for(std::chrono::milliseconds(std::atol(d)));
    }
    configure_cv_threads(so.workers);
    EngineOptions eo;
    eo.model_dir = args.models;
    eo.default_threshold = args.threshold;
    auto engine = Engine::load(eo);
    if (!engine.is_ok()) {
      log_event(LogLevel::kError, "model_load_failed", {{"error", engine.status().to_string()}});
      return server.stop(1);
    }
    auto pool = RunnerPool::create(engine.value(), so.workers);
    if (!pool.is_ok()) {
      log_event(LogLevel::kError, "runner_create_failed", {{"error", pool.status().to_string()}});
      return server.stop(1);
    }
    const std::string version = engine.value()->pack_version();
    const double load_ms = engine.value()->load_ms();
    service.set_engine(std::move(engine).value(), std::move(pool).value());
    log_event(LogLevel::kInfo, "ready", {{"model_pack", version}, {"load_ms", load_ms}});
  });
  const int rc = server.run();
  loader.join();
  sweeper.stop();
  log_event(LogLevel::kInfo, "stopped", {{"exit_code", rc}});
  return rc;
}

}  // namespace

CommandFn add_serve_command(CLI::App& root) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* sub = root.add_subcommand(
      "serve",
      "Run the HTTP API (POST /v1/check/liveness, GET /v1/usage, GET /v1/health,\n"
      "GET /openapi.yaml). Logs are JSON lines on stdout. SIGTERM drains in-flight requests.\n"
      "Every option also reads an environment variable (LIVECHECK_HOST, LIVECHECK_PORT, ...).");
  sub->add_option("--host", args->host, "Listen address (default 0.0.0.0)")
      ->envname("LIVECHECK_HOST");
  sub->add_option("--port", args->port, "Listen port (default 8080; 0 = any free port)")
      ->envname("LIVECHECK_PORT")
      ->check(CLI::Range(0, 65535));
  sub->add_option("--db", args->db, "Database URL (default sqlite:./data/livecheck.db)")
      ->envname("LIVECHECK_DB");
  sub->add_option("--models", args->models, "Model pack folder (default models)")
      ->envname("LIVECHECK_MODELS");
  sub->add_option("--workers", args->workers, "Inference threads (default: one per core)")
      ->envname("LIVECHECK_WORKERS")
      ->check(CLI::Range(1, 256));
  sub->add_option("--queue", args->queue,
                  "Inference jobs that may wait for a worker before 503 (default 128)")
      ->envname("LIVECHECK_QUEUE")
      ->check(CLI::Range(1, 100000));
  sub->add_option("--threshold", args->threshold, "Default isFakeFace threshold (default 0.15)")
      ->envname("LIVECHECK_THRESHOLD")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--read-timeout", args->read_timeout_s,
                  "Seconds to read one request or wait on an idle connection (default 30)")
      ->envname("LIVECHECK_READ_TIMEOUT")
      ->check(CLI::Range(0.1, 3600.0));
  sub->add_option("--max-buffered-mb", args->max_buffered_mb,
                  "Memory for request bodies read but not yet answered, MiB (default 256);\n"
                  "past it new uploads get 503 before they are read")
      ->envname("LIVECHECK_MAX_BUFFERED_MB")
      ->check(CLI::Range(1, 1 << 20));
  sub->add_option("--log-level", args->log_level, "debug|info|warn|error (default info)")
      ->envname("LIVECHECK_LOG_LEVEL")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  sub->add_option("--public-url", args->public_url,
                  "Public base URL of this server, for links in mail and Secure cookies\n"
                  "(default http://localhost:PORT)")
      ->envname("LIVECHECK_PUBLIC_URL");
  sub->add_option("--smtp-url", args->smtp_url,
                  "SMTP server for console mail, smtp://host:587 (STARTTLS when offered) or\n"
                  "smtps://host:465; none: messages are written to --outbox")
      ->envname("LIVECHECK_SMTP_URL");
  sub->add_option("--smtp-user", args->smtp_user, "SMTP user")->envname("LIVECHECK_SMTP_USER");
  sub->add_option("--smtp-password", args->smtp_password, "SMTP password")
      ->envname("LIVECHECK_SMTP_PASSWORD");
  sub->add_option("--mail-from", args->mail_from,
                  "From: of console mail (default livecheck <no-reply@localhost>)")
      ->envname("LIVECHECK_MAIL_FROM");
  sub->add_option("--data-dir", args->data_dir,
                  "Folder for files the server writes: mail outbox, session images, master key\n"
                  "(default data; the SQLite database is set by --db)")
      ->envname("LIVECHECK_DATA_DIR");
  sub->add_option("--outbox", args->outbox,
                  "Folder for .eml files when no SMTP server is set (default DATA_DIR/outbox)")
      ->envname("LIVECHECK_OUTBOX");
  sub->add_option("--marketplace-secret", args->marketplace_secret,
                  "HMAC secret of marketplace tokens (default: generated once, kept in the db)")
      ->envname("LIVECHECK_MARKETPLACE_SECRET");
  sub->add_option("--web-root", args->web_root,
                  "Serve pages from this web/ folder instead of the compiled-in copy (development)")
      ->envname("LIVECHECK_WEB_ROOT");
  sub->add_option("--session-dir", args->session_dir,
                  "Folder for session images and audit zips (default DATA_DIR/sessions)")
      ->envname("LIVECHECK_SESSION_DIR");
  sub->add_option("--image-retention-hours", args->image_retention_hours,
                  "Hours session images are kept before the sweeper deletes them (default 24)")
      ->envname("LIVECHECK_IMAGE_RETENTION_HOURS")
      ->check(CLI::Range(0.0, 24.0 * 365));
  sub->add_option("--master-key-file", args->master_key_file,
                  "File with the 32-byte key that seals access-key secrets; created (0600) if\n"
                  "missing. Keep it out of database backups (default DATA_DIR/master.key)")
      ->envname("LIVECHECK_MASTER_KEY_FILE");
  sub->add_option("--sweep-interval", args->sweep_interval_s,
                  "Seconds between retention sweeps (default 60)")
      ->envname("LIVECHECK_SWEEP_INTERVAL")
      ->check(CLI::Range(0.05, 86400.0));
  return [args] { return run_serve(*args); };
}

}  // namespace livecheck::cli
