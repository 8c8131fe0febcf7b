// print_code_object through the emulator's code-object reader.
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/departures.hpp"
#include "cli_support.hpp"
#include "code_object_view.hpp"

namespace asmk::cli {
namespace {

std::string hex_bytes(const std::vector<std::uint8_t>& bytes) {
  std::string text;
  for (std::uint8_t b : bytes) text += fmt::format("{:02x}", b);
  return text;
}

// The metadata's arguments with the index `asmk run --arg INDEX=...` takes (position among the
// explicit arguments; hidden ones are the emulator's to fill), or that there are none.
void print_arguments(const emu::Kernel& k) {
  if (k.args.empty()) {
    fmt::print("  arguments  none in the metadata (no .args); `asmk run` takes the {}-byte kernarg segment as "
               "--kernarg @FILE\n",
               k.kernarg_segment_size);
    return;
  }
  fmt::print("  arguments (code-object metadata)\n");
  fmt::print("    {:>5}  {:<24} {:>6} {:>4}  {:<22} {}\n", "index", "argument", "offset", "size", "kind", "type");
  std::size_t index = 0;
  for (const auto& a : k.args) {
    const bool hidden = a.value_kind.starts_with("hidden_");
    fmt::print("    {:>5}  {:<24} {:>6} {:>4}  {:<22} {}\n", hidden ? "-" : std::to_string(index++),
               a.name.empty() ? "-" : a.name, a.offset, a.size, a.value_kind, a.type_name);
  }
}

void print_kernel(const emu::CodeObject& co, const emu::Kernel& k, bool disassemble) {
  const auto& d = k.descriptor;
  fmt::print("kernel       {}\n", k.name);
  fmt::print("  code       {} bytes at 0x{:x}\n", k.code_size, k.code_offset);
  fmt::print("  registers  vgpr {}  agpr {}  sgpr {}  (descriptor: {} unified VGPRs, accum_offset {})\n", k.vgpr_count,
             k.agpr_count, k.sgpr_count, d.vgpr_count, d.accum_offset);
  fmt::print("  segments   lds {} B  scratch {} B/lane  kernarg {} B\n", d.group_segment_fixed_size,
             d.private_segment_fixed_size, k.kernarg_segment_size);
  if (k.reqd_workgroup_size[0] != 0)
    fmt::print("  workgroup  {} x {} x {} (required)\n", k.reqd_workgroup_size[0], k.reqd_workgroup_size[1],
               k.reqd_workgroup_size[2]);
  print_arguments(k);
  if (k.unsupported.empty()) {
    fmt::print("  emulator   runs every instruction\n");
  } else {
    fmt::print("  emulator   {} instruction(s) it cannot run:\n", k.unsupported.size());
    for (const auto& u : k.unsupported) fmt::print("    0x{:04x}  {}  ({})\n", u.pc, u.text, u.reason);
  }
  if (!disassemble) return;
  auto listing = co.listing(k.name);
  if (!listing) throw Failure(listing.error());
  fmt::print("  disassembly\n");
  for (const auto& line : *listing)
    fmt::print("    {:04x}: {:<17} {}{}\n", line.pc, hex_bytes(line.bytes), line.text,
               line.supported ? "" : "    ; not emulated");
}

}  // namespace

bool code_object_reader_available() { return true; }

void print_code_object(const std::string& path, const std::string& kernel, bool disassemble) {
  auto loaded = emu::CodeObject::load_file(path);
  if (!loaded) throw Failure(loaded.error());
  const emu::CodeObject& co = **loaded;
  fmt::print("code object  {}\ntarget       {}\n", path, co.target_id());
  if (!kernel.empty()) {
    auto k = co.find(kernel);
    if (!k) throw Failure(k.error());
    print_kernel(co, **k, disassemble);
    return;
  }
  for (const auto& k : co.kernels()) print_kernel(co, k, disassemble);
}

// The entries of the emulator's departures table that concern instructions of the code object's
// kernels, each with how many instructions it concerns.
void print_departures(const emu::CodeObject& co) {
  const auto table = emu::semantics_departures();
  std::vector<int> count(table.size(), 0);
  for (const auto& k : co.kernels()) {
    auto listing = co.listing(k.name);
    if (!listing) throw Failure(listing.error());
    for (const auto& line : *listing)
      for (std::size_t i = 0; i < table.size(); i++) count[i] += emu::concerns(table[i], line.text);
  }
  if (std::all_of(count.begin(), count.end(), [](int c) { return c == 0; })) return;
  fmt::print("where the emulator's semantics depart from or read the ISA (asmk/emu/departures.hpp):\n");
  for (std::size_t i = 0; i < table.size(); i++)
    if (count[i] > 0)
      fmt::print("  {:<26} {:<11} {:>4} instr.  {}\n", table[i].id, emu::departure_kind_name(table[i].kind), count[i],
                 table[i].what);
}

void print_emu_coverage(const std::string& path) {
  auto loaded = emu::CodeObject::load_file(path);
  if (!loaded) throw Failure(loaded.error());
  const emu::CodeObject& co = **loaded;
  const auto unsupported = co.coverage();
  fmt::print("code object  {}\ntarget       {}\n", path, co.target_id());
  if (unsupported.empty()) {
    fmt::print("the emulator runs every instruction of its {} kernel(s)\n", co.kernels().size());
  } else {
    fmt::print("{} instruction(s) the emulator cannot run:\n", unsupported.size());
    for (const auto& u : unsupported) fmt::print("  {}  0x{:04x}  {}  ({})\n", u.kernel, u.pc, u.text, u.reason);
  }
  print_departures(co);
}

}  // namespace asmk::cli
