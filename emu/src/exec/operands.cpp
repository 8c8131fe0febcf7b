// Operand access shared by all semantics: broadcast of scalars, DPP lane permutation,
// SDWA selects, destination write masks, fault and strict reporting, waitcnt bookkeeping.
#include <algorithm>

#include "wave.hpp"

namespace asmk::emu::detail {

uint64_t read_special64(const Wave& w, const Operand& o) {
  switch (o.special) {
    case SpecialReg::shared_base: return kSharedApertureBase;
    case SpecialReg::shared_limit: return kSharedApertureBase + 0xffff'ffffull;
    case SpecialReg::private_base: return kPrivateApertureBase;
    case SpecialReg::private_limit: return kPrivateApertureBase + 0xffff'ffffull;
    case SpecialReg::vccz: return w.vcc() == 0;
    case SpecialReg::execz: return w.exec() == 0;
    default: return 0;
  }
}

uint32_t read_special32(const Wave& w, const Operand& o) {
  switch (o.special) {
    case SpecialReg::shared_base:
    case SpecialReg::shared_limit:
    case SpecialReg::private_base:
    case SpecialReg::private_limit: return uint32_t(read_special64(w, o) >> 32);  // the aperture's high half
    default: return uint32_t(read_special64(w, o));
  }
}

const uint32_t* lanes32(Wave& w, const Operand& o, uint32_t* scratch, int d, Width width) {
  if (o.kind == OpKind::vgpr || o.kind == OpKind::agpr) return w.vreg(o) + d * kLanes;
  uint32_t value = 0;
  switch (o.kind) {
    case OpKind::constant:
      if (width == Width::b16) value = d == 0 ? o.k16 : 0;
      else if (width == Width::b32) value = d == 0 ? o.k32 : 0;
      else value = uint32_t((width == Width::f64 ? o.k64f : o.k64) >> (32 * d));
      break;
    case OpKind::sgpr: value = w.s[(o.reg + d) % kNumSRegs]; break;
    case OpKind::scc: value = d == 0 ? w.scc : 0; break;
    case OpKind::special:
      value = (width == Width::b32 || width == Width::b16) ? read_special32(w, o)
                                                            : uint32_t(read_special64(w, o) >> (32 * d));
      break;
    default: break;
  }
  std::fill_n(scratch, kLanes, value);
  return scratch;
}

namespace {

/// Source lane for DPP lane `lane`, or -1 when out of range.
int dpp_source_lane(const Modifiers& m, int lane) {
  int row_lane = lane & 15;
  switch (m.dpp) {
    case DppCtrl::quad_perm: return (lane & ~3) | ((m.dpp_arg >> (2 * (lane & 3))) & 3);
    case DppCtrl::row_shl: return row_lane + m.dpp_arg > 15 ? -1 : lane + m.dpp_arg;
    case DppCtrl::row_shr: return row_lane < m.dpp_arg ? -1 : lane - m.dpp_arg;
    case DppCtrl::row_ror: return (lane & ~15) | ((row_lane - m.dpp_arg) & 15);
    case DppCtrl::wave_shl: return lane == 63 ? -1 : lane + 1;
    case DppCtrl::wave_rol: return (lane + 1) & 63;
    case DppCtrl::wave_shr: return lane == 0 ? -1 : lane - 1;
    case DppCtrl::wave_ror: return (lane - 1) & 63;
    case DppCtrl::row_mirror: return (lane & ~15) | (15 - row_lane);
    case DppCtrl::row_half_mirror: return (lane & ~7) | (7 - (lane & 7));
    case DppCtrl::row_bcast15: return lane < 16 ? -1 : ((lane >> 4) << 4) - 1;
    case DppCtrl::row_bcast31: return lane < 32 ? -1 : 31;
    // gfx90a+ (LLVM DppCtrl ROW_NEWBCAST 0x150-0x15F): every lane of a row reads lane N of its row.
    case DppCtrl::row_newbcast: return (lane & ~15) | (m.dpp_arg & 15);
    default: return lane;
  }
}

uint32_t sdwa_select(uint32_t v, uint8_t sel, bool sext) {
  switch (sel) {
    case 0: case 1: case 2: case 3: {
      uint32_t b = (v >> (8 * sel)) & 0xff;
      return sext ? uint32_t(int32_t(int8_t(b))) : b;
    }
    case 4: case 5: {
      uint32_t h = (v >> (16 * (sel - 4))) & 0xffff;
      return sext ? uint32_t(int32_t(int16_t(h))) : h;
    }
    default: return v;
  }
}

/// Dword `dword` of DPP source `o`, permuted by the DPP control; invalid or inactive source lanes read 0.
const uint32_t* dpp_gather(Wave& w, const Instr& in, const Operand& o, uint32_t* scratch, Width width, int dword) {
  const uint32_t* base = lanes32(w, o, scratch + kLanes, dword, width);
  const uint64_t exec = w.exec();
  for (int l = 0; l < kLanes; l++) {
    int s = dpp_source_lane(in.m, l);
    scratch[l] = (s < 0 || !lane_on(exec, s)) ? 0 : base[s];
  }
  return scratch;
}

}  // namespace

const uint32_t* vector_source64(Wave& w, const Instr& in, int i, uint32_t* scratch, Width width, int dword) {
  if (i == in.num_dst && in.m.dpp != DppCtrl::none) return dpp_gather(w, in, in.op[i], scratch, width, dword);
  return lanes32(w, in.op[i], scratch, dword, width);
}

const uint32_t* vector_source(Wave& w, const Instr& in, int i, uint32_t* scratch, Width width) {
  const Operand& o = in.op[i];
  const int src = i - in.num_dst;
  if (src == 0 && in.m.dpp != DppCtrl::none) return dpp_gather(w, in, o, scratch, width, 0);
  if (in.m.sdwa && src < 2 && (in.m.src_sel[src] != 6 || o.sext)) {
    const uint32_t* base = lanes32(w, o, scratch + kLanes, 0, width);
    for (int l = 0; l < kLanes; l++) scratch[l] = sdwa_select(base[l], in.m.src_sel[src], o.sext);
    return scratch;
  }
  return lanes32(w, o, scratch, 0, width);
}

uint64_t write_mask(Wave& w, const Instr& in) {
  uint64_t mask = w.exec();
  if (in.m.dpp == DppCtrl::none) return mask;
  const uint64_t exec = mask;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    bool row_ok = (in.m.row_mask >> (l >> 4)) & 1;
    bool bank_ok = (in.m.bank_mask >> ((l >> 2) & 3)) & 1;
    int s = dpp_source_lane(in.m, l);
    bool src_ok = s >= 0 && lane_on(exec, s);
    if (!row_ok || !bank_ok || (!src_ok && !in.m.bound_ctrl)) mask &= ~(1ull << l);
  }
  return mask;
}

