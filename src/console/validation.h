// Server-side validation of the onboarding form (the page validates the same rules first).
// Thread safety: pure functions.
#pragma once

#include <map>
#include <string>

namespace livecheck::console {

struct SignupForm {
  std::string first_name;
  std::string last_name;
  std::string email;
  std::string company;
  std::string website;
};

// Trims surrounding whitespace and lower-cases the e-mail in place; returns field -> message for
// each invalid field (empty when the form is acceptable).
std::map<std::string, std::string> normalise_and_validate(SignupForm& form);

// "name@example.com": one '@', a non-empty local part, a domain with a dot, no spaces or
// control characters, at most 254 bytes. Deliverability is proven by the verification mail.
bool plausible_email(const std::string& email);
// "https://host[:port][/path]" with a host that has a dot (or is localhost), no spaces.
bool valid_website(const std::string& url);

}  // namespace livecheck::console
