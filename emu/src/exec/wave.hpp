// The state of one wave64 and of the workgroup and launch it belongs to, plus the helpers
// semantics use to read operands, touch memory and report faults.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "../decode/instr.hpp"
#include "asmk/emu/device.hpp"
#include "asmk/emu/launch.hpp"

namespace asmk::emu::detail {

constexpr int kLanes = 64;

/// Physical LDS per workgroup: 64 KiB on gfx942, 160 KiB on gfx950.
constexpr uint32_t max_lds_bytes(Arch arch) { return arch == Arch::gfx942 ? 64 * 1024 : 160 * 1024; }

/// Per-launch facts shared by every wave (read-only while waves run, except the reports).
/// What the wait-state checker (wait_states.cpp) needs to know of an instruction beyond its class: classified from its
/// mnemonic once per launch (dispatch setup), not per executed instruction.
struct WaitStateKind {
  bool readlane = false, writelane = false, readfirstlane = false, div_fmas = false, cmpx = false, trans = false,
       lds_dma = false;
};
WaitStateKind wait_state_kind_of(const Instr& in, std::string_view mnemonic);

struct LaunchContext {
  Device* device = nullptr;
  Device::View memory;  // the allocation table when the launch started: kernel accesses read it without a lock
  const Kernel* kernel = nullptr;
  const KernelProgram* program = nullptr;
  LaunchOptions options;
  Dim3 grid, block;
  uint64_t kernarg_address = 0, dispatch_packet_address = 0, queue_address = 0;
  std::vector<uint8_t> wide_float;  // per instruction: 1 if it has f16/f64 operands (MODE's [3:2]/[7:6] fields apply)
  uint64_t code_address = 0;  // device address of the kernel's entry (the code object image is loaded)
  uint32_t lds_bytes = 0;
  std::vector<TraceClass> trace_classes;  // per instruction of the program, when tracing
  std::vector<WaitStateKind> wait_state_kinds;  // per instruction of the program, in strict mode
  bool has_lds_dma = false;   // the program has LDS DMA instructions (strict mode then tracks LDS accesses)
  std::atomic<bool> abort{false};
  std::atomic<uint64_t> launch_instructions{0};  // wave-instructions run so far, added per turn (max_launch_instructions)
  std::atomic<bool> launch_budget_spent{false};  // past max_launch_instructions: every wave faults at its next turn
  // A time bound or a cancel flag is set: waves check them at each turn (stop_reason()).
  bool bounded = false;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  std::mutex report_mutex;
  std::vector<Report> faults, strict;
  uint64_t fault_count = 0, strict_count = 0;
};

/// Per-host-thread statistics, merged at the end of a launch.
struct WaveStats {
  uint64_t instructions = 0;
  std::array<uint64_t, size_t(InstrClass::count)> by_class{};
  std::vector<uint64_t> by_mnemonic;
  uint64_t global_read = 0, global_written = 0, scalar_read = 0, scalar_written = 0, lds_read = 0, lds_written = 0,
           lds_conflicts = 0;
};

/// Strict mode, workgroups of two or more waves: who last touched each LDS dword, to report data
/// races (see lds_race.cpp). Epochs number the barrier intervals; they keep counting across the
/// workgroups a runner executes, so entries of an earlier workgroup are simply stale.
struct LdsRaceShadow {
  static constexpr uint32_t kInFlight = ~0u;  // write epoch of an LDS DMA not yet landed
  static constexpr uint16_t kNoWave = 0xffff;
  struct Dword {
    uint32_t write_epoch = 0, read_epoch = 0;
    uint32_t writer_index = 0, reader_index[2] = {};  // instruction indices
    uint16_t writer = kNoWave, reader[2] = {kNoWave, kNoWave};
  };
  std::vector<Dword> dwords;
  uint32_t epoch = 1;
  std::vector<uint64_t> reported;  // (instruction index << 32 | other index) pairs reported in this workgroup
};

struct Workgroup {
  Dim3 id;
  std::vector<uint8_t> lds;
  uint32_t lds_limit = 0;  // bytes the kernel may use (static + dynamic)
  LdsRaceShadow races;     // used when Wave::race_check
};

/// LDS DMA (buffer_load ... lds, global_load_lds_*) in flight: the lane writes of one instruction,
/// landing in LDS when s_waitcnt vmcnt retires the instruction's vm operation (see lds_dma.cpp).
struct LdsDmaQueue {
  struct Write {
    uint32_t lds_address, bytes, data_offset;
  };
  struct Op {
    uint64_t vm_seq = 0;  // PendingLoads::vm_issued of the instruction
    uint32_t instr_index = 0, first_write = 0, end_write = 0;
  };
  std::vector<Op> ops;
  std::vector<Write> writes;
  std::vector<uint8_t> data;
  size_t landed = 0;  // ops[0, landed) are in LDS
  bool empty() const { return landed == ops.size(); }
  void clear() { ops.clear(); writes.clear(); data.clear(); landed = 0; }
};

/// Outstanding memory loads for strict mode: per register, the counter value at which its load
/// completes. A read is legal once the wave's retired count has passed it.
struct PendingLoads {
  std::vector<uint64_t> vgpr, agpr;   // 0 = nothing pending, else vm sequence number (or lgkm with high bit)
  std::array<uint64_t, kNumSRegs> sgpr{};
  uint64_t vm_issued = 0, vm_retired = 0;
  uint64_t lgkm_issued = 0, lgkm_retired = 0;
  uint64_t smem_outstanding = 0, smem_all_retired = 0;
};

/// Recently issued MFMAs, for the strict-mode wait-state checks (see mfma_bridge.cpp).
struct MfmaProducer {
  OpKind file = OpKind::vgpr;
  uint16_t reg = 0, count = 0;     // destination registers
  uint16_t c_reg = 0, c_count = 0; // SrcC registers (0 count when SrcC is a constant)
  OpKind c_file = OpKind::vgpr;
  const void* op = nullptr;        // the MFMA shape (asmk::mfma::MfmaOp)
  uint32_t cbsz = 0, blgp = 0;
  uint64_t issued_at = 0;          // wave wait-state count when it issued
};

struct Wave {
  // Architectural state.
  std::array<uint32_t, kNumSRegs> s{};
  bool scc = false;
  std::vector<uint32_t> v;  // register-major: v[reg * 64 + lane]
  std::vector<uint32_t> a;  // AccVGPRs, same layout
  uint32_t pc = 0;          // instruction index
  bool done = false, at_barrier = false, faulted = false;
  uint32_t wave_id = 0;     // within the workgroup
  uint64_t executed = 0;
  uint32_t turn_left = 0;   // instructions left in this wave's turn (see WorkgroupRunner::run)
  bool race_check = false;  // strict mode with several waves: LDS accesses feed LdsRaceShadow

