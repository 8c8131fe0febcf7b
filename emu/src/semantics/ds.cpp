// LDS (DS) instructions: reads/writes of 8..128 bits, read2/write2 (and st64), atomics with and
// without return, ds_permute/ds_bpermute/ds_swizzle, gfx950 transposing reads. Address = VGPR +
// offset; accesses beyond the workgroup's allocation read 0 and are dropped (strict mode reports them).
#include <algorithm>
#include <map>
#include <utility>

#include "../exec/memory_access.hpp"
#include "vmem_common.hpp"

namespace asmk::emu::detail {
namespace {

constexpr SemanticsEntry ds(SemanticsFn fn, int8_t ndst, uint8_t dwords = 1) { return {fn, InstrClass::lds, ndst, dwords}; }

/// LDS banks of 4 bytes per arch; a bank serves one dword per cycle. Sources: AMD's Composable
/// Kernel, include/ck_tile/core/arch/arch.hpp, get_n_lds_banks (gfx9 incl. gfx942: 32, gfx950: 64);
/// CK's LDS guide (rocm.docs.amd.com, composable_kernel, conceptual/ck_tile/hardware/
/// lds_bank_conflicts: "32 or 64 banks depending on the hardware architecture"); the ROCm blog
/// "Avoiding LDS Bank Conflicts on AMD GPUs Using CK-Tile" (MI-series, CDNA3: 32 banks). 64 banks of
/// 4 bytes are CDNA4's 256 B/clock LDS (perf/machines/MI355X.json).
struct LdsBanks {
  Arch arch;
  int banks;
};
constexpr LdsBanks kLdsBanks[] = {{Arch::gfx942, 32}, {Arch::gfx950, 64}};

int lds_banks(Arch arch) {
  for (const LdsBanks& b : kLdsBanks)
    if (b.arch == arch) return b.banks;
  return 32;
}

/// Extra cycles from bank conflicts. The LDS serves `banks` dwords per cycle, so a wave's access is
/// split into passes of consecutive lanes that together ask for `banks` dwords: banks lanes for b32
/// and narrower, banks/2 for b64, banks/4 for b96/b128 (32/16/8 lanes on gfx942, 64/32/16 on
/// gfx950; the 64-bank pass grouping is derived from the bank count, not published). Within a
/// pass, lanes reading the same dword share it (broadcast) and a bank holding n different
/// requested dwords needs n cycles; the extra cycles are the sum over passes of (worst bank - 1).
/// `dword_of(l, i)` is the i-th dword lane l accesses, i < dwords_per_lane.
template <class DwordOf>
uint64_t bank_conflicts(int banks, uint64_t exec, int dwords_per_lane, DwordOf dword_of) {
  const int slots_per_lane = dwords_per_lane <= 1 ? 1 : dwords_per_lane == 2 ? 2 : 4;
  const int lanes_per_pass = banks / slots_per_lane;
  const uint32_t bank_mask = uint32_t(banks - 1);  // banks is a power of two
  uint64_t extra = 0;
  for (int first = 0; first < kLanes; first += lanes_per_pass) {
    uint32_t dwords[kLanes * 4];
    int n = 0;
    for (int l = first; l < first + lanes_per_pass; l++)
      if (lane_on(exec, l))
        for (int i = 0; i < dwords_per_lane; i++) dwords[n++] = dword_of(l, i);
    if (n == 0) continue;
    // Sort by (bank, dword), drop repeats (broadcast), and count dwords per bank.
    std::sort(dwords, dwords + n, [bank_mask](uint32_t a, uint32_t b) {
      return std::pair(a & bank_mask, a) < std::pair(b & bank_mask, b);
    });
    n = int(std::unique(dwords, dwords + n) - dwords);
    int worst = 1, run = 1;
    for (int i = 1; i < n; i++) {
      run = (dwords[i] & bank_mask) == (dwords[i - 1] & bank_mask) ? run + 1 : 1;
      worst = std::max(worst, run);
    }
    extra += uint64_t(worst - 1);
  }
  return extra;
}
/// The common case: each lane accesses `dwords_per_lane` consecutive dwords from its address.
uint64_t bank_conflicts(const Wave& w, const uint32_t* addr, uint64_t exec, int dwords_per_lane = 1) {
  return bank_conflicts(lds_banks(w.ctx->program->arch), exec, dwords_per_lane,
                        [addr](int l, int i) { return addr[l] / 4 + uint32_t(i); });
}

struct LdsAddress {
  uint32_t scratch[kLanes];
  uint32_t a[kLanes];
  LdsAddress(Wave& w, const Operand& vaddr, uint32_t offset) {
    const uint32_t* v = lanes32(w, vaddr, scratch);
    for (int l = 0; l < kLanes; l++) a[l] = v[l] + offset;
  }
};

template <int F>
void read(Wave& w, const Instr& in) {
  constexpr Format f = kLoadFormats[F].format;
  LdsAddress addr(w, in.op[1], uint32_t(in.m.offset));
  const uint64_t exec = w.exec();
  const uint32_t bytes = f.bytes >= 4 ? 4 * f.dwords : f.bytes;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    static const uint8_t zeros[16] = {};
    uint8_t* p = lds_pointer(w, in, l, addr.a[l], bytes, false);
    if (!p && w.done) return;
    load_lane(w, in.op[0], l, p ? p : zeros, f);
  }
  w.stats->lds_read += uint64_t(bytes) * std::popcount(exec);
  w.stats->lds_conflicts += bank_conflicts(w, addr.a, exec, f.bytes >= 4 ? f.dwords : 1);
  note_lds(w, &in.op[0]);
}

template <int F>
void write(Wave& w, const Instr& in) {
  constexpr Format f = kStoreFormats[F].format;
  LdsAddress addr(w, in.op[0], uint32_t(in.m.offset));
  const uint64_t exec = w.exec();
  const uint32_t bytes = f.bytes >= 4 ? 4 * f.dwords : f.bytes;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint8_t* p = lds_pointer(w, in, l, addr.a[l], bytes, true);
    if (!p) {
      if (w.done) return;
      continue;
    }
    store_lane(w, in.op[1], l, p, f);
  }
  w.stats->lds_written += uint64_t(bytes) * std::popcount(exec);
  w.stats->lds_conflicts += bank_conflicts(w, addr.a, exec, f.bytes >= 4 ? f.dwords : 1);
  note_lds(w, nullptr);
}

