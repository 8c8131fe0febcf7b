#include "selection_cache.hpp"

#include <algorithm>
#include <bit>
#include <mutex>


namespace asmk::ops {
namespace {

constexpr std::uint64_t kMaxAlignmentBits = 16;
constexpr std::uint64_t kNullPointerClass = 64;

// A 64-bit mix (the finalizer of splitmix64): cheap, and every input bit moves every output bit.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t name_hash(std::string_view name) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return h;
}

}  // namespace

CacheKey::CacheKey(std::string_view op, Purpose purpose) {
  add(name_hash(op));
  add(static_cast<std::uint64_t>(purpose));
}

CacheKey& CacheKey::add(std::uint64_t value) {
  if (size_ == kMaxWords) {
    complete_ = false;  // an op with that many arguments is not cached (every call validated in full)
    return *this;
  }
  words_[size_++] = value;
  hash_ = mix(hash_ ^ (value + 0x9e3779b97f4a7c15ULL + (hash_ << 6)));
  return *this;
}

CacheKey& CacheKey::add_alignment(const void* pointer) {
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  if (address == 0) return add(kNullPointerClass);
  return add(std::min<std::uint64_t>(std::countr_zero(address), kMaxAlignmentBits));
}

bool CacheKey::operator==(const CacheKey& other) const {
  return complete_ && other.complete_ && size_ == other.size_ && std::equal(words_.begin(), words_.begin() + size_, other.words_.begin());
}

std::size_t SelectionCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

CachedOpPtr SelectionCache::find(const CacheKey& key) const {
  if (!key.complete()) return nullptr;
  std::shared_lock lock(mutex_);
  const auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

CachedOpPtr SelectionCache::insert(const CacheKey& key, std::span<const asmk_op_arg> args, CachedOpPtr entry) {
  if (!key.complete()) return entry;
  std::unique_lock lock(mutex_);
  if (const auto it = entries_.find(key); it != entries_.end())  // another thread was first, or a collision
    return it->second->layout.matches(args) ? it->second : entry;
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.emplace(key, entry);
  return entry;
}

}  // namespace asmk::ops
