#include "store/store.h"

#include "store/sqlite_store.h"

namespace livecheck::store {

const char* key_slot_name(KeySlot slot) {
  return slot == KeySlot::kPrimary ? "primary" : "secondary";
}

std::optional<KeySlot> key_slot_from_name(const std::string& name) {
  if (name == "primary") return KeySlot::kPrimary;
  if (name == "secondary") return KeySlot::kSecondary;
  return std::nullopt;
}

StatusOr<std::unique_ptr<Store>> open_store(const std::string& url) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (url.rfind(kSqlite, 0) == 0) {
    auto s = SqliteStore::open(url.substr(kSqlite.size()));
    if (!s.is_ok()) return s.status();
    return std::unique_ptr<Store>(std::move(s).value());
  }
  // postgresql://... lands here until the PostgreSQL store exists.
  return Status::invalid_argument("unsupported database URL (expected sqlite:PATH)");
}

}  // namespace livecheck::store
