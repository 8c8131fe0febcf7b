// Every input the code-object fuzzer once crashed the loader with, rebuilt from text at build
// time (no binary files in the tree) and fed to CodeObject::load and to the fuzz entry point:
//  - instruction words that crash LLVM's AMDGPU disassembler, assembled with `.long` into the
//    kernels of regressions/undecodable_words.s: the loader must report each as undecodable;
//  - a structural mutation of a freshly built code object (a .text sh_size whose end wraps
//    around 2^64): the loader must refuse the object.
#include <elf.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "asmk/emu/code_object.hpp"
#include "fuzz_inputs.hpp"

namespace {

using asmk::fuzz::feed;
using asmk::fuzz::read_bytes;

constexpr const char* kArches[] = {"gfx942", "gfx950"};

/// regressions/undecodable_words.s assembled for `arch` at build time.
std::vector<std::uint8_t> undecodable_words_object(const std::string& arch) {
  return read_bytes(std::string(ASMK_FUZZ_FINDINGS_DIR) + "/undecodable_words_" + arch + ".co");
}

std::vector<std::uint8_t> little_endian(std::uint32_t word) {
  return {std::uint8_t(word), std::uint8_t(word >> 8), std::uint8_t(word >> 16), std::uint8_t(word >> 24)};
}

// ---- Instruction words that crash LLVM 22's AMDGPU disassembler ---------------------------------

/// A kernel of undecodable_words.s: the pair of words at its entry, and the bug it guards.
struct CrashingWords {
  const char* kernel;
  std::uint32_t word0, word1;
  const char* bug;
};

constexpr CrashingWords kCrashingWords[] = {
    {"sdwa_select_7", 0x7e2e16f9, 0x00c70612,
     "SDWA src0_sel 7 segfaulted LLVM's instruction printer (was regressions/decode_section_segv.co)"},
    {"vop3_literal_source", 0xd1c80017, 0x0205fe47,
     "VOP3 src1 255 (literal) segfaulted in LLVM's Twine (was regressions/disassembler_twine_segv.co)"},
    {"mubuf_literal_soffset", 0xe05c1000, 0xff061c13,
     "MUBUF soffset 255 (literal) segfaulted in LLVM's Twine (was regressions/mubuf_literal_soffset_segv.co)"},
    {"vop3_literal_sdst", 0xd0c400ff, 0x00020817,
     "VOP3-encoded VOPC with SDST 255 (literal) segfaulted in LLVM's Twine on gfx942 (libFuzzer, CI run of session 6)"},
    {"mfma_scale_constant_source", 0xd3ac0000, 0x00029d4f,
     "v_mfma_ld_scale_b32 + an f8f6f4 MFMA with a constant A source segfaulted in getSubReg on gfx950 (byte flips, CI check of session 7)"},
};

void PrintTo(const CrashingWords& words, std::ostream* os) { *os << words.kernel; }

class DisassemblerCrashingWords : public testing::TestWithParam<CrashingWords> {};

// The loader screens these words (mc_disassembler.cpp) instead of handing them to LLVM: without
// the screen this test dies with LLVM's segfault; with it, the object loads and the word at the
// kernel's entry is reported as undecodable.
TEST_P(DisassemblerCrashingWords, AreReportedUndecodable) {
  const CrashingWords& finding = GetParam();
  SCOPED_TRACE(finding.bug);
  for (const std::string arch : kArches) {
    SCOPED_TRACE(arch);
    const auto bytes = undecodable_words_object(arch);
    ASSERT_FALSE(bytes.empty()) << "missing " << ASMK_FUZZ_FINDINGS_DIR << "/undecodable_words_" << arch << ".co";
    feed(bytes);

    auto co = asmk::emu::CodeObject::load(bytes);
    ASSERT_TRUE(co.ok()) << co.error();
    auto kernel = (*co)->find(finding.kernel);
    ASSERT_TRUE(kernel.ok()) << kernel.error();

    // The rebuilt input really carries the finding: its two words at the kernel's entry, the
    // first one undecodable (so the listing steps over it by 4 bytes).
    auto listing = (*co)->listing(finding.kernel);
    ASSERT_TRUE(listing.ok()) << listing.error();
    ASSERT_GE(listing->size(), 2u);
    EXPECT_EQ((*listing)[0].pc, 0u);
    EXPECT_EQ((*listing)[0].bytes, little_endian(finding.word0));
    EXPECT_FALSE((*listing)[0].supported);
    EXPECT_EQ((*listing)[1].pc, 4u);
    ASSERT_GE((*listing)[1].bytes.size(), 4u);
    EXPECT_EQ(std::vector<std::uint8_t>((*listing)[1].bytes.begin(), (*listing)[1].bytes.begin() + 4),
              little_endian(finding.word1));

    const asmk::emu::Unsupported* at_entry = nullptr;
    for (const auto& u : (*kernel)->unsupported)
      if (u.pc == 0) at_entry = &u;
    ASSERT_NE(at_entry, nullptr) << "the word at the entry is not reported";
    EXPECT_NE(at_entry->reason.find("cannot decode"), std::string::npos) << at_entry->reason;
  }
}

INSTANTIATE_TEST_SUITE_P(CodeObjectMutations, DisassemblerCrashingWords, testing::ValuesIn(kCrashingWords),
                         [](const testing::TestParamInfo<CrashingWords>& info) { return std::string(info.param.kernel); });

// ---- Section sizes that run past the file --------------------------------------------------------

/// The section header of the section named `name`, found through the ELF header's section table
/// and its name string table (no fixed byte offsets: the recipe follows any ld.lld layout).
/// Returns its file offset in `elf`, or nothing if the headers do not describe such a section.
std::optional<std::size_t> section_header_offset(const std::vector<std::uint8_t>& elf, std::string_view name) {
  Elf64_Ehdr eh;
  if (elf.size() < sizeof eh) return std::nullopt;
  std::memcpy(&eh, elf.data(), sizeof eh);
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum || eh.e_shoff > elf.size() ||
      std::uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr) > elf.size() - eh.e_shoff)
    return std::nullopt;
  auto header = [&](std::size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, elf.data() + eh.e_shoff + i * sizeof sh, sizeof sh);
    return sh;
  };
  const Elf64_Shdr names = header(eh.e_shstrndx);
  if (names.sh_offset > elf.size() || names.sh_size > elf.size() - names.sh_offset) return std::nullopt;
  const std::string_view strings(reinterpret_cast<const char*>(elf.data() + names.sh_offset), names.sh_size);
  for (std::size_t i = 0; i < eh.e_shnum; ++i) {
    const Elf64_Shdr sh = header(i);
    if (sh.sh_name >= strings.size()) continue;
    const std::string_view rest = strings.substr(sh.sh_name);
    if (rest.substr(0, rest.find('\0')) == name) return eh.e_shoff + i * sizeof(Elf64_Shdr);
  }
  return std::nullopt;
}

