// Global and flat memory: loads, stores and atomics. Global addresses are vaddr (64-bit) + offset,
// or saddr (64-bit SGPRs) + zero-extended vaddr (32-bit) + offset. Flat addresses inside the shared
// aperture reach LDS, inside the private aperture the lane's scratch. scratch_* instructions address
// the lane's private segment directly: vaddr (32-bit, or off) + saddr (32-bit, or off) + offset.
#include <utility>

#include "../exec/memory_access.hpp"
#include "vmem_common.hpp"

namespace asmk::emu::detail {
namespace {

struct Addressing {
  uint32_t lo_scratch[kLanes], hi_scratch[kLanes];
  const uint32_t* lo;
  const uint32_t* hi = nullptr;
  uint64_t sbase = 0;
  bool has_saddr;
  int64_t offset;
  Addressing(Wave& w, const Instr& in, const Operand& vaddr, const Operand* saddr) : offset(in.m.offset) {
    has_saddr = saddr && saddr->kind != OpKind::off && saddr->kind != OpKind::none;
    lo = lanes32(w, vaddr, lo_scratch, 0);
    if (has_saddr) sbase = sread64(w, *saddr);
    else hi = lanes32(w, vaddr, hi_scratch, 1);
  }
  uint64_t operator[](int l) const {
    if (has_saddr) return sbase + lo[l] + uint64_t(offset);
    return (uint64_t(lo[l]) | uint64_t(hi[l]) << 32) + uint64_t(offset);
  }
};

bool in_shared_aperture(uint64_t a) { return a >= kSharedApertureBase && a - kSharedApertureBase < (1ull << 32); }
bool in_private_aperture(uint64_t a) { return a >= kPrivateApertureBase && a - kPrivateApertureBase < (1ull << 32); }

/// Host pointer for a flat/global lane access, or nullptr (the wave faulted, or an LDS access was dropped).
uint8_t* lane_pointer(Wave& w, const Instr& in, RegionCache& cache, int l, uint64_t a, uint32_t bytes, bool write,
                      bool flat, bool& lds) {
  lds = false;
  if (flat && in_shared_aperture(a)) {
    lds = true;
    return lds_pointer(w, in, l, a - kSharedApertureBase, bytes, write);
  }
  if (flat && in_private_aperture(a)) return scratch_pointer(w, in, l, a - kPrivateApertureBase, bytes);
  return global_pointer(w, in, cache, l, a, bytes, write);
}

template <bool Flat, int F>
void load(Wave& w, const Instr& in) {
  constexpr Format f = kLoadFormats[F].format;
  Addressing addr(w, in, in.op[1], Flat ? nullptr : &in.op[2]);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const uint32_t bytes = f.bytes * (f.bytes >= 4 ? f.dwords : 1);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    bool lds;
    uint8_t* p = lane_pointer(w, in, cache, l, addr[l], bytes, false, Flat, lds);
    if (!p) {
      if (w.done) return;
      static const uint8_t zeros[16] = {};
      load_lane(w, in.op[0], l, zeros, f);
      continue;
    }
    load_lane(w, in.op[0], l, p, f);
  }
  w.stats->global_read += uint64_t(bytes) * std::popcount(exec);
  note_vm(w, &in.op[0]);
  if (Flat) note_lds(w, nullptr);
}

template <bool Flat, int F>
void store(Wave& w, const Instr& in) {
  constexpr Format f = kStoreFormats[F].format;
  Addressing addr(w, in, in.op[0], Flat ? nullptr : &in.op[2]);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const uint32_t bytes = f.bytes * (f.bytes >= 4 ? f.dwords : 1);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    bool lds;
    uint8_t* p = lane_pointer(w, in, cache, l, addr[l], bytes, true, Flat, lds);
    if (!p) {
      if (w.done) return;
      continue;
    }
    store_lane(w, in.op[1], l, p, f);
  }
  w.stats->global_written += uint64_t(bytes) * std::popcount(exec);
  note_vm(w, nullptr);
}