void vector_write32(Wave& w, const Instr& in, const Operand& dst, const uint32_t* result, uint64_t mask) {
  if (dst.kind != OpKind::vgpr && dst.kind != OpKind::agpr) return;
  uint32_t* d = w.vreg(dst);
  if (!in.m.sdwa || in.m.dst_sel == 6) {
    for (int l = 0; l < kLanes; l++)
      if (lane_on(mask, l)) d[l] = result[l];
    return;
  }
  const uint8_t sel = in.m.dst_sel;
  const int shift = sel < 4 ? 8 * sel : 16 * (sel - 4);
  const uint32_t width_mask = sel < 4 ? 0xffu : 0xffffu;
  for (int l = 0; l < kLanes; l++) {
    if (!lane_on(mask, l)) continue;
    uint32_t field = (result[l] & width_mask) << shift;
    uint32_t out;
    if (in.m.dst_unused == 2) {
      out = (d[l] & ~(width_mask << shift)) | field;
    } else if (in.m.dst_unused == 1) {
      uint32_t top_bit = 1u << (shift + (sel < 4 ? 7 : 15));
      out = field;
      if (field & top_bit) out |= ~((top_bit << 1) - 1);
    } else {
      out = field;
    }
    d[l] = out;
  }
}

// GPR indexing (CDNA3/CDNA4 ISA, S_SET_GPR_IDX_ON: "Vector operations after this perform relative
// GPR addressing based on the contents of M0", enabled per operand slot by M0[15:12] = VSRC0_REL,
// VSRC1_REL, VSRC2_REL, VDST_REL). The index applies to the vector register an enabled slot
// names, in either file: an AccVGPR operand (v_accvgpr_read's src0, v_accvgpr_write's dst, MFMA
// operands in a[]) moves within the AccVGPRs, as Tensile's gfx950 accumulator reads rely on.
// Past the end of its file an operand becomes register 0 of that file (v0, or a0: the ISA names
// only v0) with a strict report (departures table: gpr-index-agpr-overflow).
Instr gpr_indexed(Wave& w, const Instr& in) {
  Instr out = in;
  const uint32_t m0 = w.s[kM0], index = m0 & 0xff, enabled = (m0 >> 12) & 0xf;
  const KernelDescriptor& kd = w.ctx->kernel->descriptor;
  const uint32_t vgprs = std::min<uint32_t>(256, kd.accum_offset);
  const uint32_t agprs = std::min<uint32_t>(256, kd.vgpr_count > kd.accum_offset ? kd.vgpr_count - kd.accum_offset : 0);
  for (int i = 0; i < in.num_ops; i++) {
    Operand& o = out.op[i];
    const int src = i - in.num_dst;
    const bool on = i < in.num_dst ? (enabled >> 3) & 1 : src < 3 && ((enabled >> src) & 1);
    if (!on || (o.kind != OpKind::vgpr && o.kind != OpKind::agpr)) continue;
    const bool acc = o.kind == OpKind::agpr;
    const uint32_t limit = acc ? agprs : vgprs;
    const uint32_t reg = o.reg + index;
    if (reg + o.dwords > limit) {
      if (w.strict()) {
        const char* file = acc ? "a" : "v";
        std::string msg = std::string("GPR indexing moves ") + file;
        msg.append(std::to_string(o.reg)).append(" by ").append(std::to_string(index));
        msg.append(" past the wave's ").append(std::to_string(limit)).append(acc ? " AccVGPRs; " : " VGPRs; ");
        msg.append("the hardware uses ").append(file).append("0 instead");
        w.strict_report(FaultKind::bad_instruction, in, -1, 0, std::move(msg));
      }
      o.reg = 0;
    } else {
      o.reg = uint16_t(reg);
    }
  }
  return out;
}