Elf64_Shdr read_section_header(const std::vector<std::uint8_t>& elf, std::size_t offset) {
  Elf64_Shdr sh;
  std::memcpy(&sh, elf.data() + offset, sizeof sh);
  return sh;
}

/// `elf` with the sh_size of its .text section replaced by what `new_size` makes of the header
/// and the file's size, and the offset of that header; nothing if there is no .text.
template <class NewSize>
std::optional<std::pair<std::vector<std::uint8_t>, std::size_t>> with_text_size(std::vector<std::uint8_t> elf,
                                                                                 NewSize new_size) {
  const auto offset = section_header_offset(elf, ".text");
  if (!offset) return std::nullopt;
  Elf64_Shdr text = read_section_header(elf, *offset);
  text.sh_size = new_size(text, elf.size());
  std::memcpy(elf.data() + *offset, &text, sizeof text);
  return std::make_pair(std::move(elf), *offset);
}

/// The code objects the section recipes start from: the built regression kernels, and the
/// smallest generated code object of every family.
std::vector<std::vector<std::uint8_t>> section_recipe_bases() {
  std::vector<std::vector<std::uint8_t>> out;
  for (const std::string arch : kArches) out.push_back(undecodable_words_object(arch));
  for (const auto& seed : asmk::fuzz::seeds()) out.push_back(read_bytes(seed));
  return out;
}

// Guards the wrap-around check of the loader's va_to_offset (emu/src/loader/elf_reader.cpp), once
// regressions/section_size_wraparound.co: the fuzzer inserted eight 0xFF bytes into .text's
// section header, making sh_size 0xFFFFFFFFFFFFFF08, so sh_offset + sh_size wrapped around 2^64
// to 0xF8 bytes before the section's start. The entry still lay "inside" the section, and the
// section and code sizes, computed as (wrapped) section end - start, became about 2^64 bytes,
// which the decoder was handed as a span of the file. The object must be refused.
TEST(CodeObjectMutations, TextSizeWrappingAroundIsRefused) {
  for (const auto& base : section_recipe_bases()) {
    ASSERT_FALSE(base.empty());
    ASSERT_TRUE(asmk::emu::CodeObject::load(base).ok()) << "the unmutated object must load";
    const auto recipe = with_text_size(base, [](const Elf64_Shdr&, std::size_t) { return ~std::uint64_t{0xF7}; });
    ASSERT_TRUE(recipe) << "no .text section header";
    const auto& [mutated, header] = *recipe;
    const Elf64_Shdr text = read_section_header(mutated, header);
    ASSERT_EQ(text.sh_size, 0xFFFFFFFFFFFFFF08u);
    ASSERT_LT(text.sh_offset + text.sh_size, text.sh_offset) << "the recipe must make the section's end wrap";
    feed(mutated);
    auto loaded = asmk::emu::CodeObject::load(mutated);
    ASSERT_FALSE(loaded.ok()) << "a .text whose end wraps around 2^64 was accepted";
    EXPECT_NE(loaded.error().find("code entry lies outside the file's sections"), std::string::npos) << loaded.error();
  }
}

// The same check's other half: a .text that ends one byte past the end of the file (no wrap)
// would have been decoded one byte past the image.
TEST(CodeObjectMutations, TextSizePastTheFileIsRefused) {
  for (const auto& base : section_recipe_bases()) {
    ASSERT_FALSE(base.empty());
    const auto recipe = with_text_size(
        base, [](const Elf64_Shdr& text, std::size_t file_size) { return file_size - text.sh_offset + 1; });
    ASSERT_TRUE(recipe) << "no .text section header";
    const auto& mutated = recipe->first;
    feed(mutated);
    auto loaded = asmk::emu::CodeObject::load(mutated);
    ASSERT_FALSE(loaded.ok()) << "a .text running past the end of the file was accepted";
    EXPECT_NE(loaded.error().find("code entry lies outside the file's sections"), std::string::npos) << loaded.error();
  }
}

}  // namespace
