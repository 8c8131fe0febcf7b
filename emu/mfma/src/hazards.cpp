// Required wait states after an MFMA, as data for the emulator's strict mode.
//
// Source: the CDNA3 ISA's dependency table ("Required Independent Instructions"), in the form
// LLVM 22's GCNHazardRecognizer (checkMAIHazards90A / checkMAIVALUHazards) encodes it for
// gfx940 (= gfx942) and gfx950. Terms:
//  - passes: the producer's passes (passes_for(): f8f6f4 with an fp8/bf8 operand counts double):
//    2, 4, 8 or 16.
//  - classes: XDL (f16/bf16/i8/xf32/fp8/f8f6f4), SGEMM (f32 inputs; not XDL on gfx94x) and
//    DGEMM (f64).
// Rules (P = passes, G = 1 on gfx950 else 0, G' = G unless P == 2):
//  SrcC, same registers:     f64 4x4 -> f64 4x4: 4; any 2-pass producer: 2; otherwise 0
//  SrcC, partial overlap:    XDL -> XDL: P+1+G; XDL -> SGEMM/DGEMM: P+1+G'; SGEMM -> SGEMM: P;
//                            SGEMM -> XDL: 0; f64 16x16 -> non-XDL: 9 (gfx950: 17);
//                            f64 4x4 -> non-XDL: 4; f64 -> XDL: 0
//  SrcA/B overlap:           XDL: P+3+G'; SGEMM: P+2; f64 16x16: 11 (gfx950: 19); f64 4x4: 6
//  VALU read:                XDL: P+3+G'; SGEMM: P+2; f64 16x16: 11 (gfx950: 19); f64 4x4: 6
//  VMEM/DS/export read:      XDL: P+3+G'; SGEMM: P+2; f64 16x16: 18; f64 4x4: 9
//  VALU write-after-write:   XDL: P+3+G'; SGEMM: P+2; f64 16x16: 11; f64 4x4: 6
//  VALU write-after-SrcC-read (XDL producers only; none for SGEMM/DGEMM on gfx94x):
//                            2 passes: 1, 4: 3, 8: 7, 16: 15
//  Fixed: VALU writes a VGPR an MFMA reads: 2; VALU writes EXEC before an MFMA: 4;
//         v_fma_f64 after an f64 MFMA: 2.
#include "asmk/mfma/mfma.hpp"

namespace asmk::mfma {
namespace {

enum class HazardClass { xdl, sgemm, dgemm };

HazardClass class_of(const MfmaOp& op) {
  if (op.out_type == DataType::f64) return HazardClass::dgemm;
  if (op.a_type == DataType::f32) return HazardClass::sgemm;
  return HazardClass::xdl;
}

bool is_small_dgemm(const MfmaOp& op) { return op.m == 4; }  // v_mfma_f64_4x4x4_4b_f64

}  // namespace

std::string_view dependency_kind_name(DependencyKind kind) {
  switch (kind) {
    case DependencyKind::srcc_same: return "srcc_same";
    case DependencyKind::srcc_overlap: return "srcc_overlap";
    case DependencyKind::srcab_overlap: return "srcab_overlap";
    case DependencyKind::valu_read: return "valu_read";
    case DependencyKind::mem_read: return "mem_read";
    case DependencyKind::valu_write_waw: return "valu_write_waw";
    case DependencyKind::valu_write_war_srcc: return "valu_write_war_srcc";
  }
  return "unknown";
}

std::string_view hazard_class(const MfmaOp& op) {
  switch (class_of(op)) {
    case HazardClass::xdl: return "xdl";
    case HazardClass::sgemm: return "sgemm";
    case HazardClass::dgemm: return "dgemm";
  }
  return "unknown";
}

int required_wait_states(const HazardQuery& query) {
  if (query.producer == nullptr) return 0;
  const MfmaOp& producer = *query.producer;
  const MfmaOp& consumer = query.consumer != nullptr ? *query.consumer : producer;
  const HazardClass from = class_of(producer);
  const HazardClass to = class_of(consumer);
  const int passes = passes_for(producer, query.producer_cbsz, query.producer_blgp);
  const int gfx950 = producer.arch == Arch::gfx950 ? 1 : 0;
  const int gfx950_unless_2pass = passes != 2 ? gfx950 : 0;
  const bool small_dgemm = from == HazardClass::dgemm && is_small_dgemm(producer);

  // The rule shared by SrcA/B, VALU reads and VALU write-after-write for non-f64 producers.
  const int read_after_write = from == HazardClass::xdl ? passes + 3 + gfx950_unless_2pass : passes + 2;

  switch (query.kind) {
    case DependencyKind::srcc_same:
      if (small_dgemm && to == HazardClass::dgemm && is_small_dgemm(consumer)) return 4;
      if (from != HazardClass::dgemm && passes == 2) return 2;
      return 0;

    case DependencyKind::srcc_overlap:
      if (from == HazardClass::dgemm) {
        if (to == HazardClass::xdl) return 0;
        return small_dgemm ? 4 : (gfx950 ? 17 : 9);
      }
      if (from == HazardClass::sgemm) return to == HazardClass::xdl ? 0 : passes;
      return to == HazardClass::xdl ? passes + 1 + gfx950 : passes + 1 + gfx950_unless_2pass;

    case DependencyKind::srcab_overlap:
      if (from == HazardClass::dgemm) return small_dgemm ? 6 : (gfx950 ? 19 : 11);
      return read_after_write;

    case DependencyKind::valu_read:
      if (from == HazardClass::dgemm) return small_dgemm ? 6 : (gfx950 ? 19 : 11);
      return read_after_write;

    case DependencyKind::mem_read:
      if (from == HazardClass::dgemm) return small_dgemm ? 9 : 18;
      return read_after_write;

    case DependencyKind::valu_write_waw:
      if (from == HazardClass::dgemm) return small_dgemm ? 6 : 11;
      return read_after_write;

    case DependencyKind::valu_write_war_srcc:
      if (from != HazardClass::xdl) return 0;
      switch (passes) {
        case 2: return 1;
        case 4: return 3;
        case 8: return 7;
        default: return 15;
      }
  }
  return 0;
}

int required_wait_states(FixedHazard hazard) {
  switch (hazard) {
    case FixedHazard::valu_write_then_mfma_read: return 2;
    case FixedHazard::valu_write_exec_then_mfma: return 4;
    case FixedHazard::dgemm_then_fma64: return 2;
  }
  return 0;
}

int required_wait_states(const MfmaOp& producer, DependencyKind kind) {
  HazardQuery query;
  query.producer = &producer;
  query.kind = kind;
  return required_wait_states(query);
}

}  // namespace asmk::mfma
