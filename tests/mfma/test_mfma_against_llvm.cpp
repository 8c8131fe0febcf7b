// The instruction table against LLVM 22 itself: every mnemonic, with the register tuple widths
// the table states, must assemble for its arch and print back with the same spelling (the
// f8f6f4 forms with their fp6 (6 registers) and fp4 (4 registers) operand widths too), and the
// pass counts must equal llvm-mca's reciprocal throughput from LLVM's scheduling model.
#include <gtest/gtest.h>

#include <cstdio>
#include <unistd.h>
#include <fstream>
#include <tuple>
#include <sstream>
#include <string>
#include <vector>

#include "asmk/mfma/mfma.hpp"

namespace {

using asmk::Arch;
using asmk::mfma::MfmaOp;

std::string tuple(char file, int first, int count) {
  if (count == 1) return std::string(1, file) + std::to_string(first);
  return std::string(1, file) + "[" + std::to_string(first) + ":" + std::to_string(first + count - 1) + "]";
}

std::string line_for(const MfmaOp& op, int a_regs, int b_regs, const std::string& modifiers) {
  std::string text = std::string(op.mnemonic) + " " + tuple('a', 0, op.cd_regs) + ", " + tuple('v', 0, a_regs) + ", " +
                     tuple('v', 32, b_regs) + ", " + tuple('a', 0, op.cd_regs);
  if (op.scaled) text += ", v60, v61";
  return text + modifiers;
}

// A scratch file name unique to this process (ctest runs the cases in parallel processes).
std::string scratch_path(const std::string& stem) {
  static int counter = 0;
  return ::testing::TempDir() + stem + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
}

// Runs an LLVM tool on `lines` for `arch`; returns its output including errors.
std::string run_llvm(const std::string& tool_and_flags, Arch arch, const std::vector<std::string>& lines) {
  const std::string path = scratch_path("mfma_llvm") + ".s";
  {
    std::ofstream out(path);
    for (const auto& l : lines) out << l << "\n";
  }
  const std::string command = tool_and_flags + " -mcpu=" + std::string(asmk::arch_name(arch)) + " " + path + " 2>&1";
  std::string output;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    pclose(pipe);
  }
  std::remove(path.c_str());
  return output;
}

std::string assemble(Arch arch, const std::vector<std::string>& lines) {
  return run_llvm(std::string(ASMK_LLVM_BIN) + "/llvm-mc -triple=amdgcn-amd-amdhsa", arch, lines);
}

// Every instruction, f8f6f4 ones once per format pair, with the mnemonic each line should print.
struct Listing {
  std::vector<std::string> lines;
  std::vector<const MfmaOp*> ops;
};

Listing listing(Arch arch) {
  Listing l;
  for (const MfmaOp& op : asmk::mfma::all_mfma(arch)) {
    if (op.f8f6f4) {
      for (std::uint32_t a = 0; a < 5; ++a)
        for (std::uint32_t b = 0; b < 5; ++b) {
          const std::string mods = (a ? " cbsz:" + std::to_string(a) : "") + (b ? " blgp:" + std::to_string(b) : "");
          l.lines.push_back(line_for(op, asmk::mfma::a_registers(op, a), asmk::mfma::b_registers(op, b), mods));
          l.ops.push_back(&op);
        }
    } else {
      l.lines.push_back(line_for(op, op.a_regs, op.b_regs, ""));
      l.ops.push_back(&op);
    }
  }
  return l;
}

class LlvmNames : public ::testing::TestWithParam<Arch> {};

TEST_P(LlvmNames, EveryMnemonicAssemblesWithTheStatedRegisterWidths) {
  const Arch arch = GetParam();
  const Listing l = listing(arch);
  const std::string output = assemble(arch, l.lines);
  ASSERT_EQ(output.find("error"), std::string::npos) << output;

  std::vector<std::string> printed;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first.rfind("v_mfma", 0) == 0) printed.push_back(first);
  }
  ASSERT_EQ(printed.size(), l.ops.size()) << output;
  for (std::size_t i = 0; i < printed.size(); ++i) EXPECT_EQ(printed[i], l.ops[i]->mnemonic) << l.lines[i];
}