/// Atomics: "[vdst,] vaddr, vdata[, saddr]"; vdata of cmpswap holds {src, cmp}.
template <bool Flat, int A>
void atomic(Wave& w, const Instr& in) {
  constexpr AtomicName an = kAtomicNames[A];
  const int base = in.num_dst;  // 1 when the old value is returned
  const Operand& vaddr = in.op[base];
  const Operand& data = in.op[base + 1];
  Addressing addr(w, in, vaddr, Flat ? nullptr : &in.op[base + 2]);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const int words = an.wide ? 2 : 1;
  uint32_t scratch[4][kLanes];
  const uint32_t* d[4];
  for (int i = 0; i < 2 * words && i < data.dwords + (data.kind == OpKind::vgpr ? 0 : 4); i++)
    d[i] = lanes32(w, data, scratch[i], i);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    bool lds;
    if (!atomic_aligned(w, in, l, addr[l], 4 * words)) return;
    uint8_t* p = lane_pointer(w, in, cache, l, addr[l], 4 * words, true, Flat, lds);
    if (!p) {
      if (w.done) return;
      continue;
    }
    uint64_t src = an.wide ? (uint64_t(d[0][l]) | uint64_t(d[1][l]) << 32) : d[0][l];
    uint64_t cmp = 0;
    if (an.op == AtomicOp::cmpswap) cmp = an.wide ? (uint64_t(d[2][l]) | uint64_t(d[3][l]) << 32) : d[1][l];
    uint64_t old = atomic_lane(p, an.op, an.wide, src, cmp);
    if (in.num_dst) {
      uint32_t* dst = w.vreg(in.op[0]);
      dst[l] = uint32_t(old);
      if (an.wide) dst[kLanes + l] = uint32_t(old >> 32);
    }
  }
  w.stats->global_read += uint64_t(4 * words) * std::popcount(exec);
  w.stats->global_written += uint64_t(4 * words) * std::popcount(exec);
  note_vm(w, in.num_dst ? &in.op[0] : nullptr);
}

struct ScratchAddressing {
  uint32_t scratch[kLanes];
  const uint32_t* v = nullptr;
  uint32_t s = 0;
  int32_t offset;
  ScratchAddressing(Wave& w, const Instr& in, const Operand& vaddr, const Operand& saddr) : offset(in.m.offset) {
    if (vaddr.kind != OpKind::off) v = lanes32(w, vaddr, scratch);
    if (saddr.kind != OpKind::off && saddr.kind != OpKind::none) s = sread32(w, saddr);
  }
  uint64_t operator[](int l) const { return uint32_t((v ? v[l] : 0) + s + uint32_t(offset)); }
};

template <int F>
void scratch_load(Wave& w, const Instr& in) {
  constexpr Format f = kLoadFormats[F].format;
  ScratchAddressing addr(w, in, in.op[1], in.op[2]);
  const uint64_t exec = w.exec();
  const uint32_t bytes = f.bytes * (f.bytes >= 4 ? f.dwords : 1);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint8_t* p = scratch_pointer(w, in, l, addr[l], bytes);
    if (!p) return;
    load_lane(w, in.op[0], l, p, f);
  }
  w.stats->global_read += uint64_t(bytes) * std::popcount(exec);  // scratch lives in device memory
  note_vm(w, &in.op[0]);
}

template <int F>
void scratch_store(Wave& w, const Instr& in) {
  constexpr Format f = kStoreFormats[F].format;
  ScratchAddressing addr(w, in, in.op[0], in.op[2]);
  const uint64_t exec = w.exec();
  const uint32_t bytes = f.bytes * (f.bytes >= 4 ? f.dwords : 1);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint8_t* p = scratch_pointer(w, in, l, addr[l], bytes);
    if (!p) return;
    store_lane(w, in.op[1], l, p, f);
  }
  w.stats->global_written += uint64_t(bytes) * std::popcount(exec);
  note_vm(w, nullptr);
}

template <size_t... I>
void register_scratch_loads(Registry& r, std::index_sequence<I...>) {
  ((r.add(std::string("scratch_load_") + kLoadFormats[I].suffix,
          SemanticsEntry{scratch_load<int(I)>, InstrClass::vmem, 1, kLoadFormats[I].format.dwords})), ...);
}
template <size_t... I>
void register_scratch_stores(Registry& r, std::index_sequence<I...>) {
  ((r.add(std::string("scratch_store_") + kStoreFormats[I].suffix,
          SemanticsEntry{scratch_store<int(I)>, InstrClass::vmem, 0, kStoreFormats[I].format.dwords})), ...);
}

