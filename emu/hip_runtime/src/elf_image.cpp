#include "elf_image.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

namespace asmk::hip_emu {

std::optional<std::size_t> elf_image_size(const void* image, std::string& why) {
  const auto* bytes = static_cast<const unsigned char*>(image);
  if (std::memcmp(bytes, ELFMAG, SELFMAG) != 0) {
    why = "the image does not start with the ELF magic";
    return std::nullopt;
  }
  if (bytes[EI_CLASS] != ELFCLASS64 || bytes[EI_DATA] != ELFDATA2LSB) {
    why = "the image is not a 64-bit little-endian ELF file";
    return std::nullopt;
  }
  Elf64_Ehdr header;
  std::memcpy(&header, bytes, sizeof header);
  std::size_t end = std::max<std::size_t>(sizeof header, header.e_phoff + std::size_t(header.e_phnum) * header.e_phentsize);
  end = std::max<std::size_t>(end, header.e_shoff + std::size_t(header.e_shnum) * header.e_shentsize);
  for (unsigned i = 0; i < header.e_shnum && header.e_shentsize >= sizeof(Elf64_Shdr); ++i) {
    Elf64_Shdr section;
    std::memcpy(&section, bytes + header.e_shoff + std::size_t(i) * header.e_shentsize, sizeof section);
    if (section.sh_type != SHT_NOBITS) end = std::max<std::size_t>(end, section.sh_offset + section.sh_size);
  }
  for (unsigned i = 0; i < header.e_phnum && header.e_phentsize >= sizeof(Elf64_Phdr); ++i) {
    Elf64_Phdr segment;
    std::memcpy(&segment, bytes + header.e_phoff + std::size_t(i) * header.e_phentsize, sizeof segment);
    end = std::max<std::size_t>(end, segment.p_offset + segment.p_filesz);
  }
  return end;
}

}  // namespace asmk::hip_emu