TEST_P(LlvmNames, PassesMatchLlvmSchedulingModel) {
  const Arch arch = GetParam();
  const Listing l = listing(arch);
  const std::string output =
      run_llvm(std::string(ASMK_LLVM_BIN) + "/llvm-mca -mtriple=amdgcn-amd-amdhsa -iterations=1 -instruction-info", arch, l.lines);
  // Instruction Info rows: "#uOps  Latency  RThroughput  [flags]  instruction text".
  std::vector<double> throughput;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    int uops = 0, latency = 0;
    double rthroughput = 0;
    if (line.find("v_mfma") == std::string::npos || !(words >> uops >> latency >> rthroughput)) continue;
    throughput.push_back(rthroughput);
  }
  ASSERT_EQ(throughput.size(), l.ops.size()) << output;
  for (std::size_t i = 0; i < throughput.size(); ++i) {
    // llvm-mca's MC-level model gives f8f6f4 the fp4/fp6 figure whatever the formats; the code
    // generator's figures (format-dependent) are checked in LlcWaitStates below.
    const MfmaOp& op = *l.ops[i];
    EXPECT_EQ(throughput[i], op.f8f6f4 ? asmk::mfma::passes_for(op, 4, 4) : op.passes) << l.lines[i];
  }
}

TEST_P(LlvmNames, WrongTupleWidthIsRejected) {
  // A one-register-too-narrow A tuple must not assemble: the widths are LLVM's, not guesses.
  const Arch arch = GetParam();
  for (const MfmaOp& op : asmk::mfma::all_mfma(arch)) {
    if (op.a_regs < 2 || op.f8f6f4) continue;
    const std::string output = assemble(arch, {line_for(op, op.a_regs - 1, op.b_regs, "")});
    EXPECT_NE(output.find("error"), std::string::npos) << op.mnemonic;
  }
}

// Wait states LLVM's code generator inserts between an MFMA and the first instruction reading its
// result (a VALU v_accvgpr_read, or a global store of the whole result), against our table.
struct LlcCase {
  Arch arch;
  const char* mnemonic;
  std::uint32_t cbsz, blgp;  // f8f6f4 formats
  const char* intrinsic;
  const char* a_type;
  const char* b_type;
  const char* c_type;
  const char* element;  // element type of C
  const char* mods;     // trailing immediate arguments
  asmk::mfma::DependencyKind kind;
};

std::string llc_ir(const LlcCase& c) {
  const std::string cty = c.c_type, el = c.element;
  int mod_count = 1;
  for (const char* p = c.mods; *p != 0; ++p) mod_count += (*p == ',');
  std::string decl_mods;
  for (int i = 0; i < mod_count; ++i) decl_mods += ", i32";
  std::string ir = "declare " + cty + " @" + c.intrinsic + "(" + c.a_type + ", " + c.b_type + ", " + cty + decl_mods + ")\n";
  ir += "define amdgpu_kernel void @k(ptr addrspace(1) %out, " + std::string(c.a_type) + " %a, " + c.b_type + " %b) {\n";
  ir += "  %r = call " + cty + " @" + c.intrinsic + "(" + c.a_type + " %a, " + c.b_type + " %b, " + cty +
        " zeroinitializer, " + c.mods + ")\n";
  if (c.kind == asmk::mfma::DependencyKind::mem_read) {
    ir += "  store " + cty + " %r, ptr addrspace(1) %out\n";
  } else {
    const bool vector = cty.front() == '<';
    const bool is_int = el == "i32";
    ir += vector ? "  %e = extractelement " + cty + " %r, i32 0\n" : "  %e = " + std::string(is_int ? "add " : "fadd ") + el + " %r, " + (is_int ? "0" : "0.0") + "\n";
    ir += "  %f = " + std::string(is_int ? "add " : "fadd ") + el + " %e, " + (is_int ? "1" : "1.0") + "\n";
    ir += "  store " + el + " %f, ptr addrspace(1) %out\n";
  }
  return ir + "  ret void\n}\n";
}

