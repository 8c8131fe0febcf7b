// Device descriptions against the published part table (/work/shared/facts/cdna.md).
#include <gtest/gtest.h>

#include "device.hpp"
#include "error.hpp"

namespace asmk {
namespace {

TEST(Device, KnownPartsByName) {
  struct Expected { const char* name; const char* arch; std::uint32_t cus; };
  for (const auto& e : {Expected{"MI300X", "gfx942", 304}, Expected{"MI325X", "gfx942", 304},
                        Expected{"MI308X", "gfx942", 80}, Expected{"MI350X", "gfx950", 256},
                        Expected{"MI355X", "gfx950", 256}}) {
    const Device d = device_by_name(e.name);
    EXPECT_EQ(d.name, e.name);
    EXPECT_EQ(d.arch, e.arch);
    EXPECT_EQ(d.compute_units, e.cus);
    EXPECT_EQ(d.wavefront_size, 64u);
    EXPECT_EQ(d.lds_bytes_per_cu, std::string(e.arch) == "gfx942" ? 64u * 1024 : 160u * 1024);
    EXPECT_EQ(d.fp8_format, std::string(e.arch) == "gfx942" ? "e4m3fnuz" : "e4m3fn");
  }
  EXPECT_EQ(device_by_name("mi355x").name, "MI355X");  // case does not matter
}

TEST(Device, ByArchAndCuCount) {
  const Device d = device_by_arch("gfx942", 80);
  EXPECT_EQ(d.arch, "gfx942");
  EXPECT_EQ(d.compute_units, 80u);
  EXPECT_EQ(d.name, "gfx942 (80 CUs)");
}

TEST(Device, UnknownNamesListTheKnownOnes) {
  try {
    device_by_name("MI400X");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), ASMK_ERROR_UNKNOWN_DEVICE);
    EXPECT_NE(std::string(e.what()).find("'MI400X'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("MI300X, MI325X, MI308X, MI350X, MI355X"), std::string::npos) << e.what();
  }
  try {
    device_by_arch("gfx1100", 48);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), ASMK_ERROR_UNKNOWN_DEVICE);
    EXPECT_NE(std::string(e.what()).find("gfx942, gfx950"), std::string::npos) << e.what();
  }
  EXPECT_THROW(device_by_arch("gfx950", 0), Error);
}

}  // namespace
}  // namespace asmk
