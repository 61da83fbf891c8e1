// FeatureFlagRegistry: declaration, resolution order (user > tenant > system > default), clearing
// overrides, undeclared flags, and lock-free reads while a writer changes overrides.
#include <aegis/registries/feature_flags.hpp>
#include <aegis/registries/principal.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace aegis;

Principal user(std::string id, std::string tenant) {
  Principal p;
  p.id = std::move(id);
  p.tenant = std::move(tenant);
  return p;
}

TEST(FeatureFlags, DeclaredFlagsStartAtTheirDefault) {
  FeatureFlagRegistry flags;
  flags.add("orders.new_checkout", false, "The new checkout");
  flags.add("orders.fast_search", true);
  const Principal alice = user("alice", "acme");
  EXPECT_FALSE(flags.is_enabled("orders.new_checkout"));
  EXPECT_FALSE(flags.is_enabled("orders.new_checkout", &alice));
  EXPECT_TRUE(flags.is_enabled("orders.fast_search"));
  EXPECT_TRUE(flags.is_enabled("orders.fast_search", &alice));
  EXPECT_TRUE(flags.declared("orders.new_checkout"));
  EXPECT_FALSE(flags.declared("orders.unknown"));
  EXPECT_TRUE(flags.undeclared_checks().empty());
}

TEST(FeatureFlags, ResolutionIsUserThenTenantThenSystemThenDefault) {
  FeatureFlagRegistry flags;
  flags.add("f", false);
  const Principal alice = user("alice", "acme");
  const Principal bob = user("bob", "acme");
  const Principal carol = user("carol", "globex");

  flags.set_override(FlagScope::system, "", "f", true);
  EXPECT_TRUE(flags.is_enabled("f"));
  EXPECT_TRUE(flags.is_enabled("f", &alice));
  EXPECT_TRUE(flags.is_enabled("f", &carol));

  flags.set_override(FlagScope::tenant, "acme", "f", false);
  EXPECT_TRUE(flags.is_enabled("f")) << "no principal: the tenant override does not apply";
  EXPECT_FALSE(flags.is_enabled("f", &alice));
  EXPECT_FALSE(flags.is_enabled("f", &bob));
  EXPECT_TRUE(flags.is_enabled("f", &carol));

  flags.set_override(FlagScope::user, "alice", "f", true);
  EXPECT_TRUE(flags.is_enabled("f", &alice));
  EXPECT_FALSE(flags.is_enabled("f", &bob));
  EXPECT_TRUE(flags.is_enabled("f", &carol));

  // A user override wins over everything, in both directions.
  flags.set_override(FlagScope::user, "carol", "f", false);
  EXPECT_FALSE(flags.is_enabled("f", &carol));
  EXPECT_TRUE(flags.is_enabled("f"));
}

TEST(FeatureFlags, ClearingAnOverrideFallsBackToTheNextLevel) {
  FeatureFlagRegistry flags;
  flags.add("f", false);
  const Principal alice = user("alice", "acme");
  flags.set_override(FlagScope::system, "", "f", true);
  flags.set_override(FlagScope::tenant, "acme", "f", false);
  flags.set_override(FlagScope::user, "alice", "f", true);
  EXPECT_TRUE(flags.is_enabled("f", &alice));

  flags.clear_override(FlagScope::user, "alice", "f");
  EXPECT_FALSE(flags.is_enabled("f", &alice)) << "the tenant override";
  flags.clear_override(FlagScope::tenant, "acme", "f");
  EXPECT_TRUE(flags.is_enabled("f", &alice)) << "the system override";
  flags.clear_override(FlagScope::system, "", "f");
  EXPECT_FALSE(flags.is_enabled("f", &alice)) << "the default";
  // Clearing what is not set is harmless.
  EXPECT_NO_THROW(flags.clear_override(FlagScope::user, "nobody", "f"));
  EXPECT_NO_THROW(flags.clear_override(FlagScope::system, "", "f"));
  EXPECT_FALSE(flags.is_enabled("f", &alice));
}

