// The table of asmk::emu::semantics_departures() (see asmk/emu/departures.hpp). A test checks
// that every entry names instructions the emulator has; emu/README.md points here.
#include "asmk/emu/departures.hpp"

#include <array>

#include "../decode/decoder.hpp"
#include "registry.hpp"

namespace asmk::emu {
namespace {

using K = DepartureKind;

constexpr std::array kDepartures = {
    SemanticsDeparture{
        "vmem-exec-zero-vmcnt", K::interprets, "buffer_load_* buffer_store_* global_load_* global_store_* flat_load_*",
        "a vector memory instruction issued with EXEC = 0 does not count in VM_CNT (it writes nothing), so a later "
        "s_waitcnt vmcnt(n) retires only the loads that had active lanes up to n from the end; code correct this way "
        "is correct whether or not the hardware counts such an instruction, and strict mode reports a register read "
        "that relies on the count",
        "CDNA3/CDNA4 ISA, S_WAITCNT and the vector memory chapter (silent on EXEC = 0)"},
    SemanticsDeparture{
        "transcendental-rounding", K::departs,
        "v_rcp_f32 v_rsq_f32 v_sqrt_f32 v_exp_f32 v_log_f32 v_sin_f32 v_cos_f32 v_rcp_f64 v_rsq_f64 v_sqrt_f64",
        "correctly rounded results; the hardware's are within about 1 ulp, so bit patterns can differ",
        "CDNA3 ISA, VOP1 transcendental descriptions (approximations)"},
    SemanticsDeparture{
        "div-fmas-post-scale", K::departs, "v_div_fmas_f32 v_div_fmas_f64",
        "scales by 2^+-64 (f32) / 2^+-128 (f64) by the exponent of S2 instead of the published 2^32 / 2^64, "
        "which cannot undo v_div_scale's 2^64 / 2^128; clang's division then is exact for denormal divisors",
        "CDNA3 ISA, V_DIV_FMAS_F32/F64 pseudocode"},
    SemanticsDeparture{
        "denorm-mode-scope", K::departs, "v_cvt_* v_mfma_* v_exp_f32 v_log_f32",
        "MODE.FP_DENORM flushes only in the f32 VALU arithmetic family (and v_fma_f32) and the f16/f64 "
        "families; conversions, MFMA and transcendentals outside them keep denormals",
        "CDNA3 ISA, MODE register FP_DENORM"},
    SemanticsDeparture{
        "directed-rounding-twice", K::departs, "v_fma_mix_f32 v_fma_mixlo_f16 v_fma_mixhi_f16 v_pk_fma_f16",
        "a directed FP_ROUND mode is applied through the host's rounding mode; results computed in wider "
        "precision and then narrowed may round twice",
        "CDNA3 ISA, MODE register FP_ROUND"},
    SemanticsDeparture{
        "fp8-overflow", K::interprets, "v_cvt_pk_fp8_f32 v_cvt_pk_bf8_f32 v_cvt_sr_fp8_f32 v_cvt_sr_bf8_f32 v_cvt_scalef32_*",
        "without clamp, values past the largest finite value become NaN (e4m3) or Inf/NaN (e5m2); with clamp "
        "they saturate; fp4 always saturates",
        "CDNA3/CDNA4 ISA conversion descriptions; formats from asmk::ref"},
    SemanticsDeparture{
        "stochastic-rounding-bits", K::interprets, "v_cvt_sr_* v_cvt_scalef32_sr_*",
        "the random operand's low (source mantissa bits - destination mantissa bits) bits are added to the bits "
        "cut off below the destination's precision (its subnormal ulp included); a carry rounds up",
        "ISA pseudocode names the rounding only; bit alignment from AMD's host model of the instructions "
        "(CK/HIP fp8 conversion with stochastic rounding)"},
    SemanticsDeparture{
        "sr-f16-keeps-other-half", K::interprets, "v_cvt_sr_f16_f32 v_cvt_sr_bf16_f32",
        "op_sel[3] picks the destination half; the other half is kept", "LLVM intrinsic (old value operand)"},
    SemanticsDeparture{
        "cvt-pk-u8-rounding", K::interprets, "v_cvt_pk_u8_f32",
        "f32_to_u8 truncates like f32_to_u32 (NaN and negatives give 0) and saturates at 255",
        "CDNA3 ISA, V_CVT_PK_U8_F32 (f32_to_u8 is not defined there)"},
    SemanticsDeparture{
        "setvskip", K::not_modeled, "s_setvskip",
        "clearing VSKIP is exact; setting it (vector instructions skipped) faults with a message",
        "CDNA3 ISA, S_SETVSKIP"},
    SemanticsDeparture{
        "mfma-arithmetic", K::interprets, "v_mfma_* v_smfmac_*",
        "float inputs: exact products summed in binary64 in increasing k, C added last, one rounding to f32; "
        "xf32 rounds inputs to 10 mantissa bits; f64 is an fma chain; no denormal flushing",
        "CDNA3/CDNA4 ISA leave internal precision and order unspecified (emu/mfma/README.md)"},
    SemanticsDeparture{
        "mfma-fp6-packing", K::interprets, "v_mfma_f32_32x32x64_f8f6f4 v_mfma_f32_16x16x128_f8f6f4 v_mfma_scale_*",
        "fp6/bf6 operands are one contiguous 192-bit stream of 32 values per lane",
        "no public source states it; fp4's contiguous run of 32 (ROCm matrix-core article)"},
    SemanticsDeparture{
        "smfmac-index-set", K::interprets, "v_smfmac_*",
        "with cbsz = 0, abid selects the index set; otherwise set 0",
        "AMD matrix instruction calculator (its code; its comment says the reverse)"},
    SemanticsDeparture{
        "smfmac-cdna4-layout", K::interprets,
        "v_smfmac_f32_16x16x64_f16 v_smfmac_f32_32x32x32_f16 v_smfmac_i32_16x16x128_i8 v_smfmac_f32_16x16x128_fp8_fp8",
        "the gfx950 K-doubled forms keep the CDNA3 pattern: lane l holds row l % M and M*K/64 consecutive K",
        "AMD matrix instruction calculator (CDNA3 only); not checked on hardware"},
    SemanticsDeparture{
        "smfmac-duplicate-index", K::interprets, "v_smfmac_*",
        "two stored values of one group naming the same position: the later value wins",
        "4:2 sparsity requires distinct positions; the ISA does not define the other case"},
    SemanticsDeparture{
        "lds-transpose-tile", K::interprets, "ds_read_b64_tr_b4 ds_read_b64_tr_b8 ds_read_b64_tr_b16 ds_read_b96_tr_b6",
        "each 16-lane group's data, in lane order, forms a tile of 16 columns; lane c gets column c",
        "CDNA4 ISA description of the transposing reads; not checked on hardware"},
    SemanticsDeparture{
        "lds-dma-subdword", K::interprets,
        "global_load_lds_ubyte global_load_lds_sbyte global_load_lds_ushort global_load_lds_sshort",
        "each lane writes a dword to LDS at M0 + offset + 4 * lane: the element zero- or sign-extended to 32 "
        "bits as a VGPR load returns it (so do buffer_load_ubyte/sbyte/ushort/sshort with lds)",
        "CDNA4 ISA 9.1.9 and 10.3 (LDS_ADDR ... + TIDinWave * 4; read data is 32 bits); not checked on hardware"},
    SemanticsDeparture{
        "lds-dma-arrival", K::interprets, "global_load_lds_*",
        "LDS DMA (and buffer_load_* with lds) lands exactly when s_waitcnt vmcnt retires it, or at s_endpgm; "
        "on hardware it may arrive any time before, so reads before the wait see the old bytes here "
        "(strict mode reports them)",
        "CDNA3/CDNA4 ISA, vector memory counters; emu/README.md, Waves, LDS DMA and races"},
    SemanticsDeparture{
        "permlane-swap-exec", K::interprets, "v_permlane16_swap_b32 v_permlane32_swap_b32",
        "a pair swaps only when both lanes are active (the e32 form has fi = 0, bound_ctrl = 0)",
        "CDNA4 ISA, V_PERMLANE16_SWAP / V_PERMLANE32_SWAP"},
    SemanticsDeparture{
        "hwreg-other-registers", K::not_modeled, "s_getreg_b32 s_setreg_b32 s_setreg_imm32_b32",
        "MODE is modeled; other hardware registers read 0 and writes to them are ignored",
        "CDNA3 ISA, hardware registers"},
    SemanticsDeparture{
        "gpr-index-agpr-overflow", K::interprets, "v_accvgpr_read_b32 v_accvgpr_write_b32 v_accvgpr_mov_b32",
        "under GPR indexing an AccVGPR operand pushed past the wave's AccVGPRs becomes a0",
        "CDNA3 ISA, GPR indexing (names only v0 for VGPRs)"},
    SemanticsDeparture{
        "mubuf-range-silent-cases", K::interprets, "buffer_load_* buffer_store_* buffer_atomic_*",
        "combinations the range-checking table leaves out: idxen with stride 0, and add_tid_enable with idxen, "
        "check the index (VGPR index + lane) against num_records like a structured buffer; the byte check "
        "puts a dword (or sub-dword) out of range when its last byte is past num_records",
        "CDNA3/CDNA4 ISA 9.1.5.1 Range Checking; LLVM IntrinsicsAMDGPU.td (gfx9 checks by idxen); LLVM "
        "AMDGPUUsage, relaxed buffer OOB mode (each 32-bit word checked on its own)"},
    SemanticsDeparture{
        "mubuf-swizzle", K::not_modeled, "buffer_load_* buffer_store_* buffer_atomic_*",
        "swizzled addressing (V# swizzle enable, outside the private segment buffer) faults with a message",
        "CDNA3 ISA, swizzled buffer addressing"},
    SemanticsDeparture{
        "lds-load-subdword", K::interprets,
        "global_load_lds_ubyte global_load_lds_sbyte global_load_lds_ushort global_load_lds_sshort",
        "sub-dword loads to LDS write a dword per lane, the element extended to 32 bits as a VGPR load "
        "returns it",
        "CDNA4 ISA 9.1.9 / 10.3 (\"TIDinWave*4\", \"read data is 32 bits\"); not checked on hardware"},
    SemanticsDeparture{
        "timing-only", K::not_modeled, "s_nop s_sleep s_setprio v_nop",
        "instructions that only affect timing or priority do nothing (wait states are counted for MFMA hazards)",
        "CDNA3 ISA"},
    SemanticsDeparture{
        "cache-coherence-ops", K::not_modeled, "buffer_wbl2 buffer_inv buffer_wbinvl1 buffer_wbinvl1_vol",
        "memory is one coherent store: L2 writeback / invalidate do nothing and the sc0 / sc1 / nt cache bits of "
        "loads and stores are ignored (sc0 on an atomic still returns the old value), so a cross-workgroup handoff "
        "without the agent-scope sequence (release: buffer_wbl2 sc1 then s_waitcnt vmcnt(0) before the atomic; "
        "acquire: s_waitcnt vmcnt(0) then buffer_inv sc1 after it) works here and can fail on MI300X / MI355X, whose "
        "XCDs have separate L2s; MLA decode's fused combine is checked against the sequence in its disassembly instead",
        "LLVM AMDGPUUsage, Memory Model GFX942 (the code LLVM 22 emits for an agent-scope acq_rel atomicrmw on "
        "gfx942 / gfx950); CDNA3 ISA, BUFFER_WBL2 / BUFFER_INV"},
};

}  // namespace

std::span<const SemanticsDeparture> semantics_departures() { return kDepartures; }

std::string_view departure_kind_name(DepartureKind kind) {
  switch (kind) {
    case DepartureKind::departs: return "departs";
    case DepartureKind::interprets: return "interprets";
    case DepartureKind::not_modeled: return "not modeled";
  }
  return "?";
}

bool concerns(const SemanticsDeparture& entry, std::string_view instruction_text) {
  const std::string_view mnemonic = detail::semantics_mnemonic(instruction_text);
  std::string_view list = entry.instructions;
  while (!list.empty()) {
    const size_t end = list.find(' ');
    std::string_view name = list.substr(0, end);
    list = end == std::string_view::npos ? std::string_view() : list.substr(end + 1);
    if (name.ends_with('*') ? mnemonic.starts_with(name.substr(0, name.size() - 1)) : mnemonic == name) return true;
  }
  return false;
}

bool has_semantics(std::string_view mnemonic_or_prefix) {
  return detail::Registry::instance().matches(mnemonic_or_prefix);
}

}  // namespace asmk::emu