  LaunchContext* ctx = nullptr;
  Workgroup* wg = nullptr;
  WaveStats* stats = nullptr;
  PendingLoads pending;
  LdsDmaQueue dma;
  std::vector<MfmaProducer> mfma_in_flight;
  // Strict mode, the wait-state rules (wait_states.cpp): per SGPR the wait-state count + 1 at its
  // last VALU write (0: none); the VGPR destinations of the last two VALU instructions (no VGPR rule
  // asks more than 2 wait states, so an older write has expired); M0's last SALU write.
  struct ValuVgprWrite {
    uint64_t at = 0;  // wait-state count + 1 (0: none)
    uint16_t reg = 0, count = 0;
    bool trans = false;    // a transcendental op (v_exp, v_log, v_rcp, v_rsq, v_sqrt, v_sin, v_cos)
    bool partial = false;  // SDWA dst_sel other than DWORD, or VOP3 op_sel on the destination
  };
  std::array<uint64_t, kNumSRegs> valu_sgpr_written{};
  std::array<ValuVgprWrite, 2> valu_vgpr_writes{};  // [0] the latest
  uint64_t salu_m0_written = 0;
  std::vector<uint8_t> scratch;  // private segment: lane l owns [l * scratch_per_lane, (l+1) * scratch_per_lane)
  uint32_t scratch_per_lane = 0;
  uint64_t wait_states = 0;
  WaveTrace* trace = nullptr;
  uint32_t mode = 0;        // HW_REG_MODE: FP_ROUND [3:0], FP_DENORM [7:4], GPR_IDX_EN [27]; see set_mode
  // Denormal flushing from FP_DENORM ([5:4] f32, [7:6] f16/f64; 0 flush inputs and results,
  // 1 flush results, 2 flush inputs, 3 keep both).
  bool flush_src32 = false, flush_dst32 = false, flush_src64 = false, flush_dst64 = false;
  bool slow_path = false;   // tracing, GPR indexing or a directed round mode: run_slow (launch.cpp)

