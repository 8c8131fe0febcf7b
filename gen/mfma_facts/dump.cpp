// asmk_mfma_facts: prints the emulator's MFMA table (emu/mfma, the one source of MFMA facts) as the
// JSON asmgen reads (gen/asmgen_lib/mfma_facts.json): per arch and instruction its shape, operand
// types, registers per lane, XDL passes and, for single-block instructions, the accumulator layout:
// element (i, j) of D (i < m: a row of A, j < n: a column of B) is in register row_reg[i] of the
// tuple, lane row_lane[i] + j. The tool checks that every element follows that form and fails if not.
//
//   asmk_mfma_facts > gen/asmgen_lib/mfma_facts.json      (a ctest checks the file is current)
#include <cstdio>
#include <string>
#include <vector>

#include "asmk/mfma/mfma.hpp"

namespace {

using asmk::Arch;
using namespace asmk::mfma;

std::string ints(const std::vector<int>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); i++) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

// The accumulator layout as (row_reg, row_lane) per row, or false if a column does not sit at row_lane + j.
bool d_layout(const MfmaOp& op, std::vector<int>& row_reg, std::vector<int>& row_lane) {
  for (int i = 0; i < op.m; i++) {
    const ElementPlace first = d_place(op, 0, i, 0);
    row_reg.push_back(first.reg);
    row_lane.push_back(first.lane);
    for (int j = 0; j < op.n; j++) {
      const ElementPlace p = d_place(op, 0, i, j);
      if (p.reg != first.reg || p.lane != first.lane + j || p.bit != 0) return false;
    }
  }
  return true;
}

}  // namespace

int main() {
  std::printf("{\n  \"source\": \"emu/mfma (asmk::mfma::all_mfma, d_place), dumped by gen/mfma_facts/dump.cpp\",\n");
  std::printf("  \"archs\": {");
  const Arch archs[] = {Arch::gfx942, Arch::gfx950};
  for (int a = 0; a < 2; a++) {
    std::printf("%s\n    \"%s\": [", a ? "," : "", std::string(asmk::arch_name(archs[a])).c_str());
    bool first = true;
    for (const MfmaOp& op : all_mfma(archs[a])) {
      std::printf("%s\n      {\"mnemonic\": \"%s\", \"m\": %d, \"n\": %d, \"k\": %d, \"blocks\": %d, ", first ? "" : ",",
                  std::string(op.mnemonic).c_str(), op.m, op.n, op.k, op.blocks);
      first = false;
      std::printf("\"a_type\": \"%s\", \"b_type\": \"%s\", \"out_type\": \"%s\", \"f8f6f4\": %s, \"scaled\": %s, ",
                  std::string(data_type_name(op.a_type)).c_str(), std::string(data_type_name(op.b_type)).c_str(),
                  std::string(data_type_name(op.out_type)).c_str(), op.f8f6f4 ? "true" : "false",
                  op.scaled ? "true" : "false");
      std::printf("\"a_regs\": %d, \"b_regs\": %d, \"cd_regs\": %d, \"passes\": %d", op.a_regs, op.b_regs, op.cd_regs,
                  op.passes);
      if (op.blocks == 1 && op.out_type != DataType::f64) {
        std::vector<int> row_reg, row_lane;
        if (!d_layout(op, row_reg, row_lane)) {
          std::fprintf(stderr, "asmk_mfma_facts: %s: the accumulator layout is not row_reg[i], row_lane[i] + j\n",
                       std::string(op.mnemonic).c_str());
          return 1;
        }
        std::printf(",\n       \"row_reg\": %s,\n       \"row_lane\": %s", ints(row_reg).c_str(), ints(row_lane).c_str());
      }
      std::printf("}");
    }
    std::printf("\n    ]");
  }
  std::printf("\n  }\n}\n");
  return 0;
}
