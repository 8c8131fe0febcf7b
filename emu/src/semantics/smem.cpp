// Scalar memory: s_load_*, s_buffer_load_*, s_store_*, s_buffer_store_*, scalar atomics
// (s_atomic_*, s_buffer_atomic_*, returning the old value with glc), s_memtime. Addresses are
// dword-aligned (the low two bits are ignored, as the hardware does).
#include <string>
#include <utility>

#include "../exec/memory_access.hpp"
#include "vmem_common.hpp"

namespace asmk::emu::detail {
namespace {

/// Offset operand: an SGPR or immediate (op[2]) plus an optional "offset:" modifier.
uint64_t smem_offset(const Wave& w, const Instr& in) {
  uint64_t off = in.num_ops > 2 ? uint64_t(sread32(w, in.op[2])) : 0;
  return off + uint64_t(int64_t(in.m.offset));
}

template <int N>
void s_load(Wave& w, const Instr& in) {
  uint64_t address = (sread64(w, in.op[1]) + smem_offset(w, in)) & ~3ull;
  RegionCache cache;
  uint8_t* p = global_pointer(w, in, cache, -1, address, 4 * N, false);
  if (!p) return;
  std::memcpy(&w.s[in.op[0].reg], p, 4 * std::min<int>(N, kNumSRegs - in.op[0].reg));
  w.stats->scalar_read += 4 * N;
  note_smem(w, &in.op[0]);
}

/// s_buffer_load: sbase is a buffer resource; dwords past num_records read 0.
template <int N>
void s_buffer_load(Wave& w, const Instr& in) {
  const uint32_t* rsrc = &w.s[in.op[1].reg];
  uint64_t base = uint64_t(rsrc[0]) | (uint64_t(rsrc[1] & 0xffff) << 32);
  uint64_t num_records = rsrc[2];
  uint64_t off = smem_offset(w, in) & ~3ull;
  RegionCache cache;
  for (int i = 0; i < N && in.op[0].reg + i < kNumSRegs; i++) {
    uint64_t o = off + 4ull * i;
    uint32_t v = 0;
    if (o + 4 <= num_records) {
      uint8_t* p = global_pointer(w, in, cache, -1, base + o, 4, false);
      if (!p) return;
      std::memcpy(&v, p, 4);
    }
    w.s[in.op[0].reg + i] = v;
  }
  w.stats->scalar_read += 4 * N;
  note_smem(w, &in.op[0]);
}

/// A scalar buffer resource (V#) in four SGPRs: base address and num_records (bytes).
struct ScalarBuffer {
  uint64_t base = 0, num_records = 0;
  ScalarBuffer(const Wave& w, const Operand& rs) {
    const uint32_t* r = &w.s[rs.reg];
    base = uint64_t(r[0]) | (uint64_t(r[1] & 0xffff) << 32);
    num_records = r[2];
  }
};

/// s_buffer_store: dwords past num_records are dropped.
template <int N>
void s_buffer_store(Wave& w, const Instr& in) {
  const ScalarBuffer buf(w, in.op[1]);
  const uint64_t off = smem_offset(w, in) & ~3ull;
  RegionCache cache;
  for (int i = 0; i < N && in.op[0].reg + i < kNumSRegs; i++) {
    const uint64_t o = off + 4ull * i;
    if (o + 4 > buf.num_records) continue;
    uint8_t* p = global_pointer(w, in, cache, -1, buf.base + o, 4, true);
    if (!p) return;
    std::memcpy(p, &w.s[in.op[0].reg + i], 4);
    w.stats->scalar_written += 4;
  }
  note_smem(w, nullptr);
}

/// s_atomic_* sdata, sbase, offset and s_buffer_atomic_* sdata, srsrc, offset: sdata holds the
/// source ({source, compare} for cmpswap); with glc it receives the old memory value. A buffer
/// atomic past num_records is dropped (and returns 0).
template <int A, bool Buffer>
void s_atomic(Wave& w, const Instr& in) {
  constexpr AtomicName an = kAtomicNames[A];
  constexpr uint32_t bytes = an.wide ? 8 : 4;
  uint64_t address;
  bool in_range = true;
  if (Buffer) {
    const ScalarBuffer buf(w, in.op[1]);
    const uint64_t off = smem_offset(w, in) & ~3ull;
    in_range = off + bytes <= buf.num_records;
    address = buf.base + off;
  } else {
    address = (sread64(w, in.op[1]) + smem_offset(w, in)) & ~3ull;
  }
  const Operand& data = in.op[0];
  auto sgpr = [&](int i) { return uint64_t(w.s[(data.reg + i) % kNumSRegs]); };
  const uint64_t src = an.wide ? sgpr(0) | sgpr(1) << 32 : sgpr(0);
  const uint64_t cmp = an.op != AtomicOp::cmpswap ? 0 : an.wide ? sgpr(2) | sgpr(3) << 32 : sgpr(1);
  uint64_t old = 0;
  if (in_range) {
    if (!atomic_aligned(w, in, -1, address, bytes)) return;
    RegionCache cache;
    uint8_t* p = global_pointer(w, in, cache, -1, address, bytes, true);
    if (!p) return;
    old = atomic_lane(p, an.op, an.wide, src, cmp);
    w.stats->scalar_read += bytes;
    w.stats->scalar_written += bytes;
  }
  if (in.m.sc0 && data.kind == OpKind::sgpr) {
    w.s[data.reg] = uint32_t(old);
    if (an.wide) w.s[(data.reg + 1) % kNumSRegs] = uint32_t(old >> 32);
  }
  note_smem(w, in.m.sc0 ? &in.op[0] : nullptr);
}

/// The integer atomics scalar memory has (no float forms).
constexpr bool scalar_atomic(const AtomicName& a) {
  return a.op != AtomicOp::add_f32 && a.op != AtomicOp::pk_add_f16 && a.op != AtomicOp::pk_add_bf16 &&
         a.op != AtomicOp::add_f64 && a.op != AtomicOp::min_f64 && a.op != AtomicOp::max_f64;
}

template <size_t... I>
void register_scalar_atomics(Registry& r, std::index_sequence<I...>) {
  auto add = [&r](const AtomicName& a, SemanticsFn plain, SemanticsFn buffer) {
    if (!scalar_atomic(a)) return;
    const uint8_t dwords = a.wide ? 2 : 1;
    r.add(std::string("s_atomic_") + a.suffix, {plain, InstrClass::smem, kDstIfReturning, dwords});
    r.add(std::string("s_buffer_atomic_") + a.suffix, {buffer, InstrClass::smem, kDstIfReturning, dwords});
  };
  (add(kAtomicNames[I], s_atomic<int(I), false>, s_atomic<int(I), true>), ...);
}

template <int N>
void s_store(Wave& w, const Instr& in) {
  uint64_t address = (sread64(w, in.op[1]) + smem_offset(w, in)) & ~3ull;
  RegionCache cache;
  uint8_t* p = global_pointer(w, in, cache, -1, address, 4 * N, true);
  if (!p) return;
  std::memcpy(p, &w.s[in.op[0].reg], 4 * N);
  w.stats->scalar_written += 4 * N;
  note_smem(w, nullptr);
}

constexpr SemanticsEntry smem(SemanticsFn fn, int8_t ndst, uint8_t dwords) {
  return {fn, InstrClass::smem, ndst, dwords};
}

}  // namespace

void register_smem(Registry& r) {
  r.add("s_load_dword", smem(s_load<1>, 1, 1));
  r.add("s_load_dwordx2", smem(s_load<2>, 1, 2));
  r.add("s_load_dwordx4", smem(s_load<4>, 1, 4));
  r.add("s_load_dwordx8", smem(s_load<8>, 1, 8));
  r.add("s_load_dwordx16", smem(s_load<16>, 1, 16));
  r.add("s_buffer_load_dword", smem(s_buffer_load<1>, 1, 1));
  r.add("s_buffer_load_dwordx2", smem(s_buffer_load<2>, 1, 2));
  r.add("s_buffer_load_dwordx4", smem(s_buffer_load<4>, 1, 4));
  r.add("s_buffer_load_dwordx8", smem(s_buffer_load<8>, 1, 8));
  r.add("s_buffer_load_dwordx16", smem(s_buffer_load<16>, 1, 16));
  // Stores read their data operand: no destinations.
  r.add("s_store_dword", smem(s_store<1>, 0, 1));
  r.add("s_store_dwordx2", smem(s_store<2>, 0, 2));
  r.add("s_store_dwordx4", smem(s_store<4>, 0, 4));
  r.add("s_buffer_store_dword", smem(s_buffer_store<1>, 0, 1));
  r.add("s_buffer_store_dwordx2", smem(s_buffer_store<2>, 0, 2));
  r.add("s_buffer_store_dwordx4", smem(s_buffer_store<4>, 0, 4));
  register_scalar_atomics(r, std::make_index_sequence<std::size(kAtomicNames)>());
  r.add("s_memtime", smem([](Wave& w, const Instr& in) {
          swrite64(w, in.op[0], w.executed);
          note_smem(w, &in.op[0]);
        }, 1, 2));
  r.add("s_memrealtime", smem([](Wave& w, const Instr& in) {
          swrite64(w, in.op[0], w.executed);
          note_smem(w, &in.op[0]);
        }, 1, 2));
}

}  // namespace asmk::emu::detail