// Files a report into `list` (kept up to max_reports; `count` counts them all).
void Wave::file_report(std::vector<Report>& list, uint64_t& count, FaultKind kind, const Instr& in, int lane,
                       uint64_t address, std::string message) {
  std::lock_guard lock(ctx->report_mutex);
  count++;
  if (list.size() >= ctx->options.max_reports) return;
  Report r;
  r.kind = kind;
  r.kernel = ctx->kernel->name;
  r.workgroup = wg->id;
  r.wave = wave_id;
  r.lane = lane;
  r.pc = in.pc;
  r.address = address;
  r.instruction = ctx->program->text[in.index];
  r.message = std::move(message);
  list.push_back(std::move(r));
}

void Wave::fault(FaultKind kind, const Instr& in, int lane, uint64_t address, std::string message) {
  faulted = true;
  done = true;
  file_report(ctx->faults, ctx->fault_count, kind, in, lane, address, std::move(message));
}

void Wave::strict_report(FaultKind kind, const Instr& in, int lane, uint64_t address, std::string message) {
  file_report(ctx->strict, ctx->strict_count, kind, in, lane, address, std::move(message));
}

// ---- waitcnt bookkeeping -------------------------------------------------------------------

namespace {
void mark(Wave& w, const Operand* dst, uint64_t tag) {
  if (!dst || !w.strict()) return;
  if (dst->kind == OpKind::vgpr || dst->kind == OpKind::agpr) {
    auto& file = dst->kind == OpKind::vgpr ? w.pending.vgpr : w.pending.agpr;
    for (int d = 0; d < dst->dwords && dst->reg + d < int(file.size()); d++) file[dst->reg + d] = tag;
  } else if (dst->kind == OpKind::sgpr) {
    for (int d = 0; d < dst->dwords && dst->reg + d < kNumSRegs; d++) w.pending.sgpr[dst->reg + d] = tag;
  }
}
bool retired(const PendingLoads& p, uint64_t tag) {
  uint64_t seq = tag & kPendSeqMask;
  if (tag & kPendSmem) return seq <= p.smem_all_retired;
  if (tag & kPendLgkm) return seq <= p.lgkm_retired;
  return seq <= p.vm_retired;
}
}  // namespace

