// The per-context selection cache: what an op chose for a problem, kept so that a framework
// launching the same problem again pays for validation and enqueue only (figures:
// perf/bench_launch/README.md).
//
// Key: the op, whether the entry is for asmk_select_* or for a launch, and every input the
// selection depends on — shape, dtypes, layout, raw strides (0 = packed is its own value), the
// split-K budget and forced factor, and of each pointer a `requires` rule may look at its
// alignment class (the number of trailing zero bits, capped at 16: exact for every power-of-two
// alignment rule up to 64 KiB; contracts.md's rules are powers of two). The device is the
// context's and never changes, so it is not in the key. Buffer pointers and sizes are not in the
// key: they are checked on every call.
//
// Value: the Selection and, for launches, the launches prepared for packing (prepared_launch.hpp).
// Entries are immutable and shared: a reader keeps its entry alive while the cache moves on.
// Thread-safe (a shared mutex: many readers, one writer); bounded — when full, it is emptied and
// refilled (a steady workload has a handful of problems; an adversarial one only pays the misses).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "arg_layout.hpp"
#include "element_rules.hpp"
#include "prepared_launch.hpp"
#include "selection.hpp"

namespace asmk::ops {

// What a cache entry serves: a selector call (pointers optional) or a launch.
enum class Purpose : std::uint64_t { select = 1, run = 2 };

class CacheKey {
 public:
  static constexpr std::size_t kMaxWords = 96;  // 2 per argument (call_key.hpp): 47 arguments

  CacheKey(std::string_view op, Purpose purpose);

  CacheKey& add(std::uint64_t value);
  // The alignment class of a pointer (null is its own class).
  CacheKey& add_alignment(const void* pointer);

  bool operator==(const CacheKey& other) const;
  std::size_t hash() const { return hash_; }
  // False when more than kMaxWords were added: such a key matches nothing and is never kept.
  bool complete() const { return complete_; }

 private:
  std::array<std::uint64_t, kMaxWords> words_;  // the first size_ are set
  std::uint32_t size_ = 0;
  bool complete_ = true;
  std::size_t hash_ = 0;
};

struct CachedOp {
  ArgLayout layout;  // of the arguments that made it: confirms a hit, places the tensors
  Selection selection;
  std::vector<PreparedLaunch> launches;  // empty for Purpose::select
  std::vector<ElementCheck> element_checks;  // launches: the given tensors' element rules (most ops: none)
};
using CachedOpPtr = std::shared_ptr<const CachedOp>;

class SelectionCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 4096;

  // capacity 0 disables the cache: every lookup misses and nothing is kept.
  explicit SelectionCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}

  // The entry for `key` and `args`, made by `make()` (which may throw: nothing is kept) on a miss.
  // An entry under the same key made from other arguments (a hash collision) is left alone: the
  // made one is returned without being kept.
  template <typename Make>
  CachedOpPtr get(const CacheKey& key, std::span<const asmk_op_arg> args, Make&& make) {
    if (capacity_ == 0) return make();
    if (CachedOpPtr hit = find(key)) return hit->layout.matches(args) ? hit : make();
    return insert(key, args, make());
  }

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  struct KeyHash {
    std::size_t operator()(const CacheKey& key) const { return key.hash(); }
  };

  CachedOpPtr find(const CacheKey& key) const;
  CachedOpPtr insert(const CacheKey& key, std::span<const asmk_op_arg> args, CachedOpPtr entry);

  std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<CacheKey, CachedOpPtr, KeyHash> entries_;
};

}  // namespace asmk::ops
