// MFMA: every v_mfma_* / v_smfmac_* mnemonic of the matrix-core library (emu/mfma) runs through one
// entry (its arithmetic model and layout readings: departure table "mfma-*", "smfmac-*") that
// passes pointers into the wave's VGPR/AGPR files (both are register-major, as the library expects).
// Strict mode also checks the ISA's wait states between an MFMA and the instructions that read or
// overwrite its registers, using the library's hazard table.
#include "common.hpp"

#ifdef ASMK_EMU_HAVE_MFMA
#include "asmk/mfma/mfma.hpp"
#endif

namespace asmk::emu::detail {

#ifdef ASMK_EMU_HAVE_MFMA
namespace {

std::string prepare(Instr& in, std::string_view mnemonic, Arch arch) {
  const mfma::MfmaOp* op = mfma::find_mfma(mnemonic, arch);
  if (!op) return mfma::unknown_mfma_message(mnemonic, arch);
  if (in.num_ops < 4 || (op->scaled && in.num_ops < 6)) return "MFMA with missing operands";
  in.aux = op;
  return {};
}

/// Broadcast buffer for a scalar/constant operand (scale operands may be SGPRs).
const uint32_t* words(Wave& w, const Operand& o, uint32_t* scratch) { return lanes32(w, o, scratch); }

void execute(Wave& w, const Instr& in) {
  const auto& op = *static_cast<const mfma::MfmaOp*>(in.aux);
  mfma::MfmaOperands ops;
  if (!in.op[1].is_register() || !in.op[2].is_register() || !in.op[0].is_register()) {
    w.fault(FaultKind::bad_instruction, in, -1, 0, "MFMA A/B/D operands must be registers");
    return;
  }
  ops.a = w.vreg(in.op[1]);
  ops.b = w.vreg(in.op[2]);
  uint32_t index_words[kLanes];
  if (op.sparse) {  // v_smfmac vdst, A, B, index: D is the accumulator, src2 the index VGPR
    ops.c = w.vreg(in.op[0]);
    ops.sparse_index = lanes32(w, in.op[3], index_words);
  } else if (in.op[3].kind == OpKind::constant) {
    ops.c = nullptr;
    ops.c_constant = op.out_type == mfma::DataType::f64 ? in.op[3].k64f : in.op[3].k32;
  } else {
    ops.c = w.vreg(in.op[3]);
  }
  ops.d = w.vreg(in.op[0]);
  ops.cbsz = in.m.cbsz;
  ops.abid = in.m.abid;
  ops.blgp = in.m.blgp;
  ops.neg = in.m.neg_lo;
  uint32_t sa[kLanes], sb[kLanes];
  if (op.scaled) {
    ops.scale_a = words(w, in.op[4], sa);
    ops.scale_b = words(w, in.op[5], sb);
    ops.scale_a_byte = mfma::scale_byte_from_op_sel(in.m.op_sel & 1, in.m.op_sel_hi & 1);
    ops.scale_b_byte = mfma::scale_byte_from_op_sel((in.m.op_sel >> 1) & 1, (in.m.op_sel_hi >> 1) & 1);
  }
  // Whole-register bounds: a tuple running past the register file is a bad operand.
  auto fits = [](const Operand& o, int regs) { return o.reg + regs <= 256; };
  if (!fits(in.op[1], mfma::a_registers(op, in.m.cbsz)) || !fits(in.op[2], mfma::b_registers(op, in.m.blgp)) ||
      !fits(in.op[0], op.cd_regs) || (ops.c && !op.sparse && !fits(in.op[3], op.cd_regs))) {
    w.fault(FaultKind::bad_instruction, in, -1, 0, "MFMA register tuple runs past the register file");
    return;
  }
  mfma::MfmaResult r = mfma::execute(op, ops);
  if (!r) {
    w.fault(FaultKind::bad_instruction, in, -1, 0, "MFMA rejected its operands: " + r.error);
    return;
  }
  if (w.strict()) {
    MfmaProducer p;
    p.file = in.op[0].kind;
    p.reg = in.op[0].reg;
    p.count = uint16_t(op.cd_regs);
    if (ops.c) {
      const Operand& c = op.sparse ? in.op[0] : in.op[3];
      p.c_file = c.kind;
      p.c_reg = c.reg;
      p.c_count = uint16_t(op.cd_regs);
    }
    p.op = &op;
    p.cbsz = in.m.cbsz;
    p.blgp = in.m.blgp;
    p.issued_at = w.wait_states - 1;  // the count before this MFMA (check_mfma_hazards counted it)
    w.mfma_in_flight.push_back(p);
  }
}

bool overlaps(OpKind f1, int r1, int n1, OpKind f2, int r2, int n2) {
  return f1 == f2 && r1 < r2 + n2 && r2 < r1 + n1;
}

}  // namespace

void check_mfma_hazards(Wave& w, const Instr& in) {
  const uint64_t now = w.wait_states;
  const std::string& mn = w.ctx->program->mnemonics[in.mnemonic];
  w.wait_states += (mn == "s_nop") ? uint64_t(in.imm & 0xf) + 1 : 1;
  if (w.mfma_in_flight.empty()) return;
  const auto* consumer = in.cls == InstrClass::mfma ? static_cast<const mfma::MfmaOp*>(in.aux) : nullptr;
  for (const MfmaProducer& p : w.mfma_in_flight) {
    const uint64_t between = now - p.issued_at - 1;  // independent instructions (and nop states) in between
    auto report = [&](mfma::DependencyKind kind, const char* what) {
      mfma::HazardQuery q;
      q.producer = static_cast<const mfma::MfmaOp*>(p.op);
      q.producer_cbsz = p.cbsz;
      q.producer_blgp = p.blgp;
      q.kind = kind;
      q.consumer = consumer;
      int need = mfma::required_wait_states(q);
      if (int64_t(between) < need)
        w.strict_report(FaultKind::hazard, in, -1, 0,
                        std::string(what) + " " + std::string(q.producer->mnemonic) + " result after " +
                            std::to_string(between) + " wait states; the ISA requires " + std::to_string(need) +
                            " (" + std::string(mfma::dependency_kind_name(kind)) + ")");
    };
    for (int i = in.num_dst; i < in.num_ops; i++) {
      const Operand& o = in.op[i];
      if (!overlaps(o.kind, o.reg, o.dwords, p.file, p.reg, p.count)) continue;
      if (consumer) {
        int src = i - in.num_dst;  // 0 = A, 1 = B, 2 = C (v_smfmac: the index, read like A/B)
        if (src == 2 && !consumer->sparse) report(o.reg == p.reg && o.dwords == p.count ? mfma::DependencyKind::srcc_same
                                                                   : mfma::DependencyKind::srcc_overlap, "SrcC reads");
        else report(mfma::DependencyKind::srcab_overlap, "SrcA/B reads");
      } else if (in.cls == InstrClass::vmem || in.cls == InstrClass::lds) {
        report(mfma::DependencyKind::mem_read, "memory instruction reads");
      } else {
        report(mfma::DependencyKind::valu_read, "reads");
      }
    }
    // v_smfmac reads its destination as SrcC.
    if (consumer && consumer->sparse && overlaps(in.op[0].kind, in.op[0].reg, in.op[0].dwords, p.file, p.reg, p.count))
      report(in.op[0].reg == p.reg && in.op[0].dwords == p.count ? mfma::DependencyKind::srcc_same
                                                                  : mfma::DependencyKind::srcc_overlap, "SrcC reads");
    if (!consumer && in.cls == InstrClass::valu)
      for (int i = 0; i < in.num_dst; i++) {
        const Operand& o = in.op[i];
        if (overlaps(o.kind, o.reg, o.dwords, p.file, p.reg, p.count))
          report(mfma::DependencyKind::valu_write_waw, "overwrites");
        else if (p.c_count && overlaps(o.kind, o.reg, o.dwords, p.c_file, p.c_reg, p.c_count))
          report(mfma::DependencyKind::valu_write_war_srcc, "overwrites the SrcC of");
      }
  }
  // Producers older than any rule's reach are done.
  std::erase_if(w.mfma_in_flight, [&](const MfmaProducer& p) { return now - p.issued_at > 32; });
}

void register_mfma(Registry& r) {
  for (::asmk::Arch a : {::asmk::Arch::gfx942, ::asmk::Arch::gfx950}) {
    for (const mfma::MfmaOp& op : mfma::all_mfma(a))
      r.add(op.mnemonic, SemanticsEntry{execute, InstrClass::mfma, 1, 0, prepare});
    for (const mfma::MfmaOp& op : mfma::all_smfmac(a))
      r.add(op.mnemonic, SemanticsEntry{execute, InstrClass::mfma, 1, 0, prepare});
  }
}

#else

void check_mfma_hazards(Wave& w, const Instr&) { w.wait_states++; }
void register_mfma(Registry&) {}

#endif

}  // namespace asmk::emu::detail
