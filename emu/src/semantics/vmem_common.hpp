// Data movement shared by the vector memory families (global/flat, MUBUF): per-lane loads of
// dwords or sub-dword formats into VGPRs, stores from VGPRs, and the atomic operations.
#pragma once

#include <atomic>

#include "common.hpp"

namespace asmk::emu::detail {

/// How a load or store moves data for one lane.
struct Format {
  uint8_t bytes = 4;     // bytes per element in memory
  uint8_t dwords = 1;    // registers written/read
  bool sign = false;     // sub-dword loads: sign-extend
  bool d16 = false;      // 16/8-bit loads into half a register, the other half kept
  bool hi = false;       // d16: the high half
};

/// Loads one lane's data from host memory `p` into the destination registers.
inline void load_lane(Wave& w, const Operand& dst, int lane, const uint8_t* p, const Format& f) {
  uint32_t* d = w.vreg(dst);
  if (f.bytes >= 4) {
    for (int i = 0; i < f.dwords; i++) std::memcpy(&d[i * kLanes + lane], p + 4 * i, 4);
    return;
  }
  uint32_t v = 0;
  std::memcpy(&v, p, f.bytes);
  if (f.sign) v = f.bytes == 1 ? uint32_t(int32_t(int8_t(v))) : uint32_t(int32_t(int16_t(v)));
  if (f.d16) {
    uint32_t half = v & 0xffff;
    d[lane] = f.hi ? ((d[lane] & 0xffffu) | (half << 16)) : ((d[lane] & 0xffff0000u) | half);
  } else {
    d[lane] = v;
  }
}

/// Stores one lane's data from the data registers to host memory `p`.
inline void store_lane(Wave& w, const Operand& data, int lane, uint8_t* p, const Format& f) {
  uint32_t scratch[2 * kLanes];
  if (f.bytes >= 4) {
    for (int i = 0; i < f.dwords; i++) {
      uint32_t v = lanes32(w, data, scratch, i)[lane];
      std::memcpy(p + 4 * i, &v, 4);
    }
    return;
  }
  uint32_t v = lanes32(w, data, scratch)[lane];
  if (f.hi) v >>= 16;
  std::memcpy(p, &v, f.bytes);
}

enum class AtomicOp : uint8_t { swap, cmpswap, add, sub, smin, umin, smax, umax, and_, or_, xor_, inc, dec,
                                add_f32, pk_add_f16, pk_add_bf16, add_f64, min_f64, max_f64 };

inline uint16_t bf16_add(uint16_t a, uint16_t b) {
  float s = f32(uint32_t(a) << 16) + f32(uint32_t(b) << 16);
  uint32_t u = b32(s);
  if (std::isnan(s)) return uint16_t((u >> 16) | 0x40);
  u += 0x7fff + ((u >> 16) & 1);  // round to nearest even
  return uint16_t(u >> 16);
}

/// new value of a 32-bit atomic; `cmp` only for cmpswap.
inline uint32_t atomic_apply32(AtomicOp op, uint32_t old, uint32_t src, uint32_t cmp) {
  switch (op) {
    case AtomicOp::swap: return src;
    case AtomicOp::cmpswap: return old == cmp ? src : old;
    case AtomicOp::add: return old + src;
    case AtomicOp::sub: return old - src;
    case AtomicOp::smin: return uint32_t(std::min(int32_t(old), int32_t(src)));
    case AtomicOp::umin: return std::min(old, src);
    case AtomicOp::smax: return uint32_t(std::max(int32_t(old), int32_t(src)));
    case AtomicOp::umax: return std::max(old, src);
    case AtomicOp::and_: return old & src;
    case AtomicOp::or_: return old | src;
    case AtomicOp::xor_: return old ^ src;
    case AtomicOp::inc: return old >= src ? 0 : old + 1;
    case AtomicOp::dec: return (old == 0 || old > src) ? src : old - 1;
    case AtomicOp::add_f32: return b32(f32(old) + f32(src));
    case AtomicOp::pk_add_f16:
      return uint32_t(f2h(h2f(uint16_t(old)) + h2f(uint16_t(src)))) |
             uint32_t(f2h(h2f(uint16_t(old >> 16)) + h2f(uint16_t(src >> 16)))) << 16;
    case AtomicOp::pk_add_bf16:
      return uint32_t(bf16_add(uint16_t(old), uint16_t(src))) |
             uint32_t(bf16_add(uint16_t(old >> 16), uint16_t(src >> 16))) << 16;
    default: return old;
  }
}
inline uint64_t atomic_apply64(AtomicOp op, uint64_t old, uint64_t src, uint64_t cmp) {
  switch (op) {
    case AtomicOp::swap: return src;
    case AtomicOp::cmpswap: return old == cmp ? src : old;
    case AtomicOp::add: return old + src;
    case AtomicOp::sub: return old - src;
    case AtomicOp::smin: return uint64_t(std::min(int64_t(old), int64_t(src)));
    case AtomicOp::umin: return std::min(old, src);
    case AtomicOp::smax: return uint64_t(std::max(int64_t(old), int64_t(src)));
    case AtomicOp::umax: return std::max(old, src);
    case AtomicOp::and_: return old & src;
    case AtomicOp::or_: return old | src;
    case AtomicOp::xor_: return old ^ src;
    case AtomicOp::inc: return old >= src ? 0 : old + 1;
    case AtomicOp::dec: return (old == 0 || old > src) ? src : old - 1;
    case AtomicOp::add_f64: return b64(f64(old) + f64(src));
    case AtomicOp::min_f64: return b64(std::fmin(f64(old), f64(src)));
    case AtomicOp::max_f64: return b64(std::fmax(f64(old), f64(src)));
    default: return old;
  }
}

/// Performs a lane's atomic on host memory with a compare-exchange loop; returns the old value.
inline uint64_t atomic_lane(uint8_t* p, AtomicOp op, bool wide, uint64_t src, uint64_t cmp) {
  if (wide) {
    std::atomic_ref<uint64_t> ref(*reinterpret_cast<uint64_t*>(p));
    uint64_t old = ref.load();
    while (!ref.compare_exchange_weak(old, atomic_apply64(op, old, src, cmp))) {}
    return old;
  }
  std::atomic_ref<uint32_t> ref(*reinterpret_cast<uint32_t*>(p));
  uint32_t old = ref.load();
  while (!ref.compare_exchange_weak(old, atomic_apply32(op, old, uint32_t(src), uint32_t(cmp)))) {}
  return old;
}

/// The 16 atomic names and their operation, for registration: suffix -> op (and whether 64-bit).
struct AtomicName {
  const char* suffix;
  AtomicOp op;
  bool wide;
};
inline constexpr AtomicName kAtomicNames[] = {
    {"swap", AtomicOp::swap, false},       {"cmpswap", AtomicOp::cmpswap, false}, {"add", AtomicOp::add, false},
    {"sub", AtomicOp::sub, false},         {"smin", AtomicOp::smin, false},       {"umin", AtomicOp::umin, false},
    {"smax", AtomicOp::smax, false},       {"umax", AtomicOp::umax, false},       {"and", AtomicOp::and_, false},
    {"or", AtomicOp::or_, false},          {"xor", AtomicOp::xor_, false},        {"inc", AtomicOp::inc, false},
    {"dec", AtomicOp::dec, false},         {"add_f32", AtomicOp::add_f32, false}, {"pk_add_f16", AtomicOp::pk_add_f16, false},
    {"pk_add_bf16", AtomicOp::pk_add_bf16, false},
    {"swap_x2", AtomicOp::swap, true},     {"cmpswap_x2", AtomicOp::cmpswap, true}, {"add_x2", AtomicOp::add, true},
    {"sub_x2", AtomicOp::sub, true},       {"smin_x2", AtomicOp::smin, true},     {"umin_x2", AtomicOp::umin, true},
    {"smax_x2", AtomicOp::smax, true},     {"umax_x2", AtomicOp::umax, true},     {"and_x2", AtomicOp::and_, true},
    {"or_x2", AtomicOp::or_, true},        {"xor_x2", AtomicOp::xor_, true},      {"inc_x2", AtomicOp::inc, true},
    {"dec_x2", AtomicOp::dec, true},       {"add_f64", AtomicOp::add_f64, true},  {"min_f64", AtomicOp::min_f64, true},
    {"max_f64", AtomicOp::max_f64, true},
};

/// Load/store format names shared by global_, flat_ and buffer_ mnemonics.
struct FormatName {
  const char* suffix;
  Format format;
};
inline constexpr FormatName kLoadFormats[] = {
    {"dword", {4, 1}}, {"dwordx2", {4, 2}}, {"dwordx3", {4, 3}}, {"dwordx4", {4, 4}},
    {"ubyte", {1, 1}}, {"sbyte", {1, 1, true}}, {"ushort", {2, 1}}, {"sshort", {2, 1, true}},
    {"ubyte_d16", {1, 1, false, true}}, {"ubyte_d16_hi", {1, 1, false, true, true}},
    {"sbyte_d16", {1, 1, true, true}}, {"sbyte_d16_hi", {1, 1, true, true, true}},
    {"short_d16", {2, 1, false, true}}, {"short_d16_hi", {2, 1, false, true, true}},
};
inline constexpr FormatName kStoreFormats[] = {
    {"dword", {4, 1}}, {"dwordx2", {4, 2}}, {"dwordx3", {4, 3}}, {"dwordx4", {4, 4}},
    {"byte", {1, 1}}, {"short", {2, 1}}, {"byte_d16_hi", {1, 1, false, true, true}},
    {"short_d16_hi", {2, 1, false, true, true}},
};

}  // namespace asmk::emu::detail
