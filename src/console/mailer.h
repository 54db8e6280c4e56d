// Outgoing mail for the console (verification and password-reset links).
//
// SmtpMailer sends through libcurl to --smtp-url (smtp://host:587 upgrades with STARTTLS when the
// server offers it; smtps://host:465 is TLS from the start). OutboxMailer, the embedded default
// when no SMTP server is configured, writes each message as an .eml file into a folder and logs
// its link, so that `make run` works with no mail server at all.
// Thread safety: send() may be called from several threads at once. It blocks (network, disk):
// call it from a worker thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "livecheck/status.h"

namespace livecheck::console {

struct MailMessage {
  std::string to;       // a validated address (no CR/LF)
  std::string subject;  // ASCII
  std::string text;     // plain-text body, UTF-8
  std::string link;     // the link the message carries (the outbox logs it)
};

struct MailConfig {
  std::string smtp_url;  // empty: outbox
  std::string smtp_user;
  std::string smtp_password;
  std::string from = "livecheck <no-reply@localhost>";
  std::string outbox_dir = "data/outbox";
  long timeout_s = 20;  // connect + transfer, per message
  // Outbox only: called after a message was written (the server logs the file and its link, so
  // that a local user can follow it without opening the file).
  std::function<void(const MailMessage&, const std::string& path)> on_outbox_write;
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // io_error when the message could not be handed over (the caller shows a retryable error).
  virtual Status send(const MailMessage& message) = 0;
  virtual std::string describe() const = 0;  // for the start-up log, never the password
};

std::unique_ptr<Mailer> make_mailer(const MailConfig& config);

// The RFC 5322 text of a message (CRLF line ends, Date, Message-ID, MIME headers).
std::string render_message(const MailMessage& message, const std::string& from,
                           std::int64_t now_ms);
// "Name <a@b.c>" -> "a@b.c"; "a@b.c" -> "a@b.c".
std::string address_of(const std::string& mailbox);

}  // namespace livecheck::console