/// gfx950 transposing reads ds_read_b64_tr_b4/_b8/_b16 and ds_read_b96_tr_b6: each lane reads
/// LaneBytes at its address; each 16-lane group then transposes its data. The group's 16 x
/// LaneBytes read by lanes in order form a tile of E = LaneBytes * 8 / Bits rows by 16 columns of
/// Bits-bit elements (row r is read by lanes r * 16/E ..), and lane i of the group receives
/// column i, row r in element r (elements packed from bit 0). This is the CDNA4 ISA guide's
/// description ("each lane holds 4 consecutive M or N values"; two instructions load K = 0..3 /
/// 8..11 and 4..7 / 12..15) read as the natural tile; inactive lanes contribute zeros.
template <int Bits, int LaneBytes>
void read_transposed(Wave& w, const Instr& in) {
  constexpr int kElems = LaneBytes * 8 / Bits, kLanesPerRow = 16 / kElems;
  LdsAddress addr(w, in.op[1], uint32_t(in.m.offset));
  const uint64_t exec = w.exec();
  uint8_t raw[kLanes][LaneBytes] = {};
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    const uint8_t* p = lds_pointer(w, in, l, addr.a[l], LaneBytes, false);
    if (!p && w.done) return;
    if (p) std::memcpy(raw[l], p, LaneBytes);
  }
  auto element = [&](int lane, int e) {  // element e (Bits wide, from bit 0) of a lane's data
    uint32_t v = 0;
    for (int b = 0; b < Bits; b++) {
      const int bit = e * Bits + b;
      v |= uint32_t((raw[lane][bit / 8] >> (bit % 8)) & 1) << b;
    }
    return v;
  };
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    const int group = l & ~15, column = l & 15;
    uint32_t out[LaneBytes / 4] = {};
    for (int r = 0; r < kElems; r++) {
      const uint32_t v = element(group + r * kLanesPerRow + column / kElems, column % kElems);
      for (int b = 0; b < Bits; b++) {
        const int bit = r * Bits + b;
        out[bit / 32] |= ((v >> b) & 1) << (bit % 32);
      }
    }
    for (int i = 0; i < LaneBytes / 4; i++) d[i * kLanes + l] = out[i];
  }
  w.stats->lds_read += uint64_t(LaneBytes) * std::popcount(exec);
  w.stats->lds_conflicts += bank_conflicts(w, addr.a, exec, LaneBytes / 4);
  note_lds(w, &in.op[0]);
}

