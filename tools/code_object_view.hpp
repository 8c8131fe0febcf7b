// Reading a .co file itself (not its manifest entry): kernel descriptor, metadata arguments and
// disassembly, through the emulator's code-object reader (emu/include/asmk/emu/code_object.hpp).
// Builds without the emulator get a stub that says so.
#pragma once

#include <string>

namespace asmk::cli {

bool code_object_reader_available();

// Prints every kernel of the code object (or only `kernel` when not empty); with `disassemble`
// also each kernel's listing. Throws Failure with the reader's message on a bad file.
void print_code_object(const std::string& path, const std::string& kernel, bool disassemble);

// Prints every instruction of the code object that the emulator cannot run (kernel, PC, text,
// reason), or that it runs them all; then the entries of the emulator's departures table that
// concern its instructions. Throws Failure on a file the reader rejects.
void print_emu_coverage(const std::string& path);

}  // namespace asmk::cli
