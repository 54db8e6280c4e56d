// Console costs that bound its throughput: Argon2id hashing and verification (by design tens of
// milliseconds and 64 MiB each: they run on worker threads), and the cheap per-request work
// (marketplace token check, session-token hashing).
//   build/bench/console_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sodium.h>

#include "console/marketplace.h"
#include "console/password.h"
#include "console/tokens.h"

namespace {

using namespace livecheck::console;

void BM_HashPasswordArgon2id(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  for (auto _ : state) benchmark::DoNotOptimize(hash_password("Str0ng!pass"));
}
BENCHMARK(BM_HashPasswordArgon2id)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_VerifyPasswordArgon2id(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  const std::string h = hash_password("Str0ng!pass").value();
  for (auto _ : state) benchmark::DoNotOptimize(verify_password("Str0ng!pass", h));
}
BENCHMARK(BM_VerifyPasswordArgon2id)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ResolveMarketplaceToken(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  HmacTokenResolver r(std::string(64, 's'));
  const std::string t = r.mint("123456789012", "sub-1", "starter", 1'796'000'000, 3600).value();
  for (auto _ : state) benchmark::DoNotOptimize(r.resolve(t, 1'796'000'010));
}
BENCHMARK(BM_ResolveMarketplaceToken)->Unit(benchmark::kMicrosecond);

void BM_SessionCookieHash(benchmark::State& state) {
  if (sodium_init() < 0) state.SkipWithError("sodium_init");
  const std::string cookie = random_token();
  for (auto _ : state) benchmark::DoNotOptimize(sha256(cookie));
}
BENCHMARK(BM_SessionCookieHash)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