void PrintTo(const LlcCase& c, std::ostream* os) {
  *os << asmk::arch_name(c.arch) << " " << c.mnemonic << " cbsz:" << c.cbsz << " blgp:" << c.blgp << " "
      << asmk::mfma::dependency_kind_name(c.kind);
}

class LlcWaitStates : public ::testing::TestWithParam<LlcCase> {};

// Compiles `ir` with llc and counts the wait states between the first v_mfma (which must print
// as `producer`) and the first later line starting with `reader`: s_nop N gives N + 1, any other
// instruction 1. Returns -1 (and records a failure) when the sequence is not found or when no
// s_nop was inserted (then the count would not measure the hazard).
int llc_wait_states(Arch arch, const std::string& ir, const std::string& producer, const std::string& reader) {
  const std::string path = scratch_path("mfma_llc") + ".ll";
  {
    std::ofstream out(path);
    out << ir;
  }
  std::string output;
  const std::string command = std::string(ASMK_LLVM_BIN) + "/llc -mtriple=amdgcn-amd-amdhsa -mcpu=" +
                              std::string(asmk::arch_name(arch)) + " " + path + " -o - 2>&1";
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[4096];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    pclose(pipe);
  }
  std::remove(path.c_str());

  std::istringstream in(output);
  bool after_producer = false, saw_nop = false;
  int wait_states = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string first;
    if (!(words >> first) || first[0] == '.' || first[0] == ';' || first.back() == ':') continue;
    if (!after_producer) {
      if (first.rfind("v_mfma", 0) == 0) {
        EXPECT_EQ(first, producer) << output;
        after_producer = true;
      }
      continue;
    }
    if (first.rfind(reader, 0) == 0) {
      EXPECT_TRUE(saw_nop) << output;
      return saw_nop ? wait_states : -1;
    }
    if (first == "s_nop") {
      int n = 0;
      words >> n;
      wait_states += n + 1;
      saw_nop = true;
    } else {
      wait_states += 1;
    }
  }
  ADD_FAILURE() << "no " << producer << " followed by " << reader << " in:\n" << ir << output;
  return -1;
}

TEST_P(LlcWaitStates, MatchLlvmHazardRecognizer) {
  const LlcCase& c = GetParam();
  const std::string reader = c.kind == asmk::mfma::DependencyKind::mem_read ? "global_store" : "v_accvgpr_read";
  const int llc = llc_wait_states(c.arch, llc_ir(c), c.mnemonic, reader);

  asmk::mfma::HazardQuery q;
  q.producer = asmk::mfma::find_mfma(c.mnemonic, c.arch);
  ASSERT_NE(q.producer, nullptr);
  q.producer_cbsz = c.cbsz;
  q.producer_blgp = c.blgp;
  q.kind = c.kind;
  EXPECT_EQ(asmk::mfma::required_wait_states(q), llc) << c.mnemonic << " cbsz " << c.cbsz << " blgp " << c.blgp;
}

// MFMA -> MFMA dependencies, written as whole IR functions (the second MFMA reads the first's
// result as SrcC or SrcA), for both archs.
struct ChainCase {
  const char* name;
  const char* producer;
  const char* consumer;
  asmk::mfma::DependencyKind kind;
  const char* ir;
};

void PrintTo(const ChainCase& c, std::ostream* os) { *os << c.name; }