TEST(FeatureFlags, AnOverrideCanBeChangedInPlace) {
  FeatureFlagRegistry flags;
  flags.add("f", false);
  const Principal alice = user("alice", "");
  flags.set_override(FlagScope::user, "alice", "f", true);
  flags.set_override(FlagScope::user, "alice", "f", false);
  EXPECT_FALSE(flags.is_enabled("f", &alice));
  const auto all = flags.flags();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].user_overrides, (std::vector<std::pair<std::string, bool>>{{"alice", false}}));
}

TEST(FeatureFlags, PrincipalsWithoutIdOrTenantUseTheSystemLevel) {
  FeatureFlagRegistry flags;
  flags.add("f", false);
  flags.set_override(FlagScope::system, "", "f", true);
  flags.set_override(FlagScope::tenant, "acme", "f", false);
  const Principal anonymous = user("", "");
  EXPECT_TRUE(flags.is_enabled("f", &anonymous));
  // A tenant or user override needs its subject.
  EXPECT_THROW(flags.set_override(FlagScope::user, "", "f", true), std::invalid_argument);
  EXPECT_THROW(flags.set_override(FlagScope::tenant, "", "f", true), std::invalid_argument);
  EXPECT_TRUE(flags.is_enabled("f", &anonymous));
}

TEST(FeatureFlags, FlagsListsEveryFlagSortedWithItsOverrides) {
  FeatureFlagRegistry flags;
  flags.add("zeta", true, "last");
  flags.add("alpha", false, "first");
  flags.set_override(FlagScope::system, "", "alpha", true);
  flags.set_override(FlagScope::tenant, "globex", "alpha", false);
  flags.set_override(FlagScope::tenant, "acme", "alpha", true);
  flags.set_override(FlagScope::user, "bob", "zeta", false);
  const auto all = flags.flags();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].name, "alpha");
  EXPECT_FALSE(all[0].default_value);
  EXPECT_EQ(all[0].description, "first");
  EXPECT_EQ(all[0].system_override, true);
  EXPECT_EQ(all[0].tenant_overrides, (std::vector<std::pair<std::string, bool>>{{"acme", true}, {"globex", false}}));
  EXPECT_EQ(all[1].name, "zeta");
  EXPECT_FALSE(all[1].system_override.has_value());
  EXPECT_EQ(all[1].user_overrides, (std::vector<std::pair<std::string, bool>>{{"bob", false}}));
}

TEST(FeatureFlags, UndeclaredFlagsAreOffAndListedOnce) {
  FeatureFlagRegistry flags;
  flags.add("declared", true);
  const Principal alice = user("alice", "acme");
  EXPECT_FALSE(flags.is_enabled("ghost"));
  EXPECT_FALSE(flags.is_enabled("ghost", &alice));
  EXPECT_FALSE(flags.is_enabled("phantom"));
  EXPECT_TRUE(flags.is_enabled("declared"));
  EXPECT_EQ(flags.undeclared_checks(), (std::vector<std::string>{"ghost", "phantom"}));
}

