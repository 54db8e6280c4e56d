#include "billing/accounts.h"

#include "billing/plans.h"
#include "store/api_keys.h"

namespace livecheck::billing {
namespace {

Status validate_plan(const std::string& plan, std::optional<std::int64_t> limit) {
  const Plan* p = find_plan(plan);
  if (!p) return Status::invalid_argument("unknown plan '" + plan + "'");
  if (limit && !p->per_account_limit) {
    return Status::invalid_argument("--limit applies to the enterprise plan only");
  }
  if (limit && *limit < 0) return Status::invalid_argument("limit must be >= 0");
  return Status::ok();
}

}  // namespace

StatusOr<NewAccount> create_account(store::Store& store, const NewAccountRequest& r) {
  if (r.email.empty() || r.email.find('@') == std::string::npos) {
    return Status::invalid_argument("a valid e-mail is required");
  }
  if (Status s = validate_plan(r.plan, r.monthly_limit); !s.is_ok()) return s;
  NewAccount out;
  out.account.customer_id = store::generate_uuid_v4();
  out.account.email = r.email;
  out.account.company = r.company;
  out.account.plan = r.plan;
  out.account.monthly_limit = r.monthly_limit;
  out.account.hard_cap = r.hard_cap;
  out.account.created_at_ms = r.now_ms;
  if (Status s = store.create_account(out.account); !s.is_ok()) return s;
  auto primary = regenerate_key(store, out.account.customer_id, store::KeySlot::kPrimary, r.now_ms);
  if (!primary.is_ok()) return primary.status();
  auto secondary =
      regenerate_key(store, out.account.customer_id, store::KeySlot::kSecondary, r.now_ms);
  if (!secondary.is_ok()) return secondary.status();
  out.primary_key = std::move(primary).value();
  out.secondary_key = std::move(secondary).value();
  return out;
}

StatusOr<std::string> regenerate_key(store::Store& store, const std::string& customer_id,
                                     store::KeySlot slot, std::int64_t now_ms) {
  if (auto a = store.get_account(customer_id); !a.is_ok()) return a.status();
  store::KeyRecord k;
  const std::string key = store::generate_api_key();
  k.customer_id = customer_id;
  k.slot = slot;
  k.hash = store::hash_api_key(key);
  k.display_prefix = store::display_prefix(key);
  k.created_at_ms = now_ms;
  if (Status s = store.put_key(k); !s.is_ok()) return s;
  return key;
}

Status change_plan(store::Store& store, const std::string& customer_id, const std::string& plan,
                   std::optional<std::int64_t> monthly_limit) {
  if (Status s = validate_plan(plan, monthly_limit); !s.is_ok()) return s;
  return store.set_plan(customer_id, plan, monthly_limit);
}

}  // namespace livecheck::billing
