// A repository is data, not code (docs/threat-model.md): every manifest number libasmk computes
// with, every path it opens and every code object it reads is checked, and a bad one is an error
// naming the kernel, the field and the value — never a crash, a wrapped offset, a zero divisor,
// a read outside the repository or an endless read.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include "error.hpp"
#include "repository.hpp"

namespace asmk {
namespace {

namespace fs = std::filesystem;

std::string message_of(const std::function<void()>& body, asmk_status expected) {
  try {
    body();
  } catch (const Error& e) {
    EXPECT_EQ(e.status(), expected) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no asmk::Error thrown";
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One kernel in <tmp>/gfx942/manifest.json, with fields replaceable per test.
class UntrustedRepository : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("asmk_untrusted_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "gfx942");
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct Entry {
    std::string params = R"({"n_per_wg": 256})";
    std::string file = R"("k.co")";
    std::string sha256 = "";  // the whole `"sha256": ...,` member, or nothing
    std::string kernarg_bytes = "16";
    std::string kernargs = R"([{"name": "x", "offset": 0, "size": 8, "kind": "global_buffer", "type": "f32*"},
                              {"name": "n", "offset": 8, "size": 4, "kind": "by_value", "type": "u32"}])";
    std::string workgroup_size = "[64, 1, 1]";
  };
  void write(const Entry& e) {
    std::ofstream(dir_ / "gfx942" / "manifest.json") << R"({"schema": 1, "arch": "gfx942", "kernels": [
      {"name": "k", "family": "f", "arch": "gfx942", "params": )" + e.params + R"(, "file": )" + e.file + ", " + e.sha256 +
        R"( "workgroup_size": )" + e.workgroup_size + R"(, "resources": {"vgpr": 8, "sgpr": 16, "kernarg_bytes": )" +
        e.kernarg_bytes + R"(}, "kernargs": )" + e.kernargs + "}]}";
  }
  std::string open_error(const Entry& e) {
    write(e);
    return message_of([&] { Repository::open(dir_); }, ASMK_ERROR_BAD_REPOSITORY);
  }
  fs::path dir_;
};

// Before: a kernarg offset near 2^32 opened fine, then pack_kernargs wrapped offset + size and
// wrote far outside its buffer (SIGSEGV).
TEST_F(UntrustedRepository, KernargOutsideTheSegmentIsRefusedAtOpen) {
  Entry e;
  e.kernargs = R"([{"name": "x", "offset": 4294967292, "size": 8, "kind": "global_buffer", "type": "f32*"}])";
  const std::string m = open_error(e);
  EXPECT_TRUE(contains(m, "kernels[0].kernargs[0].offset is 4294967292")) << m;
  EXPECT_TRUE(contains(m, "argument 'x' of kernel k")) << m;
  EXPECT_TRUE(contains(m, "past the kernel's 16-byte kernarg segment")) << m;

  e.kernargs = R"([{"name": "n", "offset": 12, "size": 8, "kind": "by_value", "type": "u64"}])";
  EXPECT_TRUE(contains(open_error(e), "ends at byte 20, past the kernel's 16-byte kernarg segment"));

  e.kernargs = "[]";
  e.kernarg_bytes = "4294967295";
  EXPECT_TRUE(contains(open_error(e), "resources.kernarg_bytes is 4294967295, more than the 65536 bytes"));
}

// Before: n_per_wg = 2^32 opened fine and became a zero divisor in the selectors (SIGFPE).
TEST_F(UntrustedRepository, IntegerParametersAreSaneTileSizes) {
  Entry e;
  for (const char* bad : {"4294967296", "0", "-1", "1048577", "18446744073709551615"}) {
    e.params = std::string(R"({"n_per_wg": )") + bad + "}";
    const std::string m = open_error(e);
    EXPECT_TRUE(contains(m, std::string("kernels[0].params.n_per_wg is ") + bad + " in kernel k")) << m;
    EXPECT_TRUE(contains(m, "1 ... 1048576")) << m;
  }
  e.params = R"({"n_per_wg": 1048576, "rows_per_wg": 1})";
  write(e);
  EXPECT_NO_THROW(Repository::open(dir_));
}

TEST_F(UntrustedRepository, WorkgroupSizeIsAWorkgroup) {
  Entry e;
  for (const char* bad : {"[0, 1, 1]", "[1024, 2, 1]", "[65536, 65536, 1]"}) {
    e.workgroup_size = bad;
    const std::string m = open_error(e);
    EXPECT_TRUE(contains(m, "kernels[0].workgroup_size is ")) << m;
    EXPECT_TRUE(contains(m, "a workgroup has 1 ... 1024 work-items")) << m;
  }
}

// Before: `file` was joined to the arch folder as given, so a manifest could make libasmk read
// (and hash, and hand to a GPU runtime) any file of the machine.
TEST_F(UntrustedRepository, FilePathsStayInsideTheRepository) {
  Entry e;
  for (const auto& [file, why] : std::vector<std::pair<std::string, std::string>>{
           {"../../etc/passwd", "climbs out with '..'"},
           {"f/../../../k.co", "climbs out with '..'"},
           {"/etc/passwd", "is absolute"},
           {"", "is empty"}}) {
    e.file = "\"" + file + "\"";
    const std::string m = open_error(e);
    EXPECT_TRUE(contains(m, "kernels[0].file '" + file + "' of kernel k " + why)) << m;
    EXPECT_TRUE(contains(m, "must be a relative path inside")) << m;
  }
  e.file = R"("f/./sub/../k.co")";  // '..' that stays inside is still refused: no path climbs
  EXPECT_TRUE(contains(open_error(e), "climbs out"));
}

// Before: "sha256": "" skipped the check even with verify_sha256 on.
TEST_F(UntrustedRepository, EmptySha256IsRefusedWhenVerifying) {
  Entry e;
  e.sha256 = R"("sha256": "",)";
  write(e);
  std::ofstream(dir_ / "gfx942" / "k.co") << "placeholder";
  const Repository repo = Repository::open(dir_);
  EXPECT_NO_THROW(repo.verify_code_object(repo.get("k"), false));
  const std::string m = message_of([&] { repo.verify_code_object(repo.get("k"), true); }, ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_TRUE(contains(m, "kernel k: its manifest entry has no sha256")) << m;
  EXPECT_TRUE(contains(m, "verify_sha256")) << m;

  e.sha256 = R"("sha256": "not-hex",)";
  EXPECT_TRUE(contains(open_error(e), "kernels[0].sha256 'not-hex' of kernel k is not 64 lowercase hex digits"));
}

// Before: a 64 GiB (sparse) .co was read whole; a directory or FIFO threw or hung.
TEST_F(UntrustedRepository, CodeObjectSizeAndKindAreCheckedBeforeReading) {
  Entry e;
  write(e);
  const Repository repo = Repository::open(dir_);
  const Kernel& k = repo.get("k");
  {
    std::ofstream(dir_ / "gfx942" / "k.co");
  }
  fs::resize_file(dir_ / "gfx942" / "k.co", std::uintmax_t(64) << 30);  // sparse: no disk used
  std::string m = message_of([&] { repo.verify_code_object(k, false); }, ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_TRUE(contains(m, "code object of kernel k: cannot read")) << m;
  EXPECT_TRUE(contains(m, "it holds 68719476736 bytes, more than the limit of 268435456")) << m;

  fs::remove(dir_ / "gfx942" / "k.co");
  fs::create_directory(dir_ / "gfx942" / "k.co");
  m = message_of([&] { repo.verify_code_object(k, false); }, ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_TRUE(contains(m, "it is a directory, not a regular file")) << m;

  fs::remove(dir_ / "gfx942" / "k.co");
  ASSERT_EQ(::mkfifo((dir_ / "gfx942" / "k.co").c_str(), 0600), 0);
  m = message_of([&] { repo.verify_code_object(k, true); }, ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_TRUE(contains(m, "it is a FIFO, not a regular file")) << m;
}

}  // namespace
}  // namespace asmk
