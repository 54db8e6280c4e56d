// Account and key administration shared by `livecheck admin`, `make run` and (later) the console.
// Full keys are returned once, by create_account and regenerate_key, and never stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/store.h"

namespace livecheck::billing {

struct NewAccountRequest {
  std::string email;
  std::string company;
  std::string plan = "starter";
  bool hard_cap = false;
  std::optional<std::int64_t> monthly_limit;  // enterprise only
  std::int64_t now_ms = 0;
};

struct NewAccount {
  store::Account account;
  std::string primary_key;    // shown once
  std::string secondary_key;  // shown once
};

// invalid_argument for an unknown plan, a limit on a non-enterprise plan, an empty e-mail.
StatusOr<NewAccount> create_account(store::Store& store, const NewAccountRequest& request);

// Replaces the slot's key; the old key fails from the next request on. Returns the new key.
StatusOr<std::string> regenerate_key(store::Store& store, const std::string& customer_id,
                                     store::KeySlot slot, std::int64_t now_ms);

// Validates plan/limit like create_account.
Status change_plan(store::Store& store, const std::string& customer_id, const std::string& plan,
                   std::optional<std::int64_t> monthly_limit);

}  // namespace livecheck::billing
