#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "console/mailer.h"
#include "console/tokens.h"

namespace livecheck::console {
namespace {

TEST(Mail, RenderedMessageHasHeadersAndCrlfBody) {
  MailMessage m{"ada@example.com", "Verify", "line 1\nline 2\n", "http://x/verify?token=t"};
  const std::string text = render_message(m, "livecheck <no-reply@example.test>", 0);
  EXPECT_NE(text.find("Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"), std::string::npos);
  EXPECT_NE(text.find("From: livecheck <no-reply@example.test>\r\n"), std::string::npos);
  EXPECT_NE(text.find("To: <ada@example.com>\r\n"), std::string::npos);
  EXPECT_NE(text.find("Message-ID: <"), std::string::npos);
  EXPECT_NE(text.find("@example.test>\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nline 1\r\nline 2\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);  // no bare LF anywhere
}

TEST(Mail, AddressOfMailbox) {
  EXPECT_EQ(address_of("livecheck <a@b.c>"), "a@b.c");
  EXPECT_EQ(address_of("a@b.c"), "a@b.c");
}

TEST(Mail, OutboxWritesOneEmlPerMessageAndReportsIt) {
  const auto dir = std::filesystem::temp_directory_path() / ("lc-outbox-" + random_token_hex(6));
  MailConfig c;
  c.outbox_dir = dir.string();
  std::string seen_link, seen_path;
  c.on_outbox_write = [&](const MailMessage& m, const std::string& p) {
    seen_link = m.link;
    seen_path = p;
  };
  auto mailer = make_mailer(c);
  ASSERT_TRUE(mailer->send({"a@b.example", "S", "body http://l\n", "http://l"}).is_ok());
  ASSERT_TRUE(mailer->send({"a@b.example", "S", "second\n", "http://m"}).is_ok());
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(e.path().extension(), ".eml");
    ++files;
  }
  EXPECT_EQ(files, 2);
  EXPECT_EQ(seen_link, "http://m");
  std::ifstream f(seen_path);
  std::stringstream ss;
  ss << f.rdbuf();
  EXPECT_NE(ss.str().find("second"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Mail, UnreachableSmtpServerIsAnIoErrorNotACrash) {
  MailConfig c;
  c.smtp_url = "smtp://127.0.0.1:1";  // nothing listens on port 1
  c.timeout_s = 5;
  auto mailer = make_mailer(c);
  Status s = mailer->send({"a@b.example", "S", "x\n", ""});
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(mailer->describe(), "smtp smtp://127.0.0.1:1");
}

}  // namespace
}  // namespace livecheck::console
