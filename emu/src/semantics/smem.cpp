// Scalar memory: s_load_*, s_buffer_load_*, s_store_*, s_memtime. Addresses are dword-aligned
// (the low two bits are ignored, as the hardware does).
#include "../exec/memory_access.hpp"
#include "common.hpp"

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

template <int N>
void s_store(Wave& w, const Instr& in) {
  uint64_t address = (sread64(w, in.op[1]) + smem_offset(w, in)) & ~3ull;
  RegionCache cache;
  uint8_t* p = global_pointer(w, in, cache, -1, address, 4 * N, true);
  if (!p) return;
  std::memcpy(p, &w.s[in.op[0].reg], 4 * N);
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
