// The in-memory rate-limit store: a hit on a key it tracks (every request behind RateLimit), and a hit on a
// new key when every shard is full (a flood of new addresses or names), with keys that refuse after one hit
// (limit 1: no open window to evict) and keys that stay under their limit (limit 100).
#include <aegis/middleware/rate_limit.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

// "k12": built with append, which sidesteps a g++ 12 -Wrestrict false positive on "k" + std::string.
std::string named(const char* prefix, std::size_t i) { return std::string(prefix).append(std::to_string(i)); }

void BM_RateLimitHitKnownKey(benchmark::State& state) {
  aegis::MemoryRateLimitStore store;
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < 1000; ++i) keys.push_back(named("ip:10.0.0.", i));
  for (const auto& k : keys) store.hit(k, 60s, 1000000, now);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(store.hit(keys[i++ % keys.size()], 60s, 1000000, now));
  }
}

void BM_RateLimitNewKeyIntoAFullStore(benchmark::State& state) {
  const auto limit = static_cast<std::uint32_t>(state.range(0));
  aegis::MemoryRateLimitStore store(100000);
  const auto now = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < 200000; ++i) store.hit(named("k", i), 600s, limit, now);
  std::vector<std::string> fresh;
  for (std::size_t i = 0; i < 100000; ++i) fresh.push_back(named("x", i));
  std::size_t i = 0;
  for (auto _ : state) {
    // Past 100,000 hits the names come round again: by then each has been evicted (the store holds
    // 100,000 keys and every hit here brings a new one in).
    benchmark::DoNotOptimize(store.hit(fresh[i++ % fresh.size()], 600s, limit, now));
  }
}

}  // namespace

BENCHMARK(BM_RateLimitHitKnownKey);
BENCHMARK(BM_RateLimitNewKeyIntoAFullStore)->Arg(1)->Arg(100);