/// read2/write2 access 2 * Dwords dwords per lane: Dwords at each of the two offsets.
template <int Dwords>
uint64_t read2_conflicts(const Wave& w, const uint32_t* addr, uint64_t exec, uint32_t off0, uint32_t off1) {
  return bank_conflicts(lds_banks(w.ctx->program->arch), exec, 2 * Dwords, [=](int l, int i) {
    return (addr[l] + (i < Dwords ? off0 : off1)) / 4 + uint32_t(i % Dwords);
  });
}

/// read2/write2: two elements at offset0 and offset1, in units of the element size (x64 for st64).
template <int Dwords, bool St64>
void read2(Wave& w, const Instr& in) {
  LdsAddress addr(w, in.op[1], 0);
  const uint64_t exec = w.exec();
  const uint32_t unit = 4 * Dwords * (St64 ? 64 : 1);
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    for (int e = 0; e < 2; e++) {
      uint32_t a = addr.a[l] + unit * (e ? in.m.offset1 : in.m.offset0);
      uint8_t* p = lds_pointer(w, in, l, a, 4 * Dwords, false);
      if (!p && w.done) return;
      for (int i = 0; i < Dwords; i++) {
        uint32_t v = 0;
        if (p) std::memcpy(&v, p + 4 * i, 4);
        d[(e * Dwords + i) * kLanes + l] = v;
      }
    }
  }
  w.stats->lds_read += uint64_t(8 * Dwords) * std::popcount(exec);
  w.stats->lds_conflicts += read2_conflicts<Dwords>(w, addr.a, exec, unit * in.m.offset0, unit * in.m.offset1);
  note_lds(w, &in.op[0]);
}

template <int Dwords, bool St64>
void write2(Wave& w, const Instr& in) {
  LdsAddress addr(w, in.op[0], 0);
  const uint64_t exec = w.exec();
  const uint32_t unit = 4 * Dwords * (St64 ? 64 : 1);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    for (int e = 0; e < 2; e++) {
      uint32_t a = addr.a[l] + unit * (e ? in.m.offset1 : in.m.offset0);
      uint8_t* p = lds_pointer(w, in, l, a, 4 * Dwords, true);
      if (!p) {
        if (w.done) return;
        continue;
      }
      const uint32_t* src = w.vreg(in.op[1 + e]);
      for (int i = 0; i < Dwords; i++) std::memcpy(p + 4 * i, &src[i * kLanes + l], 4);
    }
  }
  w.stats->lds_written += uint64_t(8 * Dwords) * std::popcount(exec);
  w.stats->lds_conflicts += read2_conflicts<Dwords>(w, addr.a, exec, unit * in.m.offset0, unit * in.m.offset1);
  note_lds(w, nullptr);
}

struct DsAtomic {
  const char* name;
  AtomicOp op;
  bool wide;
};
constexpr DsAtomic kDsAtomics[] = {
    {"add_u32", AtomicOp::add, false},   {"sub_u32", AtomicOp::sub, false},   {"inc_u32", AtomicOp::inc, false},
    {"dec_u32", AtomicOp::dec, false},   {"min_i32", AtomicOp::smin, false},  {"max_i32", AtomicOp::smax, false},
    {"min_u32", AtomicOp::umin, false},  {"max_u32", AtomicOp::umax, false},  {"and_b32", AtomicOp::and_, false},
    {"or_b32", AtomicOp::or_, false},    {"xor_b32", AtomicOp::xor_, false},  {"wrxchg_rtn_b32", AtomicOp::swap, false},
    {"cmpst_b32", AtomicOp::cmpswap, false}, {"add_f32", AtomicOp::add_f32, false},
    {"pk_add_f16", AtomicOp::pk_add_f16, false}, {"pk_add_bf16", AtomicOp::pk_add_bf16, false},
    {"add_u64", AtomicOp::add, true},    {"sub_u64", AtomicOp::sub, true},    {"min_i64", AtomicOp::smin, true},
    {"max_i64", AtomicOp::smax, true},   {"min_u64", AtomicOp::umin, true},   {"max_u64", AtomicOp::umax, true},
    {"and_b64", AtomicOp::and_, true},   {"or_b64", AtomicOp::or_, true},     {"xor_b64", AtomicOp::xor_, true},
    {"cmpst_b64", AtomicOp::cmpswap, true}, {"add_f64", AtomicOp::add_f64, true},
};

