// MUBUF: buffer_load/store/atomic with a buffer resource (V#, GFX9 layout, CDNA3/CDNA4 ISA guides
// "Buffer Resource"): word0 base[31:0]; word1 base[47:32] in [15:0], stride in [29:16], cache
// swizzle [30], swizzle enable [31]; word2 num_records; word3 data format [18:15], index stride
// [22:21], add_tid_enable [23].
// Address (ISA "Buffer Addressing", linear) = base + soffset + stride * index + offset, with
// offset = (offen ? VGPR : 0) + inst offset and index = (idxen ? VGPR : 0) + (add_tid ? lane : 0).
// With add_tid_enable, non-format MUBUF instructions take stride bits [17:14] from the data
// format field (ISA "V# Buffer Resource Constant Fields": const_stride is 18 bits then).
// Range checking: see RangeCheck below. Out-of-range loads return 0, out-of-range stores and
// atomics are dropped. Swizzled addressing (swizzle enable) is not emulated: a fault says so.
// With `lds` (CDNA3/CDNA4 ISA "Memory Buffer Load to LDS") the instruction has no vdata: the text
// is "vaddr, srsrc, soffset", so the addressing operands start at op[0]. Lane l's data goes to
// LDS at M0[17:0] (gfx950; M0[15:0] on gfx942) + inst offset + l * 4, or l * 16 for dwordx3/x4
// (dwordx3 skips the 4th dword). Sub-dword formats write a dword per lane: the element extended to
// 32 bits as a VGPR load returns it (the ISA's "TIDinWave * 4" stride; not checked on hardware).
// Out-of-range lanes write zeros. The LDS writes are DMA: they land when s_waitcnt vmcnt retires
// the load (exec/lds_dma.cpp).
// Scratch: a resource whose base is in [kScratchBufferBase, + 4 GiB) (the private segment buffer
// launch() hands the kernel, plus any wave offset the code adds) addresses the lane's private
// segment at (base - kScratchBufferBase) + soffset + offset (+ stride * index with idxen), as
// -O0 and older compilers' spill code does; beyond the segment is a fault.
#include <utility>

#include "../exec/memory_access.hpp"
#include "vmem_common.hpp"

namespace asmk::emu::detail {
namespace {

/// Which range check a buffer access gets. CDNA3 ISA guide, 9.1.5.1 "Range Checking" (the CDNA4
/// guide has the same table):
///   Private (scratch) buffer, AddTID==1 && IdxEn==0: no range checking.
///   Raw buffer, AddTID==0 && SwizzleEn==0 && IdxEn==0: out of range if
///     InstOffset + (OffEN ? vgpr_offset : 0) >= NumRecords   (num_records in bytes).
///   Structured buffer, AddTID==0 && Stride!=0 && IdxEn==1: out of range if Index >= NumRecords.
/// The stride does not choose the rule on gfx9: IdxEn does (LLVM IntrinsicsAMDGPU.td, raw vs
/// struct buffer intrinsics: "the behavior of bound checking and swizzling changes depending on
/// whether idxen is set"), so `offen` with a non-zero stride is a byte check. soffset is never
/// part of the check (the intrinsics' soffset is "excluded from bounds checking"; the ISA: "the
/// sgpr_offset is not a part of the offset term").
/// Choices where the table is silent (departures table: mubuf-range-silent-cases): IdxEn==1 with
/// a stride of 0 or with AddTID checks the index (VGPR index + lane) like a structured buffer; the
/// byte check covers each dword's (or sub-dword's) last byte, so a dword straddling num_records is
/// out of range (LLVM AMDGPUUsage, "relaxed buffer OOB mode": each 32-bit word is checked alone).
enum class RangeCheck : uint8_t { none, bytes, index, unsupported };

struct BufferAddressing {
  uint64_t base = 0;
  uint32_t stride = 0, num_records = 0;
  bool add_tid = false, swizzle = false;
  RangeCheck check = RangeCheck::bytes;
  uint64_t limit = 0;  // see address()
  uint32_t soffset = 0;
  uint32_t vs[2][kLanes];
  const uint32_t* index = nullptr;
  const uint32_t* offset = nullptr;
  int32_t inst_offset = 0;

  bool scratch = false;  // the private segment buffer: lane-private memory

