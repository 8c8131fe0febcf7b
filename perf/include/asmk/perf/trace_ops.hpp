// From the emulator's per-wave trace (plus the kernel's disassembly for register operands) to
// the model's WorkgroupPrograms.
#pragma once

#include <vector>

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/launch.hpp"
#include "asmk/perf/machine.hpp"
#include "asmk/perf/wave_ops.hpp"

namespace asmk::perf {

/// One WorkgroupProgram per traced workgroup, in the order the report lists them. Needs a
/// launch with LaunchOptions::trace.
Expected<std::vector<WorkgroupProgram>> programs_from_trace(const emu::CodeObject& code_object,
                                                            const emu::Kernel& kernel,
                                                            const emu::LaunchReport& report);

}  // namespace asmk::perf
