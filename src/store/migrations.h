// Schema migrations, applied in name order, each once, inside one transaction per file.
// The SQL lives in src/store/migrations/NNN_name.sql and is compiled into the binary.
#pragma once

#include <string>
#include <vector>

namespace livecheck::store {

struct Migration {
  std::string name;  // "001_init.sql"; recorded in schema_migrations
  std::string sql;
};

const std::vector<Migration>& migrations();

}  // namespace livecheck::store