  BufferAddressing(Wave& w, const Instr& in, int vaddr_op) {
    const Operand& rs = in.op[vaddr_op + 1];
    uint32_t r[4] = {};
    for (int i = 0; i < 4; i++) r[i] = w.s[(rs.reg + i) % kNumSRegs];
    base = uint64_t(r[0]) | uint64_t(r[1] & 0xffff) << 32;
    scratch = base - kScratchBufferBase < (1ull << 32);
    stride = (r[1] >> 16) & 0x3fff;
    swizzle = r[1] >> 31;
    num_records = r[2];
    add_tid = (r[3] >> 23) & 1;
    if (add_tid) stride |= ((r[3] >> 15) & 0xf) << 14;  // 18-bit stride: data format = stride[17:14]
    if (add_tid && !in.m.idxen) check = RangeCheck::none;
    else if (in.m.idxen) check = RangeCheck::index;
    soffset = sread32(w, in.op[vaddr_op + 2]);
    inst_offset = in.m.offset;
    const Operand& va = in.op[vaddr_op];
    int next = 0;
    if (in.m.idxen) index = lanes32(w, va, vs[0], next++);
    if (in.m.offen) offset = lanes32(w, va, vs[1], next++);
    // Swizzled addressing is not modelled (departures table: mubuf-swizzle): a fault (and every lane
    // out of range), not wrong addresses.
    if (swizzle && !scratch && w.exec() != 0) {
      w.fault(FaultKind::bad_instruction, in, -1, base,
              "the buffer resource enables swizzled addressing (V# swizzle enable, word1 bit 31), which the "
              "emulator does not model");
      check = RangeCheck::unsupported;
    }
    limit = check == RangeCheck::none ? ~0ull : check == RangeCheck::unsupported ? 0 : num_records;
  }
  /// Byte address of lane l, and whether `bytes` at it (starting `extra` bytes further) are in range.
  uint64_t address(int l, uint32_t extra, uint32_t bytes, bool& in_range) const {
    if (scratch) {  // the lane's own segment: no range check against num_records, no add_tid
      in_range = true;
      uint64_t off = uint64_t(offset ? offset[l] : 0) + uint64_t(int64_t(inst_offset)) + extra;
      return (base - kScratchBufferBase) + soffset + uint64_t(stride) * (index ? index[l] : 0) + off;
    }
    uint64_t idx = uint64_t(index ? index[l] : 0) + (add_tid ? uint32_t(l) : 0);
    uint64_t off = uint64_t(offset ? offset[l] : 0) + uint64_t(int64_t(inst_offset)) + extra;
    // Every rule as one compare (branch-free per dword): the index, or the offset of the access's
    // last byte, below `limit` (num_records; everything when unchecked, nothing when unsupported).
    in_range = (check == RangeCheck::index ? idx : off + bytes - 1) < limit;
    return base + soffset + uint64_t(stride) * idx + off;
  }
  /// Host pointer for `bytes` at `address` of lane l (global memory or the lane's scratch).
  uint8_t* pointer(Wave& w, const Instr& in, RegionCache& cache, int l, uint64_t address, uint32_t bytes,
                   bool write) const {
    return scratch ? scratch_pointer(w, in, l, address, bytes) : global_pointer(w, in, cache, l, address, bytes, write);
  }
};

template <int F>
void load(Wave& w, const Instr& in) {
  constexpr Format f = kLoadFormats[F].format;
  BufferAddressing b(w, in, in.m.lds ? 0 : 1);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const int pieces = f.bytes >= 4 ? f.dwords : 1;
  const uint32_t piece_bytes = f.bytes >= 4 ? 4 : f.bytes;
  uint64_t moved = 0;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    uint8_t buf[16] = {};
    for (int i = 0; i < pieces; i++) {
      bool ok;
      uint64_t a = b.address(l, 4 * i, piece_bytes, ok);
      if (!ok) continue;  // out of range: reads 0
      uint8_t* p = b.pointer(w, in, cache, l, a, piece_bytes, false);
      if (!p) return;
      std::memcpy(buf + 4 * i, p, piece_bytes);
      moved += piece_bytes;
    }
    if (in.m.lds) {
      const uint32_t m0_mask = w.ctx->program->arch == Arch::gfx942 ? 0xffffu : 0x3ffffu;
      const uint32_t lane_bytes = f.bytes >= 4 ? 4 * f.dwords : 4;
      const uint32_t lane_stride = f.dwords >= 3 ? 16 : lane_bytes;
      if (f.bytes < 4) {  // the element as a 32-bit value
        uint32_t v = 0;
        std::memcpy(&v, buf, f.bytes);
        if (f.sign) v = f.bytes == 1 ? uint32_t(int32_t(int8_t(v))) : uint32_t(int32_t(int16_t(v)));
        std::memcpy(buf, &v, 4);
      }
      const uint32_t lds_addr = (w.s[kM0] & m0_mask) + uint32_t(in.m.offset) + uint32_t(l) * lane_stride;
      if (!dma_lane(w, in, l, lds_addr, buf, lane_bytes)) return;
    } else {
      load_lane(w, in.op[0], l, buf, f);
    }
  }
  w.stats->global_read += moved;
  note_vm(w, in.m.lds ? nullptr : &in.op[0]);
  if (in.m.lds) dma_issued(w, in);
}

/// The `lds` forms write no VGPR: their first operand is vaddr (or off), a source.
std::string lds_form_has_no_destination(Instr& in, std::string_view, Arch) {
  if (in.m.lds) in.num_dst = 0;
  return "";
}

template <int F>
void store(Wave& w, const Instr& in) {
  constexpr Format f = kStoreFormats[F].format;
  BufferAddressing b(w, in, 1);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const int pieces = f.bytes >= 4 ? f.dwords : 1;
  const uint32_t piece_bytes = f.bytes >= 4 ? 4 : f.bytes;
  uint32_t scratch[kLanes];
  uint64_t moved = 0;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    for (int i = 0; i < pieces; i++) {
      bool ok;
      uint64_t a = b.address(l, 4 * i, piece_bytes, ok);
      if (!ok) continue;  // out of range: dropped
      uint8_t* p = b.pointer(w, in, cache, l, a, piece_bytes, true);
      if (!p) return;
      uint32_t v = lanes32(w, in.op[0], scratch, i)[l];
      if (f.hi) v >>= 16;
      std::memcpy(p, &v, piece_bytes);
      moved += piece_bytes;
    }
  }
  w.stats->global_written += moved;
  note_vm(w, nullptr);
}