  static constexpr uint32_t kModeGprIdxEn = 1u << 27;
  bool gpr_idx_enabled() const { return mode & kModeGprIdxEn; }
  /// Sets MODE and what follows from it (flush flags, slow path).
  void set_mode(uint32_t m) {
    mode = m;
    const uint32_t d32 = (m >> 4) & 3, d64 = (m >> 6) & 3;
    flush_src32 = d32 == 0 || d32 == 2;
    flush_dst32 = d32 == 0 || d32 == 1;
    flush_src64 = d64 == 0 || d64 == 2;
    flush_dst64 = d64 == 0 || d64 == 1;
    update_slow_path();
  }
  /// Call after changing `trace` (set_mode calls it).
  void update_slow_path() { slow_path = trace != nullptr || gpr_idx_enabled() || (mode & 0xf) != 0; }

  uint64_t exec() const { return uint64_t(s[kExecLo]) | uint64_t(s[kExecHi]) << 32; }
  void set_exec(uint64_t e) { s[kExecLo] = uint32_t(e); s[kExecHi] = uint32_t(e >> 32); }
  uint64_t vcc() const { return uint64_t(s[kVccLo]) | uint64_t(s[kVccHi]) << 32; }
  void set_vcc(uint64_t m) { s[kVccLo] = uint32_t(m); s[kVccHi] = uint32_t(m >> 32); }
  uint32_t* vreg(const Operand& o) { return (o.kind == OpKind::agpr ? a.data() : v.data()) + size_t(o.reg) * kLanes; }

  /// Records a fault and stops this wave.
  void fault(FaultKind kind, const Instr& in, int lane, uint64_t address, std::string message);
  /// Records a strict-mode finding; execution continues.
  void strict_report(FaultKind kind, const Instr& in, int lane, uint64_t address, std::string message);
  bool strict() const { return ctx->options.strict; }