/// "[vdst,] vaddr, data0[, data1]": LDS is private to the workgroup's host thread, so no host atomics
/// are needed; lanes apply in lane order. cmpst: data0 = compare value, data1 = new value.
template <int A, bool Rtn>
void ds_atomic(Wave& w, const Instr& in) {
  constexpr DsAtomic at = kDsAtomics[A];
  const int base = Rtn ? 1 : 0;
  LdsAddress addr(w, in.op[base], uint32_t(in.m.offset));
  const uint64_t exec = w.exec();
  const int words = at.wide ? 2 : 1;
  uint32_t s0[2][kLanes], s1[2][kLanes];
  const uint32_t* d0[2] = {lanes32(w, in.op[base + 1], s0[0], 0), lanes32(w, in.op[base + 1], s0[1], 1)};
  const bool two = at.op == AtomicOp::cmpswap;
  const uint32_t* d1[2] = {two ? lanes32(w, in.op[base + 2], s1[0], 0) : nullptr,
                           two ? lanes32(w, in.op[base + 2], s1[1], 1) : nullptr};
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    if (!atomic_aligned(w, in, l, addr.a[l], 4 * words)) return;
    uint8_t* p = lds_pointer(w, in, l, addr.a[l], 4 * words, true, /*atomic=*/true);
    if (!p) {
      if (w.done) return;
      continue;
    }
    auto get = [&](const uint32_t* const* d) { return at.wide ? (uint64_t(d[0][l]) | uint64_t(d[1][l]) << 32) : d[0][l]; };
    uint64_t src = two ? get(d1) : get(d0);
    uint64_t cmp = two ? get(d0) : 0;
    uint64_t old = 0;
    std::memcpy(&old, p, 4 * words);
    uint64_t nv = at.wide ? atomic_apply64(at.op, old, src, cmp) : atomic_apply32(at.op, uint32_t(old), uint32_t(src), uint32_t(cmp));
    std::memcpy(p, &nv, 4 * words);
    if (Rtn) {
      uint32_t* dst = w.vreg(in.op[0]);
      dst[l] = uint32_t(old);
      if (at.wide) dst[kLanes + l] = uint32_t(old >> 32);
    }
  }
  w.stats->lds_read += uint64_t(4 * words) * std::popcount(exec);
  w.stats->lds_written += uint64_t(4 * words) * std::popcount(exec);
  w.stats->lds_conflicts += bank_conflicts(w, addr.a, exec, words);
  note_lds(w, Rtn ? &in.op[0] : nullptr);
}

/// ds_bpermute_b32 vdst, vaddr, vdata: lane l reads vdata of lane (vaddr[l] + offset) / 4 mod 64.
/// ds_permute_b32: lane l writes its vdata to lane (vaddr[l] + offset) / 4 mod 64.
template <bool Backward>
void permute(Wave& w, const Instr& in) {
  LdsAddress addr(w, in.op[1], uint32_t(in.m.offset));
  uint32_t scratch[kLanes];
  const uint32_t* data = lanes32(w, in.op[2], scratch);
  const uint64_t exec = w.exec();
  uint32_t result[kLanes] = {};
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    int other = int((addr.a[l] / 4) & 63);
    if (Backward) result[l] = lane_on(exec, other) ? data[other] : 0;
    else result[other] = data[l];
  }
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++)
    if (lane_on(exec, l)) d[l] = result[l];
  note_lds(w, &in.op[0]);
}

/// ds_swizzle_b32 vdst, vdata offset:N. offset[15] = 1: quad mode, 2-bit lane selects in [7:0].
/// Otherwise bit-mask mode within 32 lanes: and = [4:0], or = [9:5], xor = [14:10].
void swizzle(Wave& w, const Instr& in) {
  uint32_t scratch[kLanes];
  const uint32_t* data = lanes32(w, in.op[1], scratch);
  const uint64_t exec = w.exec();
  const uint32_t off = uint32_t(in.m.offset) & 0xffff;
  uint32_t result[kLanes];
  for (int l = 0; l < kLanes; l++) {
    int src;
    if (off & 0x8000) {
      src = (l & ~3) | int((off >> (2 * (l & 3))) & 3);
    } else {
      int and_mask = off & 31, or_mask = (off >> 5) & 31, xor_mask = (off >> 10) & 31;
      src = (l & 32) | ((((l & 31) & and_mask) | or_mask) ^ xor_mask);
    }
    result[l] = lane_on(exec, src) ? data[src] : 0;
  }
  uint32_t* d = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++)
    if (lane_on(exec, l)) d[l] = result[l];
  note_lds(w, &in.op[0]);
}

