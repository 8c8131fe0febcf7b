// The repository reader on the fixture (tests/loader/data/repo) and on broken repositories.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "error.hpp"
#include "repository.hpp"
#include "support.hpp"

namespace asmk {
namespace {

namespace fs = std::filesystem;

// Runs `body` and returns the asmk::Error it throws (fails the test if it does not).
template <typename Body>
Error error_of(Body&& body) {
  try {
    body();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no asmk::Error thrown";
  return Error(ASMK_SUCCESS, "");
}

TEST(Repository, ReadsEveryArchOfTheFixture) {
  const Repository repo = Repository::open(test::kRepo);
  EXPECT_EQ(repo.arches(), (std::vector<std::string>{"gfx942", "gfx950"}));
  EXPECT_EQ(repo.kernels().size(), 16u);  // 12 on gfx942, 4 on gfx950 (see data/README.md)
  EXPECT_EQ(repo.families(), (std::vector<std::string>{"quant_fp8", "vector_add"}));
  EXPECT_EQ(repo.family_kernels("quant_fp8", "gfx942").size(), 9u);
  EXPECT_EQ(repo.arches_of_family("vector_add"), std::vector<std::string>{"gfx942"});
}

TEST(Repository, KernelFieldsAsWritten) {
  const Repository repo = Repository::open(test::kRepo);
  const Kernel& k = repo.get("vector_add_gfx942_f32_n256");
  EXPECT_EQ(k.family, "vector_add");
  EXPECT_EQ(k.arch, "gfx942");
  EXPECT_EQ(k.symbol, "vector_add_gfx942_f32_n256_kernel");
  EXPECT_EQ(k.code_object_path, fs::path(test::kRepo + "/gfx942/vector_add/vector_add_gfx942_f32_n256.co").lexically_normal().string());
  EXPECT_EQ(k.workgroup_size, (std::array<std::uint32_t, 3>{64, 1, 1}));
  EXPECT_EQ(k.resources.lds_bytes, 1024u);
  EXPECT_EQ(k.resources.kernarg_bytes, 120u);
  // Parameters keep the manifest's order and types.
  EXPECT_EQ(k.params_text(), "dtype=f32 n_per_wg=256 unroll=true");
  ASSERT_EQ(k.kernargs.size(), 17u);
  EXPECT_EQ(k.kernargs[4].name, "alpha");
  EXPECT_EQ(k.kernargs[4].offset, 28u);
  EXPECT_TRUE(k.kernargs[8].hidden());
}

TEST(Repository, FindByParams) {
  const Repository repo = Repository::open(test::kRepo);
  const Kernel& k = repo.find_by_params(
      "quant_fp8", "gfx942",
      {{"in_dtype", std::string("bf16")}, {"granularity", std::string("group")}, {"n_per_wg", std::int64_t{512}}});
  EXPECT_EQ(k.name, "quant_fp8_gfx942_bf16_group_n512");
  EXPECT_EQ(repo.find_by_params("quant_fp8", "gfx950", {{"in_dtype", std::string("fp16")}}).name,
            "quant_fp8_gfx950_fp16_group_n512");
}

TEST(Repository, FindByParamsErrorsNameWhatExists) {
  const Repository repo = Repository::open(test::kRepo);
  auto e = error_of([&] { repo.find_by_params("quant_fp9", "gfx942", {}); });
  EXPECT_EQ(e.status(), ASMK_ERROR_UNKNOWN_FAMILY);
  EXPECT_NE(std::string(e.what()).find("quant_fp9"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("nearest: quant_fp8"), std::string::npos) << e.what();

  e = error_of([&] { repo.find_by_params("vector_add", "gfx950", {}); });
  EXPECT_EQ(e.status(), ASMK_ERROR_UNSUPPORTED_ARCH);
  EXPECT_NE(std::string(e.what()).find("it has them for gfx942"), std::string::npos) << e.what();

  // No kernel with n_per_wg=768: the nearest by parameters differ in that one value.
  e = error_of([&] {
    repo.find_by_params("quant_fp8", "gfx942",
                        {{"in_dtype", std::string("fp16")}, {"granularity", std::string("row")}, {"n_per_wg", std::int64_t{768}}});
  });
  EXPECT_EQ(e.status(), ASMK_ERROR_UNKNOWN_KERNEL);
  EXPECT_NE(std::string(e.what()).find("n_per_wg=768"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("nearest: quant_fp8_gfx942_fp16_row_n1024"), std::string::npos) << e.what();

  e = error_of([&] { repo.find_by_params("quant_fp8", "gfx942", {{"tile", std::int64_t{4}}}); });
  EXPECT_EQ(e.status(), ASMK_ERROR_UNKNOWN_KERNEL);
  EXPECT_NE(std::string(e.what()).find("in_dtype, granularity, n_per_wg"), std::string::npos) << e.what();

  e = error_of([&] { repo.find_by_params("quant_fp8", "gfx942", {{"in_dtype", std::string("bf16")}}); });
  EXPECT_EQ(e.status(), ASMK_ERROR_INVALID_ARGUMENT);  // 7 match
  EXPECT_NE(std::string(e.what()).find("7 quant_fp8 kernels"), std::string::npos) << e.what();
}

TEST(Repository, UnknownNameNamesTheNearest) {
  const Repository repo = Repository::open(test::kRepo);
  EXPECT_EQ(repo.find("quant_fp8_gfx942_bf16_row_n1000"), nullptr);
  auto e = error_of([&] { repo.get("quant_fp8_gfx942_bf16_row_n1000"); });
  EXPECT_EQ(e.status(), ASMK_ERROR_UNKNOWN_KERNEL);
  const std::string message = e.what();
  EXPECT_NE(message.find("'quant_fp8_gfx942_bf16_row_n1000'"), std::string::npos) << message;
  EXPECT_NE(message.find("nearest: quant_fp8_gfx942_bf16_row_n1024"), std::string::npos) << message;
}

TEST(Repository, CodeObjectsAreCheckedWhenUsed) {
  const Repository repo = Repository::open(test::kRepo);  // opening does not need the .co files
  EXPECT_NO_THROW(repo.verify_code_object(repo.get("vector_add_gfx942_f32_n256"), true));
  auto e = error_of([&] { repo.verify_code_object(repo.get("vector_add_gfx942_f32_n512"), false); });
  EXPECT_EQ(e.status(), ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_NE(std::string(e.what()).find("vector_add_gfx942_f32_n512.co"), std::string::npos) << e.what();
  // The fixture's n1024 entry carries a wrong sha256 on purpose.
  EXPECT_NO_THROW(repo.verify_code_object(repo.get("vector_add_gfx942_f32_n1024"), false));
  e = error_of([&] { repo.verify_code_object(repo.get("vector_add_gfx942_f32_n1024"), true); });
  EXPECT_EQ(e.status(), ASMK_ERROR_MISSING_CODE_OBJECT);
  EXPECT_NE(std::string(e.what()).find("the manifest says 0000"), std::string::npos) << e.what();
}

class BrokenRepository : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("asmk_broken_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                        "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "gfx942");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_manifest(const std::string& text) { std::ofstream(dir_ / "gfx942" / "manifest.json") << text; }
  Error open_error() { return error_of([&] { Repository::open(dir_); }); }
  fs::path dir_;
};

TEST_F(BrokenRepository, MissingFolderAndEmptyFolder) {
  auto e = error_of([&] { Repository::open(dir_ / "nope"); });
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  e = open_error();  // gfx942/ exists but has no manifest.json
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("no <arch>/manifest.json"), std::string::npos) << e.what();
}

TEST_F(BrokenRepository, InvalidJson) {
  write_manifest("{\"schema\": 1,");
  auto e = open_error();
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("not valid JSON"), std::string::npos) << e.what();
}

TEST_F(BrokenRepository, WrongSchemaAndMissingKeysAreNamed) {
  write_manifest(R"({"schema": 2, "arch": "gfx942", "kernels": []})");
  auto e = open_error();
  EXPECT_NE(std::string(e.what()).find("schema is 2"), std::string::npos) << e.what();

  write_manifest(R"({"schema": 1, "arch": "gfx942", "kernels": [{"name": "k", "family": "f", "arch": "gfx942"}]})");
  e = open_error();
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("kernels[0].file is missing"), std::string::npos) << e.what();

  write_manifest(R"({"schema": 1, "arch": "gfx950", "kernels": []})");
  e = open_error();
  EXPECT_NE(std::string(e.what()).find("arch is 'gfx950' but its folder is 'gfx942'"), std::string::npos) << e.what();
}

TEST_F(BrokenRepository, BadResourceValue) {
  write_manifest(R"({"schema": 1, "arch": "gfx942", "kernels": [{"name": "k", "family": "f", "arch": "gfx942",
    "file": "k.co", "workgroup_size": [64, 1, 1], "params": {},
    "resources": {"vgpr": -1, "sgpr": 8, "kernarg_bytes": 0}, "kernargs": []}]})");
  auto e = open_error();
  EXPECT_NE(std::string(e.what()).find("kernels[0].resources.vgpr is not an unsigned 32-bit integer"), std::string::npos)
      << e.what();
}

