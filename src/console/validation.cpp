#include "console/validation.h"

#include <algorithm>
#include <cctype>

namespace livecheck::console {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
  });
}

}  // namespace

bool plausible_email(const std::string& e) {
  if (e.empty() || e.size() > 254 || has_control(e) || e.find(' ') != std::string::npos) {
    return false;
  }
  const auto at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos) return false;
  const std::string domain = e.substr(at + 1);
  const auto dot = domain.find('.');
  return dot != std::string::npos && dot > 0 && domain.back() != '.' &&
         domain.find("..") == std::string::npos;
}

bool valid_website(const std::string& url) {
  constexpr std::string_view kScheme = "https://";
  if (url.size() > 2048 || url.rfind(kScheme, 0) != 0 || has_control(url) ||
      url.find(' ') != std::string::npos) {
    return false;
  }
  const std::string rest = url.substr(kScheme.size());
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.find('@') != std::string::npos) return false;  // no credentials in a company URL
  host = host.substr(0, host.find(':'));
  if (host.empty()) return false;
  const bool chars_ok = std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
  return chars_ok && (host == "localhost" || (host.find('.') != std::string::npos &&
                                               host.front() != '.' && host.back() != '.'));
}

std::map<std::string, std::string> normalise_and_validate(SignupForm& f) {
  std::map<std::string, std::string> errors;
  f.first_name = trim(f.first_name);
  f.last_name = trim(f.last_name);
  f.email = trim(f.email);
  std::transform(f.email.begin(), f.email.end(), f.email.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  f.company = trim(f.company);
  f.website = trim(f.website);
  auto text = [&](const char* field, const std::string& v, const char* label) {
    if (v.empty()) {
      errors[field] = std::string(label) + " is required.";
    } else if (v.size() > 200 || has_control(v)) {
      errors[field] = std::string(label) + " must be at most 200 characters of text.";
    }
  };
  text("first_name", f.first_name, "First name");
  text("last_name", f.last_name, "Last name");
  text("company", f.company, "Company");
  if (f.email.empty()) {
    errors["email"] = "Work e-mail is required.";
  } else if (!plausible_email(f.email)) {
    errors["email"] = "Enter an e-mail address like name@company.com.";
  }
  if (f.website.empty()) {
    errors["website"] = "Website is required.";
  } else if (!valid_website(f.website)) {
    errors["website"] = "Enter the website as https://company.com.";
  }
  return errors;
}

}  // namespace livecheck::console