template <size_t... I>
void register_reads(Registry& r, std::index_sequence<I...>) {
  // DS uses b32/b64/b96/b128 and u8/i8/u16/i16 names for the same formats as buffer/global.
  static const char* names[] = {"ds_read_b32", "ds_read_b64", "ds_read_b96", "ds_read_b128", "ds_read_u8",
                                "ds_read_i8", "ds_read_u16", "ds_read_i16", "ds_read_u8_d16", "ds_read_u8_d16_hi",
                                "ds_read_i8_d16", "ds_read_i8_d16_hi", "ds_read_u16_d16", "ds_read_u16_d16_hi"};
  ((r.add(names[I], ds(read<int(I)>, 1, kLoadFormats[I].format.dwords))), ...);
}
template <size_t... I>
void register_writes(Registry& r, std::index_sequence<I...>) {
  static const char* names[] = {"ds_write_b32", "ds_write_b64", "ds_write_b96", "ds_write_b128",
                                "ds_write_b8", "ds_write_b16", "ds_write_b8_d16_hi", "ds_write_b16_d16_hi"};
  ((r.add(names[I], ds(write<int(I)>, 0, kStoreFormats[I].format.dwords))), ...);
}
/// "add_u32" -> "ds_add_rtn_u32"; names that already say rtn keep it ("wrxchg_rtn_b32").
std::string rtn_name(const char* name) {
  std::string n(name);
  if (n.find("_rtn_") != std::string::npos) return "ds_" + n;
  auto u = n.find('_');
  if (n.rfind("pk_", 0) == 0) u = n.find('_', 3);
  return "ds_" + n.substr(0, u) + "_rtn" + n.substr(u);
}

template <size_t... I>
void register_ds_atomics(Registry& r, std::index_sequence<I...>) {
  ((r.add(std::string("ds_") + kDsAtomics[I].name, ds(ds_atomic<int(I), false>, 0))), ...);
  // ds_wrxchg exists only with return; registering its no-return name is harmless (LLVM never prints it).
  ((r.add(rtn_name(kDsAtomics[I].name), ds(ds_atomic<int(I), true>, 1))), ...);
}

}  // namespace

void register_ds(Registry& r) {
  register_reads(r, std::make_index_sequence<std::size(kLoadFormats)>());
  register_writes(r, std::make_index_sequence<std::size(kStoreFormats)>());
  register_ds_atomics(r, std::make_index_sequence<std::size(kDsAtomics)>());
  r.add("ds_read2_b32", ds(read2<1, false>, 1, 2));
  r.add("ds_read2_b64", ds(read2<2, false>, 1, 4));
  r.add("ds_read2st64_b32", ds(read2<1, true>, 1, 2));
  r.add("ds_read2st64_b64", ds(read2<2, true>, 1, 4));
  r.add("ds_write2_b32", ds(write2<1, false>, 0, 2));
  r.add("ds_write2_b64", ds(write2<2, false>, 0, 4));
  r.add("ds_write2st64_b32", ds(write2<1, true>, 0, 2));
  r.add("ds_write2st64_b64", ds(write2<2, true>, 0, 4));
  r.add("ds_read_b64_tr_b4", ds(read_transposed<4, 8>, 1, 2));
  r.add("ds_read_b64_tr_b8", ds(read_transposed<8, 8>, 1, 2));
  r.add("ds_read_b64_tr_b16", ds(read_transposed<16, 8>, 1, 2));
  r.add("ds_read_b96_tr_b6", ds(read_transposed<6, 12>, 1, 3));
  r.add("ds_bpermute_b32", ds(permute<true>, 1));
  r.add("ds_permute_b32", ds(permute<false>, 1));
  r.add("ds_swizzle_b32", ds(swizzle, 1));
  r.add("ds_nop", ds([](Wave&, const Instr&) {}, 0));
}

}  // namespace asmk::emu::detail
