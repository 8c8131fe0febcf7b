// The CDNA emulator: everything a user of asmk::emu needs. See emu/README.md.
#pragma once

#include "asmk/emu/code_object.hpp"
#include "asmk/emu/departures.hpp"
#include "asmk/emu/device.hpp"
#include "asmk/emu/launch.hpp"
#include "asmk/emu/status.hpp"
#include "asmk/emu/wait_states.hpp"