/// global_load_lds_*: no VGPR destination ("vaddr, saddr|off"); each lane's data goes to LDS at
/// M0[17:2] * 4 (M0[15:2] on gfx942) + offset + lane * 4, or lane * 16 for dwordx3/x4 (CDNA4 ISA
/// 10.3, "Instructions which return data to LDS"; dwordx3 skips the 4th dword). Sub-dword forms
/// write the element extended to a dword, as MUBUF loads to LDS do (mubuf.cpp). The LDS writes
/// are DMA: they land when s_waitcnt vmcnt retires the load (exec/lds_dma.cpp).
template <int F>
void global_load_lds(Wave& w, const Instr& in) {
  constexpr Format f = kLoadFormats[F].format;
  constexpr uint32_t mem_bytes = f.bytes >= 4 ? 4 * f.dwords : f.bytes;
  constexpr uint32_t lane_bytes = f.bytes >= 4 ? 4 * f.dwords : 4;
  constexpr uint32_t lane_stride = f.dwords >= 3 ? 16 : lane_bytes;
  Addressing addr(w, in, in.op[0], &in.op[1]);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const uint32_t m0_mask = w.ctx->program->arch == Arch::gfx942 ? 0xfffcu : 0x3fffcu;
  const uint32_t lds_base = (w.s[kM0] & m0_mask) + uint32_t(in.m.offset);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    const uint8_t* src = global_pointer(w, in, cache, l, addr[l], mem_bytes, false);
    if (!src) return;
    uint8_t data[16] = {};
    std::memcpy(data, src, mem_bytes);
    if (f.bytes < 4) {  // the element as a 32-bit value
      uint32_t v = 0;
      std::memcpy(&v, src, f.bytes);
      if (f.sign) v = f.bytes == 1 ? uint32_t(int32_t(int8_t(v))) : uint32_t(int32_t(int16_t(v)));
      std::memcpy(data, &v, 4);
    }
    if (!dma_lane(w, in, l, lds_base + uint32_t(l) * lane_stride, data, lane_bytes)) return;
  }
  w.stats->global_read += uint64_t(mem_bytes) * std::popcount(exec);
  note_vm(w, nullptr);
  dma_issued(w, in);
}

template <bool Flat, size_t... I>
void register_loads(Registry& r, const char* prefix, std::index_sequence<I...>) {
  ((r.add(std::string(prefix) + "load_" + kLoadFormats[I].suffix,
          SemanticsEntry{load<Flat, int(I)>, InstrClass::vmem, 1, kLoadFormats[I].format.dwords})), ...);
}
template <bool Flat, size_t... I>
void register_stores(Registry& r, const char* prefix, std::index_sequence<I...>) {
  ((r.add(std::string(prefix) + "store_" + kStoreFormats[I].suffix,
          SemanticsEntry{store<Flat, int(I)>, InstrClass::vmem, 0, kStoreFormats[I].format.dwords})), ...);
}
template <bool Flat, size_t... I>
void register_memory_atomics(Registry& r, const char* prefix, std::index_sequence<I...>) {
  ((r.add(std::string(prefix) + "atomic_" + kAtomicNames[I].suffix,
          SemanticsEntry{atomic<Flat, int(I)>, InstrClass::vmem, kDstIfReturning, uint8_t(kAtomicNames[I].wide ? 2 : 1)})),
   ...);
}

}  // namespace

void register_global_flat(Registry& r) {
  constexpr auto loads = std::make_index_sequence<std::size(kLoadFormats)>();
  constexpr auto stores = std::make_index_sequence<std::size(kStoreFormats)>();
  constexpr auto atomics = std::make_index_sequence<std::size(kAtomicNames)>();
  register_loads<false>(r, "global_", loads);
  register_loads<true>(r, "flat_", loads);
  register_stores<false>(r, "global_", stores);
  register_stores<true>(r, "flat_", stores);
  register_memory_atomics<false>(r, "global_", atomics);
  register_memory_atomics<true>(r, "flat_", atomics);
  register_scratch_loads(r, loads);
  register_scratch_stores(r, stores);
  // kLoadFormats indices: dword 0, dwordx3 2, dwordx4 3, ubyte 4, sbyte 5, ushort 6, sshort 7.
  r.add("global_load_lds_dword", SemanticsEntry{global_load_lds<0>, InstrClass::vmem, 0, 1});
  r.add("global_load_lds_dwordx3", SemanticsEntry{global_load_lds<2>, InstrClass::vmem, 0, 3});
  r.add("global_load_lds_dwordx4", SemanticsEntry{global_load_lds<3>, InstrClass::vmem, 0, 4});
  r.add("global_load_lds_ubyte", SemanticsEntry{global_load_lds<4>, InstrClass::vmem, 0, 1});
  r.add("global_load_lds_sbyte", SemanticsEntry{global_load_lds<5>, InstrClass::vmem, 0, 1});
  r.add("global_load_lds_ushort", SemanticsEntry{global_load_lds<6>, InstrClass::vmem, 0, 1});
  r.add("global_load_lds_sshort", SemanticsEntry{global_load_lds<7>, InstrClass::vmem, 0, 1});
}

}  // namespace asmk::emu::detail