void note_vm(Wave& w, const Operand* dst) {
  // A vector memory instruction with no active lane writes nothing; whether it counts in VM_CNT the
  // ISA does not say, so it is not counted (departure "vmem-exec-zero-vmcnt"): the later s_waitcnt
  // vmcnt(n) then retires no more of the earlier loads than the hardware may, the safe reading.
  if (w.exec() == 0) return;
  w.pending.vm_issued++;
  mark(w, dst, w.pending.vm_issued);
}
void note_lds(Wave& w, const Operand* dst) {
  w.pending.lgkm_issued++;
  mark(w, dst, w.pending.lgkm_issued | kPendLgkm);
}
void note_smem(Wave& w, const Operand* dst) {
  w.pending.lgkm_issued++;
  w.pending.smem_outstanding++;
  mark(w, dst, w.pending.lgkm_issued | kPendLgkm | kPendSmem);
}
void wait_counts(Wave& w, unsigned vmcnt, unsigned lgkmcnt) {
  PendingLoads& p = w.pending;
  if (p.vm_issued >= vmcnt) p.vm_retired = std::max(p.vm_retired, p.vm_issued - vmcnt);
  if (lgkmcnt == 0) {
    p.lgkm_retired = p.lgkm_issued;
    p.smem_all_retired = p.lgkm_issued;
    p.smem_outstanding = 0;
  } else if (p.smem_outstanding == 0 && p.lgkm_issued >= lgkmcnt) {
    // LDS returns in order; with a scalar load in flight no count below zero says which returned.
    p.lgkm_retired = std::max(p.lgkm_retired, p.lgkm_issued - lgkmcnt);
  }
  if (!w.dma.empty()) land_dma(w);  // LDS DMA lands when vmcnt retires it (lds_dma.cpp)
}

void check_pending_sources(Wave& w, const Instr& in) {
  // Sources must not be read, and (for ALU instructions) destinations not written, while a load
  // into them is outstanding: the late load would return the stale value or clobber the new one.
  const bool alu = in.cls == InstrClass::valu || in.cls == InstrClass::salu || in.cls == InstrClass::mfma;
  for (int i = alu ? 0 : in.num_dst; i < in.num_ops; i++) {
    const Operand& o = in.op[i];
    uint64_t* file = nullptr;
    size_t size = 0;
    if (o.kind == OpKind::vgpr) { file = w.pending.vgpr.data(); size = w.pending.vgpr.size(); }
    else if (o.kind == OpKind::agpr) { file = w.pending.agpr.data(); size = w.pending.agpr.size(); }
    else if (o.kind == OpKind::sgpr) { file = w.pending.sgpr.data(); size = kNumSRegs; }
    else continue;
    for (int d = 0; d < o.dwords && o.reg + d < int(size); d++) {
      uint64_t tag = file[o.reg + d];
      if (tag == 0 || retired(w.pending, tag)) continue;
      const char* file_name = o.kind == OpKind::vgpr ? "v" : o.kind == OpKind::agpr ? "a" : "s";
      w.strict_report(FaultKind::missing_waitcnt, in, -1, 0,
                      std::string(i < in.num_dst ? "overwrites " : "reads ") + file_name + std::to_string(o.reg + d) +
                          " before s_waitcnt " + ((tag & kPendLgkm) ? "lgkmcnt" : "vmcnt") +
                          " covers the load that writes it");
      file[o.reg + d] = 0;  // report each load once
    }
  }
}

}  // namespace asmk::emu::detail
