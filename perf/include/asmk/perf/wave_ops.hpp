// The model's input: each wave's executed instruction stream, reduced to what costs time
// (class, bytes moved, s_waitcnt counts, MFMA register dependencies). Built from the emulator's
// trace (trace_ops.hpp) or written by hand in tests; independent of any machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace asmk::perf {

enum class OpClass : uint8_t {
  salu, smem, valu, valu_trans, mfma, vmem_load, vmem_store, lds_read, lds_write,
  branch, waitcnt, barrier, nop, end, other,
};
const char* op_class_name(OpClass cls);

/// A range of vector registers: file 'v' or 'a', first index, count.
struct RegRange {
  char file = 'v';
  uint16_t first = 0, count = 1;
  bool overlaps(const RegRange& o) const {
    return file == o.file && first < o.first + o.count && o.first < first + count;
  }
  bool operator==(const RegRange&) const = default;
};

struct Op {
  OpClass cls = OpClass::other;
  uint32_t mnemonic = 0;           // index into WaveProgram::mnemonics
  uint32_t bytes = 0;              // memory bytes the wave moves (all active lanes)
  uint32_t lds_conflict_cycles = 0;
  int16_t wait_vm = -1, wait_lgkm = -1;  // s_waitcnt counts; -1 = not waited on
  uint16_t nop_cycles = 0;         // s_nop N: N + 1
  std::vector<RegRange> regs;      // vector registers named by the instruction, destination first
};

struct WaveProgram {
  std::vector<Op> ops;
  std::vector<std::string> mnemonics;  // the trace's mnemonic table, plus names the model adds ("<mfma>.f6f4")
};

/// The waves of one workgroup, in wave order (wave i runs on SIMD i % 4).
struct WorkgroupProgram {
  std::vector<WaveProgram> waves;
  uint64_t global_bytes() const;   // vector-memory bytes read + written by all waves
};

/// The vector registers an instruction's text names, in operand order
/// ("v_mfma_f32_32x32x8_bf16 v[0:15], v[32:33], v[34:35], v[0:15]" -> v0..15, v32..33, v34..35, v0..15).
std::vector<RegRange> vector_registers(const std::string& text);
/// N + 1 for "s_nop N" (the wait states it inserts), else 0.
uint16_t nop_wait_states(const std::string& text);

}  // namespace asmk::perf