// Several kernels may share a code object (docs/contracts.md): they must agree on its sha256 and
// name different symbols in it.
TEST_F(BrokenRepository, KernelsSharingACodeObject) {
  const auto manifest = [&](const std::string& second_symbol, const std::string& second_sha) {
    const std::string a(64, 'a');
    write_manifest(R"j({"schema": 1, "arch": "gfx942", "kernels": [
      {"name": "k1", "family": "f", "arch": "gfx942", "symbol": "k1", "file": "f/f_gfx942.000.co", "sha256": ")j" + a +
                   R"j(", "workgroup_size": [64, 1, 1], "params": {}, "resources": {"vgpr": 1, "sgpr": 8, "kernarg_bytes": 0},
       "kernargs": []},
      {"name": "k2", "family": "f", "arch": "gfx942", "symbol": ")j" + second_symbol +
                   R"j(", "file": "f/./f_gfx942.000.co", "sha256": ")j" + second_sha +
                   R"j(", "workgroup_size": [64, 1, 1], "params": {}, "resources": {"vgpr": 1, "sgpr": 8, "kernarg_bytes": 0},
       "kernargs": []}]})j");
  };
  manifest("k2", std::string(64, 'a'));
  const Repository repo = Repository::open(dir_);
  EXPECT_EQ(repo.get("k1").code_object_path, repo.get("k2").code_object_path);
  EXPECT_EQ(repo.get("k2").symbol, "k2");

  manifest("k2", std::string(64, 'b'));
  auto e = open_error();
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("kernels k1 and k2 share the code object 'f/./f_gfx942.000.co' but give "
                                       "different sha256"), std::string::npos) << e.what();

  manifest("k1", std::string(64, 'a'));
  e = open_error();
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("kernels k1 and k2 both name symbol 'k1' of the code object"), std::string::npos)
      << e.what();
}

