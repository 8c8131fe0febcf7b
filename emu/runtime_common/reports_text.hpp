// The emulator's fault / strict-mode reports of a launch as one line, the way the emulator-backed
// runtimes and the emu backend word them: "2 faults: <first>; <second>".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "asmk/emu/emu.hpp"

namespace asmk::emu_runtime {

// The count, `what` ("fault", "problem") pluralized, and the first three reports.
std::string reports_text(const std::vector<emu::Report>& reports, std::uint64_t count, const std::string& what);

}  // namespace asmk::emu_runtime