TEST(FeatureFlags, OverridingAnUndeclaredFlagThrows) {
  FeatureFlagRegistry flags;
  try {
    flags.set_override(FlagScope::system, "", "ghost", true);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'ghost'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(flags.set_override(FlagScope::user, "alice", "ghost", true), std::invalid_argument);
  EXPECT_THROW(flags.clear_override(FlagScope::tenant, "acme", "ghost"), std::invalid_argument);
  EXPECT_FALSE(flags.declared("ghost"));
}

// The stored overrides are loaded at boot in one publication, all or nothing.
TEST(FeatureFlags, ManyOverridesAreSetAtOnceOrNotAtAll) {
  FeatureFlagRegistry flags;
  flags.add("checkout", false);
  flags.add("search", true);
  std::vector<FeatureFlagOverride> stored;
  for (int i = 0; i < 20000; ++i) {
    std::string id = std::to_string(i);  // "u" + to_string trips g++ 12's -Wrestrict
    id.insert(0, 1, 'u');
    stored.push_back({FlagScope::user, std::move(id), "checkout", i % 2 == 0});
  }
  stored.push_back({FlagScope::tenant, "acme", "search", false});
  stored.push_back({FlagScope::system, "", "checkout", true});
  stored.push_back({FlagScope::user, "u7", "checkout", true});  // a later value for a subject wins
  flags.set_override(FlagScope::user, "u9", "checkout", false);  // set before: replaced below
  stored.push_back({FlagScope::user, "u9", "checkout", true});
  flags.set_overrides(stored);
  const Principal even = user("u42", "");
  const Principal odd = user("u43", "acme");
  const Principal other = user("x", "acme");
  EXPECT_TRUE(flags.is_enabled("checkout", &even));
  EXPECT_FALSE(flags.is_enabled("checkout", &odd));
  const Principal u7 = user("u7", ""), u9 = user("u9", "");
  EXPECT_TRUE(flags.is_enabled("checkout", &u7));
  EXPECT_TRUE(flags.is_enabled("checkout", &u9));
  EXPECT_TRUE(flags.is_enabled("checkout", &other));  // the system override
  EXPECT_FALSE(flags.is_enabled("search", &other));   // the tenant's
  EXPECT_EQ(flags.flags().front().user_overrides.size(), 20000u);

  const std::vector<FeatureFlagOverride> bad = {{FlagScope::system, "", "search", false},
                                                {FlagScope::user, "u1", "ghost", true}};
  EXPECT_THROW(flags.set_overrides(bad), std::invalid_argument);
  const std::vector<FeatureFlagOverride> no_subject = {{FlagScope::system, "", "search", false},
                                                       {FlagScope::tenant, "", "search", true}};
  EXPECT_THROW(flags.set_overrides(no_subject), std::invalid_argument);
  EXPECT_TRUE(flags.is_enabled("search")) << "a refused batch changed something";
}

TEST(FeatureFlags, DuplicateAndEmptyNamesAreRejected) {
  FeatureFlagRegistry flags;
  flags.add("f", false);
  EXPECT_THROW(flags.add("f", true), std::invalid_argument);
  EXPECT_THROW(flags.add("", true), std::invalid_argument);
  EXPECT_FALSE(flags.is_enabled("f"));
}

// Readers check flags on several threads while a writer flips overrides: every read is a plain true or
// false of a consistent snapshot, nothing crashes (ASan/TSan builds check the memory side).
TEST(FeatureFlags, ConcurrentReadersWhileAWriterFlipsOverrides) {
  FeatureFlagRegistry flags;
  flags.add("flip", false);
  flags.add("steady", true);
  flags.set_override(FlagScope::tenant, "acme", "steady", true);

  std::atomic<bool> stop{false};
  std::atomic<bool> bad_value{false};
  std::atomic<bool> steady_changed{false};
  std::atomic<long> reads{0};
  std::atomic<long> trues{0};

  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      const Principal alice = user("alice", "acme");
      const Principal bob = user("bob", t % 2 == 0 ? "acme" : "globex");
      long local_reads = 0;
      long local_trues = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        for (const Principal* p : {static_cast<const Principal*>(nullptr), &alice, &bob}) {
          const bool v = flags.is_enabled("flip", p);
          unsigned char raw = 0;
          std::memcpy(&raw, &v, 1);
          if (raw > 1) bad_value = true;
          local_trues += v ? 1 : 0;
          ++local_reads;
          if (!flags.is_enabled("steady", p)) steady_changed = true;
        }
      }
      reads += local_reads;
      trues += local_trues;
    });
  }

  long writes = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
  bool on = false;
  while (std::chrono::steady_clock::now() < until) {
    on = !on;
    flags.set_override(FlagScope::system, "", "flip", on);
    flags.set_override(FlagScope::user, "alice", "flip", !on);
    if (writes % 3 == 0) flags.clear_override(FlagScope::user, "alice", "flip");
    ++writes;
    // Each change keeps the previous snapshot for a minute: pace the writer so memory stays small.
    std::this_thread::sleep_for(std::chrono::microseconds(20));
  }
  stop = true;
  for (auto& t : readers) t.join();

  EXPECT_FALSE(bad_value.load());
  EXPECT_FALSE(steady_changed.load()) << "a flag nobody changed must never read differently";
  EXPECT_GT(reads.load(), 0);
  EXPECT_GT(writes, 0);
  EXPECT_LE(trues.load(), reads.load());
  // After the writer stopped every reader sees its last write.
  const Principal bob = user("bob", "acme");
  EXPECT_EQ(flags.is_enabled("flip", &bob), on);
  EXPECT_TRUE(flags.undeclared_checks().empty());
}

}  // namespace