/// buffer_atomic_*: vdata holds the source (and {src, cmp} for cmpswap) and receives the old value
/// when sc0/glc is set.
template <int A>
void atomic(Wave& w, const Instr& in) {
  constexpr AtomicName an = kAtomicNames[A];
  BufferAddressing b(w, in, 1);
  const uint64_t exec = w.exec();
  RegionCache cache;
  const int words = an.wide ? 2 : 1;
  uint32_t* data = w.vreg(in.op[0]);
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(exec, l)) continue;
    bool ok;
    uint64_t a = b.address(l, 0, 4 * words, ok);
    if (!ok) {
      if (in.m.sc0) data[l] = 0;
      continue;
    }
    if (!atomic_aligned(w, in, l, a, 4 * words)) return;
    uint8_t* p = b.pointer(w, in, cache, l, a, 4 * words, true);
    if (!p) return;
    uint64_t src = an.wide ? (uint64_t(data[l]) | uint64_t(data[kLanes + l]) << 32) : data[l];
    uint64_t cmp = 0;
    if (an.op == AtomicOp::cmpswap)
      cmp = an.wide ? (uint64_t(data[2 * kLanes + l]) | uint64_t(data[3 * kLanes + l]) << 32) : data[kLanes + l];
    uint64_t old = atomic_lane(p, an.op, an.wide, src, cmp);
    if (in.m.sc0) {
      data[l] = uint32_t(old);
      if (an.wide) data[kLanes + l] = uint32_t(old >> 32);
    }
    w.stats->global_read += 4 * words;
    w.stats->global_written += 4 * words;
  }
  note_vm(w, in.m.sc0 ? &in.op[0] : nullptr);
}

template <size_t... I>
void register_loads(Registry& r, std::index_sequence<I...>) {
  ((r.add(std::string("buffer_load_") + kLoadFormats[I].suffix,
          SemanticsEntry{load<int(I)>, InstrClass::vmem, 1, kLoadFormats[I].format.dwords,
                         lds_form_has_no_destination})), ...);
}
template <size_t... I>
void register_stores(Registry& r, std::index_sequence<I...>) {
  ((r.add(std::string("buffer_store_") + kStoreFormats[I].suffix,
          SemanticsEntry{store<int(I)>, InstrClass::vmem, 0, kStoreFormats[I].format.dwords})), ...);
}
template <size_t... I>
void register_buffer_atomics(Registry& r, std::index_sequence<I...>) {
  ((r.add(std::string("buffer_atomic_") + kAtomicNames[I].suffix,
          SemanticsEntry{atomic<int(I)>, InstrClass::vmem, kDstIfReturning, uint8_t(kAtomicNames[I].wide ? 2 : 1)})),
   ...);
}

}  // namespace

void register_mubuf(Registry& r) {
  register_loads(r, std::make_index_sequence<std::size(kLoadFormats)>());
  register_stores(r, std::make_index_sequence<std::size(kStoreFormats)>());
  register_buffer_atomics(r, std::make_index_sequence<std::size(kAtomicNames)>());
}

}  // namespace asmk::emu::detail