const ChainCase kChainCases[] = {
    {"srcc_same_2pass", "v_mfma_f32_4x4x4_16b_f16", "v_mfma_f32_4x4x4_16b_f16", asmk::mfma::DependencyKind::srcc_same,
     "declare <4 x float> @llvm.amdgcn.mfma.f32.4x4x4f16(<4 x half>, <4 x half>, <4 x float>, i32, i32, i32)\n"
     "define amdgpu_kernel void @k(ptr addrspace(1) %out, <4 x half> %a, <4 x half> %b) {\n"
     "  %r1 = call <4 x float> @llvm.amdgcn.mfma.f32.4x4x4f16(<4 x half> %a, <4 x half> %b, <4 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  %r2 = call <4 x float> @llvm.amdgcn.mfma.f32.4x4x4f16(<4 x half> %b, <4 x half> %a, <4 x float> %r1, i32 0, i32 0, i32 0)\n"
     "  store <4 x float> %r2, ptr addrspace(1) %out\n  ret void\n}\n"},
    {"srcc_overlap_xdl", "v_mfma_f32_32x32x8_f16", "v_mfma_f32_16x16x16_f16", asmk::mfma::DependencyKind::srcc_overlap,
     "declare <4 x float> @llvm.amdgcn.mfma.f32.16x16x16f16(<4 x half>, <4 x half>, <4 x float>, i32, i32, i32)\n"
     "declare <16 x float> @llvm.amdgcn.mfma.f32.32x32x8f16(<4 x half>, <4 x half>, <16 x float>, i32, i32, i32)\n"
     "define amdgpu_kernel void @k(ptr addrspace(1) %out, <4 x half> %a, <4 x half> %b) {\n"
     "  %r1 = call <16 x float> @llvm.amdgcn.mfma.f32.32x32x8f16(<4 x half> %a, <4 x half> %b, <16 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  %c = shufflevector <16 x float> %r1, <16 x float> poison, <4 x i32> <i32 4, i32 5, i32 6, i32 7>\n"
     "  %r2 = call <4 x float> @llvm.amdgcn.mfma.f32.16x16x16f16(<4 x half> %b, <4 x half> %a, <4 x float> %c, i32 0, i32 0, i32 0)\n"
     "  store <4 x float> %r2, ptr addrspace(1) %out\n  ret void\n}\n"},
    {"srcc_overlap_sgemm", "v_mfma_f32_16x16x4_f32", "v_mfma_f32_16x16x4_f32", asmk::mfma::DependencyKind::srcc_overlap,
     "declare <4 x float> @llvm.amdgcn.mfma.f32.16x16x4f32(float, float, <4 x float>, i32, i32, i32)\n"
     "define amdgpu_kernel void @k(ptr addrspace(1) %out, float %a, float %b) {\n"
     "  %r1 = call <4 x float> @llvm.amdgcn.mfma.f32.16x16x4f32(float %a, float %b, <4 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  %c = shufflevector <4 x float> %r1, <4 x float> zeroinitializer, <4 x i32> <i32 2, i32 3, i32 4, i32 5>\n"
     "  %r2 = call <4 x float> @llvm.amdgcn.mfma.f32.16x16x4f32(float %b, float %a, <4 x float> %c, i32 0, i32 0, i32 0)\n"
     "  store <4 x float> %r2, ptr addrspace(1) %out\n  ret void\n}\n"},
    {"srcab_sgemm", "v_mfma_f32_16x16x4_f32", "v_mfma_f32_16x16x4_f32", asmk::mfma::DependencyKind::srcab_overlap,
     "declare <4 x float> @llvm.amdgcn.mfma.f32.16x16x4f32(float, float, <4 x float>, i32, i32, i32)\n"
     "define amdgpu_kernel void @k(ptr addrspace(1) %out, float %a, float %b) {\n"
     "  %r1 = call <4 x float> @llvm.amdgcn.mfma.f32.16x16x4f32(float %a, float %b, <4 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  %x = extractelement <4 x float> %r1, i32 1\n"
     "  %r2 = call <4 x float> @llvm.amdgcn.mfma.f32.16x16x4f32(float %x, float %b, <4 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  store <4 x float> %r2, ptr addrspace(1) %out\n  ret void\n}\n"},
    {"srcab_xdl", "v_mfma_f32_32x32x8_f16", "v_mfma_f32_32x32x8_f16", asmk::mfma::DependencyKind::srcab_overlap,
     "declare <16 x float> @llvm.amdgcn.mfma.f32.32x32x8f16(<4 x half>, <4 x half>, <16 x float>, i32, i32, i32)\n"
     "define amdgpu_kernel void @k(ptr addrspace(1) %out, <4 x half> %a, <4 x half> %b) {\n"
     "  %r1 = call <16 x float> @llvm.amdgcn.mfma.f32.32x32x8f16(<4 x half> %a, <4 x half> %b, <16 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  %x = shufflevector <16 x float> %r1, <16 x float> poison, <2 x i32> <i32 2, i32 3>\n"
     "  %h = bitcast <2 x float> %x to <4 x half>\n"
     "  %r2 = call <16 x float> @llvm.amdgcn.mfma.f32.32x32x8f16(<4 x half> %h, <4 x half> %b, <16 x float> zeroinitializer, i32 0, i32 0, i32 0)\n"
     "  store <16 x float> %r2, ptr addrspace(1) %out\n  ret void\n}\n"},
};

