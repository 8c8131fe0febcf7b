// What libasmk needs to know about a device: its arch and size. By name from the table of
// known parts, or by arch + compute-unit count (later: from the HSA runtime).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace asmk {

struct Device {
  std::string name;  // "MI300X", or "gfx942 (80 CUs)"
  std::string arch;  // "gfx942"
  std::uint32_t compute_units = 0;
  std::uint32_t lds_bytes_per_cu = 0;
  std::uint32_t wavefront_size = 64;
  std::string fp8_format;  // the arch's fp8: "e4m3fnuz" or "e4m3fn"
};

// The parts libasmk knows, in table order.
std::span<const Device> known_devices();

// Case-insensitive ("mi300x" works); throws UNKNOWN_DEVICE naming the known parts.
Device device_by_name(std::string_view name);

// Throws UNKNOWN_DEVICE for an arch libasmk does not know or a zero CU count.
Device device_by_arch(std::string_view arch, std::uint32_t compute_units);

}  // namespace asmk
