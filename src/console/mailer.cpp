#include "console/mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "console/tokens.h"

namespace livecheck::console {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string domain_of(const std::string& address) {
  const auto at = address.find('@');
  return at == std::string::npos ? "localhost" : address.substr(at + 1);
}

// The body with CRLF line ends and SMTP dot-stuffing is left to curl (it stuffs dots itself).
std::string crlf(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out += '\r';
    if (c != '\r') out += c;
  }
  return out;
}

std::string angle(const std::string& address) {
  std::string out;
  out.reserve(address.size() + 2);
  out.push_back('<');
  out.append(address);
  out.push_back('>');
  return out;
}

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(MailConfig config) : config_(std::move(config)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  Status send(const MailMessage& m) override {
    const std::string data = render_message(m, config_.from, now_ms());
    struct Reader {
      const std::string* data;
      std::size_t pos = 0;
    } reader{&data};
    auto read_cb = +[](char* buf, std::size_t size, std::size_t n, void* user) -> std::size_t {
      auto* r = static_cast<Reader*>(user);
      const std::size_t len = std::min(size * n, r->data->size() - r->pos);
      std::memcpy(buf, r->data->data() + r->pos, len);
      r->pos += len;
      return len;
    };
    CURL* curl = curl_easy_init();
    if (!curl) return Status::io_error("mail: curl_easy_init failed");
    const std::string to = angle(m.to);
    curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
    const std::string from = angle(address_of(config_.from));
    curl_easy_setopt(curl, CURLOPT_URL, config_.smtp_url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(curl, CURLOPT_READDATA, &reader);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    // STARTTLS when the server offers it; credentials are only sent over TLS unless the URL is
    // plain smtp:// to a server that offers no TLS (a local relay).
    curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    if (!config_.smtp_user.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERNAME, config_.smtp_user.c_str());
      curl_easy_setopt(curl, CURLOPT_PASSWORD, config_.smtp_password.c_str());
    }
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, config_.timeout_s);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
    const CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return Status::io_error(std::string("mail: ") + curl_easy_strerror(rc));
    return Status::ok();
  }

  std::string describe() const override {
    // The URL never carries the password (it has its own option), but strip userinfo anyway.
    std::string url = config_.smtp_url;
    const auto scheme_end = url.find("://");
    if (auto at = url.find('@'); at != std::string::npos && scheme_end != std::string::npos) {
      url.erase(scheme_end + 3, at - scheme_end - 2);
    }
    std::string out = "smtp ";
    out += url;
    return out;
  }

 private:
  MailConfig config_;
};

class OutboxMailer final : public Mailer {
 public:
  explicit OutboxMailer(MailConfig config) : config_(std::move(config)) {}

  Status send(const MailMessage& m) override {
    std::error_code ec;
    std::filesystem::create_directories(config_.outbox_dir, ec);
    const std::int64_t t = now_ms();
    const std::string name = std::to_string(t) + "-" + random_token_hex(4) + ".eml";
    const auto path = std::filesystem::path(config_.outbox_dir) / name;
    const auto tmp = path.string() + ".tmp";
    {
      std::ofstream f(tmp, std::ios::binary);
      f << render_message(m, config_.from, t);
      if (!f.flush()) return Status::io_error("mail: cannot write " + tmp);
    }
    std::filesystem::rename(tmp, path, ec);  // readers never see half a message
    if (ec) return Status::io_error("mail: cannot write " + path.string());
    if (config_.on_outbox_write) config_.on_outbox_write(m, path.string());
    return Status::ok();
  }

  std::string describe() const override { return "outbox " + config_.outbox_dir; }

 private:
  MailConfig config_;
};

}  // namespace

std::string address_of(const std::string& mailbox) {
  const auto lt = mailbox.find('<');
  const auto gt = mailbox.find('>', lt == std::string::npos ? 0 : lt);
  if (lt != std::string::npos && gt != std::string::npos) return mailbox.substr(lt + 1, gt - lt - 1);
  return mailbox;
}

std::string render_message(const MailMessage& m, const std::string& from, std::int64_t t_ms) {
  const std::time_t t = static_cast<std::time_t>(t_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string out;
  out += "Date: " + std::string(date) + "\r\n";
  out += "From: " + from + "\r\n";
  out += "To: <" + m.to + ">\r\n";
  out += "Subject: " + m.subject + "\r\n";
  out += "Message-ID: <" + random_token_hex(12) + "@" + domain_of(address_of(from)) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "\r\n";
  out += crlf(m.text);
  if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") out += "\r\n";
  return out;
}

std::unique_ptr<Mailer> make_mailer(const MailConfig& config) {
  if (config.smtp_url.empty()) return std::make_unique<OutboxMailer>(config);
  return std::make_unique<SmtpMailer>(config);
}

}  // namespace livecheck::console