class LlcChains : public ::testing::TestWithParam<std::tuple<ChainCase, Arch>> {};

TEST_P(LlcChains, MatchLlvmHazardRecognizer) {
  const auto& [c, arch] = GetParam();
  const int llc = llc_wait_states(arch, c.ir, c.producer, "v_mfma");
  asmk::mfma::HazardQuery q;
  q.producer = asmk::mfma::find_mfma(c.producer, arch);
  q.consumer = asmk::mfma::find_mfma(c.consumer, arch);
  ASSERT_TRUE(q.producer != nullptr && q.consumer != nullptr);
  q.kind = c.kind;
  EXPECT_EQ(asmk::mfma::required_wait_states(q), llc) << c.name;
}

INSTANTIATE_TEST_SUITE_P(Mfma, LlcChains,
                         ::testing::Combine(::testing::ValuesIn(kChainCases), ::testing::Values(Arch::gfx942, Arch::gfx950)),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) + "_" +
                                  std::string(asmk::arch_name(std::get<1>(info.param)));
                         });

using DK = asmk::mfma::DependencyKind;
constexpr const char* k3 = "i32 0, i32 0, i32 0";
const LlcCase kLlcCases[] = {
    {Arch::gfx942, "v_mfma_f32_4x4x4_16b_f16", 0, 0, "llvm.amdgcn.mfma.f32.4x4x4f16", "<4 x half>", "<4 x half>", "<4 x float>", "float", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f32_16x16x16_f16", 0, 0, "llvm.amdgcn.mfma.f32.16x16x16f16", "<4 x half>", "<4 x half>", "<4 x float>", "float", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f32_32x32x8_f16", 0, 0, "llvm.amdgcn.mfma.f32.32x32x8f16", "<4 x half>", "<4 x half>", "<16 x float>", "float", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f32_32x32x8_f16", 0, 0, "llvm.amdgcn.mfma.f32.32x32x8f16", "<4 x half>", "<4 x half>", "<16 x float>", "float", k3, DK::mem_read},
    {Arch::gfx942, "v_mfma_f32_32x32x2_f32", 0, 0, "llvm.amdgcn.mfma.f32.32x32x2f32", "float", "float", "<16 x float>", "float", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f32_16x16x4_f32", 0, 0, "llvm.amdgcn.mfma.f32.16x16x4f32", "float", "float", "<4 x float>", "float", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f64_16x16x4_f64", 0, 0, "llvm.amdgcn.mfma.f64.16x16x4f64", "double", "double", "<4 x double>", "double", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f64_16x16x4_f64", 0, 0, "llvm.amdgcn.mfma.f64.16x16x4f64", "double", "double", "<4 x double>", "double", k3, DK::mem_read},
    {Arch::gfx942, "v_mfma_f64_4x4x4_4b_f64", 0, 0, "llvm.amdgcn.mfma.f64.4x4x4f64", "double", "double", "double", "double", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_i32_32x32x16_i8", 0, 0, "llvm.amdgcn.mfma.i32.32x32x16.i8", "i64", "i64", "<16 x i32>", "i32", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f32_16x16x32_fp8_fp8", 0, 0, "llvm.amdgcn.mfma.f32.16x16x32.fp8.fp8", "i64", "i64", "<4 x float>", "float", k3, DK::valu_read},
    {Arch::gfx942, "v_mfma_f32_32x32x4_xf32", 0, 0, "llvm.amdgcn.mfma.f32.32x32x4.xf32", "<2 x float>", "<2 x float>", "<16 x float>", "float", k3, DK::valu_read},
    {Arch::gfx950, "v_mfma_f32_4x4x4_16b_f16", 0, 0, "llvm.amdgcn.mfma.f32.4x4x4f16", "<4 x half>", "<4 x half>", "<4 x float>", "float", k3, DK::valu_read},
    {Arch::gfx950, "v_mfma_f32_16x16x16_f16", 0, 0, "llvm.amdgcn.mfma.f32.16x16x16f16", "<4 x half>", "<4 x half>", "<4 x float>", "float", k3, DK::valu_read},
    {Arch::gfx950, "v_mfma_f32_32x32x16_bf16", 0, 0, "llvm.amdgcn.mfma.f32.32x32x16.bf16", "<8 x bfloat>", "<8 x bfloat>", "<16 x float>", "float", k3, DK::valu_read},
    {Arch::gfx950, "v_mfma_f64_16x16x4_f64", 0, 0, "llvm.amdgcn.mfma.f64.16x16x4f64", "double", "double", "<4 x double>", "double", k3, DK::valu_read},
    {Arch::gfx950, "v_mfma_scale_f32_32x32x64_f8f6f4", 0, 0, "llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4.v8i32.v8i32", "<8 x i32>", "<8 x i32>", "<16 x float>", "float", "i32 0, i32 0, i32 0, i32 127, i32 0, i32 127", DK::valu_read},
    {Arch::gfx950, "v_mfma_scale_f32_32x32x64_f8f6f4", 4, 4, "llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4.v4i32.v4i32", "<4 x i32>", "<4 x i32>", "<16 x float>", "float", "i32 4, i32 4, i32 0, i32 127, i32 0, i32 127", DK::valu_read},
    {Arch::gfx950, "v_mfma_scale_f32_32x32x64_f8f6f4", 4, 0, "llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4.v4i32.v8i32", "<4 x i32>", "<8 x i32>", "<16 x float>", "float", "i32 4, i32 0, i32 0, i32 127, i32 0, i32 127", DK::valu_read},
    {Arch::gfx950, "v_mfma_scale_f32_32x32x64_f8f6f4", 2, 3, "llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4.v6i32.v6i32", "<6 x i32>", "<6 x i32>", "<16 x float>", "float", "i32 2, i32 3, i32 0, i32 127, i32 0, i32 127", DK::valu_read},
    {Arch::gfx950, "v_mfma_scale_f32_16x16x128_f8f6f4", 0, 1, "llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v8i32", "<8 x i32>", "<8 x i32>", "<4 x float>", "float", "i32 0, i32 1, i32 0, i32 127, i32 0, i32 127", DK::valu_read},
    {Arch::gfx950, "v_mfma_scale_f32_16x16x128_f8f6f4", 4, 4, "llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v4i32.v4i32", "<4 x i32>", "<4 x i32>", "<4 x float>", "float", "i32 4, i32 4, i32 0, i32 127, i32 0, i32 127", DK::valu_read},
};

INSTANTIATE_TEST_SUITE_P(Mfma, LlcWaitStates, ::testing::ValuesIn(kLlcCases), [](const auto& info) {
  return std::string(asmk::arch_name(info.param.arch)) + "_" + std::to_string(info.index);
});

INSTANTIATE_TEST_SUITE_P(Mfma, LlvmNames, ::testing::Values(Arch::gfx942, Arch::gfx950),
                         [](const auto& info) { return std::string(asmk::arch_name(info.param)); });

}  // namespace