// The launch rule and `requires` list (docs/contracts.md) are parsed at open: a malformed one is
// refused naming the key, an unknown rule form is kept (the ops refuse that kernel, naming it).
TEST_F(BrokenRepository, LaunchRulesAndRequiresAreCheckedAtOpen) {
  const auto manifest = [&](const std::string& extra) {
    write_manifest(R"j({"schema": 1, "arch": "gfx942", "kernels": [{"name": "k", "family": "f", "arch": "gfx942",
      "file": "k.co", "workgroup_size": [64, 1, 1], "params": {},
      "resources": {"vgpr": 1, "sgpr": 8, "kernarg_bytes": 0}, "kernargs": [])j" + extra + "}]}");
  };
  manifest(R"j(, "requires": {"k_multiple": 64})j");
  auto e = open_error();
  EXPECT_EQ(e.status(), ASMK_ERROR_BAD_REPOSITORY);
  EXPECT_NE(std::string(e.what()).find("kernels[0].requires is not a list"), std::string::npos) << e.what();

  manifest(R"j(, "requires": [{"arg": "k", "multiple": 0}])j");
  e = open_error();
  EXPECT_NE(std::string(e.what()).find("kernels[0].requires[0].multiple is not a positive integer"), std::string::npos)
      << e.what();

  manifest(R"j(, "launch": {"grid": ["ceil_div(n, ", 1, 1], "block": [64, 1, 1]})j");
  e = open_error();
  EXPECT_NE(std::string(e.what()).find("kernels[0].launch.grid[0] is not a valid expression"), std::string::npos)
      << e.what();

  manifest(R"j(, "launch": {"grid": [1, 1], "block": [64, 1, 1]})j");
  e = open_error();
  EXPECT_NE(std::string(e.what()).find("kernels[0].launch.grid is not a list of 3"), std::string::npos) << e.what();

  manifest(R"j(, "launch": {"grid": ["ceil_div(n, 64)", "m", 1], "block": [64, 1, 1]},
              "requires": [{"swizzle": 4}, {"expr": "m < 8", "reason": "why", "name": "small"}])j");
  const Repository repo = Repository::open(dir_);
  const Kernel& k = repo.get("k");
  ASSERT_TRUE(k.launch.present);
  EXPECT_EQ(k.launch.grid[0].text(), "ceil_div(n, 64)");
  ASSERT_EQ(k.requirements.size(), 2u);
  EXPECT_EQ(k.requirements[0].kind, Requirement::Kind::unknown);
  EXPECT_EQ(k.requirements[0].reason, "'swizzle'=4");
  EXPECT_EQ(k.requirements[1].kind, Requirement::Kind::expr);
  EXPECT_EQ(k.requirements[1].name, "small");
}

}  // namespace
}  // namespace asmk
