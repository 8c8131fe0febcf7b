// ELF and metadata parsing with LLVM (compiled with -fno-rtti, like libLLVM). Every LLVM
// error is converted to a message; every offset is checked against the image before use.
#include "elf_reader.hpp"

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/BinaryFormat/MsgPackDocument.h>
#include <llvm/BinaryFormat/MsgPackReader.h>
#include <llvm/Object/ELF.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/Error.h>

#include <cstring>
#include <map>

namespace asmk::emu::detail {
namespace {

using ELFT = llvm::object::ELF64LE;
using ElfFile = llvm::object::ELFFile<ELFT>;

std::string take(llvm::Error e) { return llvm::toString(std::move(e)); }

/// File offset of virtual address range [va, va+n) if it lies inside one allocated section.
bool va_to_offset(const ElfFile& elf, llvm::ArrayRef<ElfFile::Elf_Shdr> sections, uint64_t va, uint64_t n,
                  uint64_t file_size, uint64_t& offset, uint64_t* section_end = nullptr,
                  uint64_t* section_start = nullptr) {
  for (const auto& s : sections) {
    if (!(s.sh_flags & llvm::ELF::SHF_ALLOC) || s.sh_type == llvm::ELF::SHT_NOBITS) continue;
    if (va < s.sh_addr || va - s.sh_addr >= s.sh_size) continue;
    if (n > s.sh_size - (va - s.sh_addr)) return false;
    offset = s.sh_offset + (va - s.sh_addr);
    if (offset > file_size || n > file_size - offset) return false;
    if (section_end) *section_end = s.sh_offset + s.sh_size;
    if (section_start) *section_start = s.sh_offset;
    if (s.sh_size > file_size || s.sh_offset > file_size - s.sh_size) return false;  // no wrap-around
    return true;
  }
  (void)elf;
  return false;
}

uint64_t node_uint(llvm::msgpack::DocNode& n) {
  if (n.isEmpty()) return 0;
  if (n.getKind() == llvm::msgpack::Type::UInt) return n.getUInt();
  if (n.getKind() == llvm::msgpack::Type::Int) return uint64_t(n.getInt());
  return 0;
}
std::string node_string(llvm::msgpack::DocNode& n) {
  return (!n.isEmpty() && n.isString()) ? n.getString().str() : std::string();
}
llvm::msgpack::DocNode* map_get(llvm::msgpack::DocNode& map, llvm::StringRef key) {
  if (map.isEmpty() || !map.isMap()) return nullptr;
  auto& m = map.getMap();
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

/// Walks one msgpack object; false if it is malformed or uses map keys LLVM's Document cannot
/// order (maps/arrays as keys), which would abort inside libLLVM.
bool valid_msgpack(llvm::msgpack::Reader& reader, int depth, bool as_key) {
  if (depth > 32) return false;
  llvm::msgpack::Object obj;
  auto got = reader.read(obj);
  if (!got) {
    llvm::consumeError(got.takeError());
    return false;
  }
  if (!*got) return false;
  using T = llvm::msgpack::Type;
  switch (obj.Kind) {
    case T::Array:
      if (as_key) return false;
      for (size_t i = 0; i < obj.Length; i++)
        if (!valid_msgpack(reader, depth + 1, false)) return false;
      return true;
    case T::Map:
      if (as_key) return false;
      for (size_t i = 0; i < obj.Length; i++)
        if (!valid_msgpack(reader, depth + 1, true) || !valid_msgpack(reader, depth + 1, false)) return false;
      return true;
    case T::String: case T::Int: case T::UInt: case T::Nil: case T::Boolean: return true;
    default: return !as_key;
  }
}

void read_metadata(llvm::StringRef blob, std::map<std::string, ElfKernel*>& by_symbol, std::string& target) {
  llvm::msgpack::Reader check(blob);
  if (!valid_msgpack(check, 0, false)) return;
  llvm::msgpack::Document doc;
  if (!doc.readFromBlob(blob, false)) return;
  auto& root = doc.getRoot();
  if (auto* t = map_get(root, "amdhsa.target")) target = node_string(*t);
  auto* kernels = map_get(root, "amdhsa.kernels");
  if (!kernels || !kernels->isArray()) return;
  for (auto& k : kernels->getArray()) {
    if (!k.isMap()) continue;
    std::string symbol;
    if (auto* s = map_get(k, ".symbol")) symbol = node_string(*s);
    std::string name;
    if (auto* s = map_get(k, ".name")) name = node_string(*s);
    auto it = by_symbol.find(symbol);
    if (it == by_symbol.end()) it = by_symbol.find(name + ".kd");
    if (it == by_symbol.end()) continue;
    ElfKernel& ek = *it->second;
    ek.has_metadata = true;
    if (auto* v = map_get(k, ".kernarg_segment_size")) ek.kernarg_segment_size = uint32_t(node_uint(*v));
    if (auto* v = map_get(k, ".sgpr_count")) ek.sgpr_count = uint32_t(node_uint(*v));
    if (auto* v = map_get(k, ".vgpr_count")) ek.vgpr_count = uint32_t(node_uint(*v));
    if (auto* v = map_get(k, ".agpr_count")) ek.agpr_count = uint32_t(node_uint(*v));
    if (auto* v = map_get(k, ".reqd_workgroup_size"); v && v->isArray()) {
      int i = 0;
      for (auto& d : v->getArray())
        if (i < 3) ek.reqd_workgroup_size[i++] = uint32_t(node_uint(d));
    }
    if (auto* args = map_get(k, ".args"); args && args->isArray()) {
      for (auto& a : args->getArray()) {
        KernelArg arg;
        if (auto* v = map_get(a, ".name")) arg.name = node_string(*v);
        if (auto* v = map_get(a, ".offset")) arg.offset = uint32_t(node_uint(*v));
        if (auto* v = map_get(a, ".size")) arg.size = uint32_t(node_uint(*v));
        if (auto* v = map_get(a, ".value_kind")) arg.value_kind = node_string(*v);
        if (auto* v = map_get(a, ".type_name")) arg.type_name = node_string(*v);
        ek.args.push_back(std::move(arg));
      }
    }
  }
}

}  // namespace

Expected<ElfContents> read_elf(std::span<const uint8_t> image) {
  llvm::StringRef data(reinterpret_cast<const char*>(image.data()), image.size());
  if (image.size() < 64 || data.substr(0, 4) != "\x7f" "ELF")
    return Status::error("not an ELF file (" + std::to_string(image.size()) + " bytes, no ELF magic)");
  auto elf_or = ElfFile::create(data);
  if (!elf_or) return Status::error("malformed ELF: " + take(elf_or.takeError()));
  const ElfFile& elf = *elf_or;
  const auto& header = elf.getHeader();
  if (header.e_ident[llvm::ELF::EI_CLASS] != llvm::ELF::ELFCLASS64 || header.e_machine != llvm::ELF::EM_AMDGPU)
    return Status::error("not an AMDGPU code object (e_machine " + std::to_string(header.e_machine) + ")");
  ElfContents out;
  unsigned mach = header.e_flags & llvm::ELF::EF_AMDGPU_MACH;
  if (mach == llvm::ELF::EF_AMDGPU_MACH_AMDGCN_GFX942) out.arch = Arch::gfx942;
  else if (mach == llvm::ELF::EF_AMDGPU_MACH_AMDGCN_GFX950) out.arch = Arch::gfx950;
  else return Status::error("code object is for an unsupported processor (e_flags mach 0x" +
                            llvm::utohexstr(mach) + "); the emulator runs gfx942 and gfx950");

  auto sections_or = elf.sections();
  if (!sections_or) return Status::error("malformed ELF section table: " + take(sections_or.takeError()));
  auto sections = *sections_or;

  // Symbols: kernel descriptors (<name>.kd, STT_OBJECT) and kernel code (<name>, STT_FUNC).
  std::map<std::string, const ElfFile::Elf_Sym*> functions;
  std::vector<std::pair<std::string, const ElfFile::Elf_Sym*>> descriptors;
  for (const auto& sec : sections) {
    if (sec.sh_type != llvm::ELF::SHT_SYMTAB && sec.sh_type != llvm::ELF::SHT_DYNSYM) continue;
    auto syms = elf.symbols(&sec);
    if (!syms) return Status::error("malformed ELF symbol table: " + take(syms.takeError()));
    auto strtab = elf.getStringTableForSymtab(sec, sections);
    if (!strtab) return Status::error("malformed ELF string table: " + take(strtab.takeError()));
    for (const auto& sym : *syms) {
      auto name = sym.getName(*strtab);
      if (!name) {
        llvm::consumeError(name.takeError());
        continue;
      }
      std::string n = name->str();
      if (n.empty()) continue;
      if (sym.getType() == llvm::ELF::STT_OBJECT && n.size() > 3 && n.ends_with(".kd")) {
        bool seen = false;
        for (auto& d : descriptors) seen |= d.first == n;
        if (!seen) descriptors.emplace_back(n, &sym);
      } else if (sym.getType() == llvm::ELF::STT_FUNC) {
        functions.emplace(n, &sym);
      }
    }
  }
  if (descriptors.empty()) return Status::error("code object has no kernel descriptors (no '<kernel>.kd' symbols)");

  out.kernels.reserve(descriptors.size());
  std::map<std::string, ElfKernel*> by_symbol;
  for (auto& [kd_name, sym] : descriptors) {
    ElfKernel k;
    k.name = kd_name.substr(0, kd_name.size() - 3);
    uint64_t kd_off = 0;
    if (!va_to_offset(elf, sections, sym->st_value, 64, image.size(), kd_off))
      return Status::error("kernel descriptor '" + kd_name + "' lies outside the file's sections (truncated?)");
    k.descriptor.assign(image.begin() + kd_off, image.begin() + kd_off + 64);
    int64_t entry_rel = 0;
    std::memcpy(&entry_rel, k.descriptor.data() + 16, 8);
    uint64_t entry_va = sym->st_value + uint64_t(entry_rel);
    uint64_t section_end = 0, section_start = 0;
    if (!va_to_offset(elf, sections, entry_va, 4, image.size(), k.code_offset, &section_end, &section_start))
      return Status::error("kernel '" + k.name + "': code entry lies outside the file's sections (truncated?)");
    k.code_size = section_end - k.code_offset;
    k.code_vaddr = entry_va;
    k.section_offset = section_start;
    k.section_size = section_end - section_start;
    if (auto f = functions.find(k.name); f != functions.end() && f->second->st_value == entry_va && f->second->st_size)
      k.code_size = std::min<uint64_t>(k.code_size, f->second->st_size);
    out.kernels.push_back(std::move(k));
  }
  for (size_t i = 0; i < out.kernels.size(); i++) by_symbol[out.kernels[i].name + ".kd"] = &out.kernels[i];

  for (const auto& sec : sections) {
    if (sec.sh_type != llvm::ELF::SHT_NOTE) continue;
    llvm::Error err = llvm::Error::success();
    for (const auto& note : elf.notes(sec, err)) {
      if (note.getName() != "AMDGPU" || note.getType() != llvm::ELF::NT_AMDGPU_METADATA) continue;
      auto desc = note.getDesc(sec.sh_addralign ? sec.sh_addralign : 4);
      read_metadata(llvm::StringRef(reinterpret_cast<const char*>(desc.data()), desc.size()), by_symbol, out.target_id);
    }
    if (err) return Status::error("malformed ELF note section: " + take(std::move(err)));
  }
  auto phdrs = elf.program_headers();
  if (!phdrs) return Status::error("malformed ELF program headers: " + take(phdrs.takeError()));
  constexpr uint64_t kMaxImage = 64ull << 20;  // far above any real code object
  uint64_t image_end = 0;
  for (const auto& ph : *phdrs) {
    if (ph.p_type != llvm::ELF::PT_LOAD) continue;
    if (ph.p_offset > image.size() || ph.p_filesz > image.size() - ph.p_offset || ph.p_filesz > ph.p_memsz ||
        ph.p_vaddr > kMaxImage || ph.p_memsz > kMaxImage - ph.p_vaddr)
      return Status::error("ELF load segment lies outside the file or beyond 64 MiB (truncated or corrupt?)");
    image_end = std::max<uint64_t>(image_end, ph.p_vaddr + ph.p_memsz);
  }
  out.image.assign(image_end, 0);
  for (const auto& ph : *phdrs)
    if (ph.p_type == llvm::ELF::PT_LOAD && ph.p_filesz)
      std::memcpy(out.image.data() + ph.p_vaddr, image.data() + ph.p_offset, ph.p_filesz);
  if (out.target_id.empty())
    out.target_id = std::string("amdgcn-amd-amdhsa--") + (out.arch == Arch::gfx942 ? "gfx942" : "gfx950");
  return out;
}

}  // namespace asmk::emu::detail
