// Test vectors from FIPS 180-4's examples (NIST CSRC "SHA256.pdf") and the empty message.
#include <gtest/gtest.h>

#include <string_view>

#include "sha256.hpp"

namespace asmk {
namespace {

std::string digest(std::string_view text) {
  return sha256_hex({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
}

TEST(Sha256, NistVectors) {
  EXPECT_EQ(digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256, MillionAs) {  // FIPS 180-2 appendix B.3: one million 'a'
  EXPECT_EQ(digest(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, FixtureFileMatchesCoreutils) {
  // The fixture's placeholder .co; its digest was taken with `sha256sum`.
  EXPECT_EQ(sha256_file_hex(std::string(ASMK_TEST_REPO) + "/gfx942/quant_fp8/quant_fp8_gfx942_bf16_row_n256.co"),
            "ace64ecc1e87e177b19868fba16ebc07319a10f1deae4ed0a75fb51d1ec898fa");
}

}  // namespace
}  // namespace asmk