 private:
  void file_report(std::vector<Report>& list, uint64_t& count, FaultKind kind, const Instr& in, int lane,
                   uint64_t address, std::string message);
};

// ---- scalar operand access ---------------------------------------------------------------

uint32_t read_special32(const Wave& w, const Operand& o);
uint64_t read_special64(const Wave& w, const Operand& o);

// Apertures: flat addresses in [base, base + 4 GiB) reach LDS or scratch instead of global memory.
constexpr uint64_t kSharedApertureBase = 0x0001'0000'0000'0000ull;
constexpr uint64_t kPrivateApertureBase = 0x0002'0000'0000'0000ull;
// The private segment buffer resource (s[0:3] when the descriptor asks for it) has this base: a
// buffer access through it reaches the lane's scratch at byte (address - base) (the hardware's
// swizzle gives every lane its own dwords, so each lane sees a linear private segment).
constexpr uint64_t kScratchBufferBase = 0x0000'F000'0000'0000ull;

inline uint32_t sread32(const Wave& w, const Operand& o) {
  switch (o.kind) {
    case OpKind::sgpr: return w.s[o.reg];
    case OpKind::constant: return o.k32;
    case OpKind::scc: return w.scc;
    default: return read_special32(w, o);
  }
}
inline uint64_t sread64(const Wave& w, const Operand& o, bool is_float = false) {
  switch (o.kind) {
    case OpKind::sgpr: return uint64_t(w.s[o.reg]) | uint64_t(w.s[(o.reg + 1) % kNumSRegs]) << 32;
    case OpKind::constant: return is_float ? o.k64f : o.k64;
    case OpKind::scc: return w.scc;
    default: return read_special64(w, o);
  }
}
inline void swrite32(Wave& w, const Operand& o, uint32_t v) {
  if (o.kind == OpKind::sgpr) w.s[o.reg] = v;
}
inline void swrite64(Wave& w, const Operand& o, uint64_t v) {
  if (o.kind == OpKind::sgpr) {
    w.s[o.reg] = uint32_t(v);
    w.s[(o.reg + 1) % kNumSRegs] = uint32_t(v >> 32);
  }
}

// ---- vector operand access ----------------------------------------------------------------

/// Pointer to 64 lanes of dword `d` of a source operand. Registers point into the register file;
/// scalars and constants are broadcast into `scratch`. No DPP/SDWA (see vector_source).
enum class Width : uint8_t { b32, b64, f64, b16 };  // how a constant operand is read (b16: 16-bit operand)
const uint32_t* lanes32(Wave& w, const Operand& o, uint32_t* scratch, int d = 0, Width width = Width::b32);

/// Lanes of a 32-bit VALU source `i` with DPP (src0) and SDWA selection applied.
const uint32_t* vector_source(Wave& w, const Instr& in, int i, uint32_t* scratch, Width width = Width::b32);

/// Lanes of dword `dword` of a 64-bit VALU source `i` with DPP (src0) applied (gfx90a+ DP ALU
/// DPP); `scratch` holds 2 x 64 words.
const uint32_t* vector_source64(Wave& w, const Instr& in, int i, uint32_t* scratch, Width width, int dword);

/// GPR indexing mode (s_set_gpr_idx_on): a copy of VALU instruction `in` whose VGPR operands
/// enabled in M0[15:12] (src0, src1, src2, dst) are offset by M0[7:0]. An operand pushed past the
/// wave's VGPRs becomes v0, as the hardware substitutes it (a strict report says so).
Instr gpr_indexed(Wave& w, const Instr& in);

/// Lanes where the instruction writes: EXEC, narrowed by DPP row/bank masks and bound_ctrl rules.
uint64_t write_mask(Wave& w, const Instr& in);

/// Writes 32-bit results of active lanes to a VGPR destination, honouring SDWA dst_sel.
void vector_write32(Wave& w, const Instr& in, const Operand& dst, const uint32_t* result, uint64_t mask);

inline bool lane_on(uint64_t mask, int lane) { return (mask >> lane) & 1; }

// ---- strict-mode bookkeeping of outstanding loads -------------------------------------------
constexpr uint64_t kPendLgkm = 1ull << 63, kPendSmem = 1ull << 62, kPendSeqMask = (1ull << 62) - 1;

/// A vector memory instruction issued (vmcnt counts loads and stores on gfx9); `dst` may be null.
void note_vm(Wave& w, const Operand* dst);
/// An LDS (or GDS) instruction issued; `dst` may be null.
void note_lds(Wave& w, const Operand* dst);
/// A scalar memory load issued (returns out of order: only lgkmcnt(0) covers it).
void note_smem(Wave& w, const Operand* dst);
/// s_waitcnt with the given counts.
void wait_counts(Wave& w, unsigned vmcnt, unsigned lgkmcnt);
/// Strict check of the source registers of `in` before it runs.
void check_pending_sources(Wave& w, const Instr& in);
/// Strict check of MFMA wait states before `in` runs (no-op without the MFMA library); it also
/// counts the wait state(s) `in` issues, so it runs after check_wait_states.
void check_mfma_hazards(Wave& w, const Instr& in);
/// Strict check of the VALU wait-state rules (asmk/emu/wait_states.hpp) before `in` runs, and the
/// bookkeeping of the registers a VALU `in` writes.
void check_wait_states(Wave& w, const Instr& in);

// ---- LDS DMA and data races (lds_dma.cpp, lds_race.cpp) ---------------------------------------

/// Queues lane `lane`'s LDS write of `bytes` at `lds_address` for the DMA instruction `in`
/// (range-checked now, as an LDS store). Returns false when the wave faulted.
bool dma_lane(Wave& w, const Instr& in, int lane, uint32_t lds_address, const void* data, uint32_t bytes);
/// Closes the DMA instruction `in`: call once after its note_vm.
void dma_issued(Wave& w, const Instr& in);
/// Lands the DMA operations that s_waitcnt vmcnt has retired (all of them with `all`).
void land_dma(Wave& w, bool all = false);

enum class LdsAccess : uint8_t { read, write, atomic };
/// Strict race check and bookkeeping of an LDS access by lane `lane` of `in` (Wave::race_check).
void race_access(Wave& w, const Instr& in, int lane, uint64_t address, uint32_t bytes, LdsAccess kind);
/// Race bookkeeping of a DMA write: issued (in flight) or landed.
void race_dma_write(Wave& w, uint32_t instr_index, uint32_t address, uint32_t bytes, bool landed);

}  // namespace asmk::emu::detail
