// Issue 17: the manifest reader, and everything that trusts what it read, on mutated manifests.
//
// A real manifest (the generated repository's gfx942 manifest, cut to a few families so that a
// mutation often lands somewhere that matters) is mutated as JSON — a member removed, a value
// replaced by a hostile one (negative, 2^32, 2^64, huge floats, empty or escaping strings, wrong
// types), array elements repeated or dropped, strings swapped with others of the document — or as
// text (cut, bytes changed). The result is opened on the record backend and, when it opens, every
// kernel and op is described and every op called with random arguments. Passing means:
//   - nothing crashes (ASan's pass runs this too) and every call returns a status;
//   - a manifest that does not open is refused as BAD_REPOSITORY (or a missing code object) with a
//     message, never INTERNAL;
//   - no call on an opened repository ends in INTERNAL, and every refusal has a message.
// Deterministic: the seed of a failing mutation is printed with it.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "random_op_call.hpp"
#include "support.hpp"

namespace asmk {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using test::kGeneratedRepo;
constexpr int kMutations = 240;
const std::set<std::string> kFamilies = {"quant_fp8", "gemm_bf16", "gemm_splitk_reduce", "attn_lse_combine",
                                         "mla_decode", "shuffle_b"};

// The generated gfx942 manifest with only kFamilies' kernels and the ops over them.
json base_manifest() {
  std::ifstream in(fs::path(kGeneratedRepo) / "gfx942" / "manifest.json");
  json m = json::parse(in);
  json kernels = json::array();
  for (const json& k : m["kernels"])
    if (kFamilies.contains(k["family"].get<std::string>())) kernels.push_back(k);
  m["kernels"] = kernels;
  json ops = json::object();
  for (const auto& [name, op] : m["ops"].items())
    if (op.contains("kernels") && op["kernels"].is_string() && kFamilies.contains(op["kernels"].get<std::string>()))
      ops[name] = op;
  m["ops"] = ops;
  return m;
}

// Every string of the document (values to swap in).
void strings_of(const json& j, std::vector<std::string>& out) {
  if (j.is_string()) out.push_back(j.get<std::string>());
  if (j.is_structured())
    for (const json& child : j) strings_of(child, out);
}

json hostile_value(std::mt19937_64& rng, const std::vector<std::string>& strings) {
  switch (rng() % 16) {
    case 0: return nullptr;
    case 1: return true;
    case 2: return -1;
    case 3: return 0;
    case 4: return 4294967296ull;
    case 5: return 4294967295ull;
    case 6: return 18446744073709551615ull;
    case 7: return -9223372036854775807ll - 1;
    case 8: return 1e300;
    case 9: return "";
    case 10: return "../../../../etc/passwd";
    case 11: return std::string(5000, 'x');
    case 12: return json::array();
    case 13: return json::object();
    case 14: return 2147483648ull;
    default: return strings[rng() % strings.size()];
  }
}

// One structural mutation at a random node of `j` (descends with probability 3/4 per level).
void mutate(json& j, std::mt19937_64& rng, const std::vector<std::string>& strings) {
  json* node = &j;
  while (node->is_structured() && !node->empty() && rng() % 4 != 0) {
    auto it = node->begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng() % node->size()));
    json& child = *it;
    if (!child.is_structured() || child.empty() || rng() % 3 == 0) {
      // Act on this child inside its parent.
      switch (rng() % 4) {
        case 0:  // remove it
          if (node->is_object()) node->erase(it.key());
          else node->erase(static_cast<std::size_t>(std::distance(node->begin(), it)));
          return;
        case 1:  // repeat it (arrays) or replace it
          if (node->is_array()) {
            node->push_back(child);
            return;
          }
          [[fallthrough]];
        default: child = hostile_value(rng, strings); return;
      }
    }
    node = &child;
  }
  *node = hostile_value(rng, strings);
}

// Describes everything the context offers and calls every op; returns false on an INTERNAL status.
void exercise(asmk_context* c, std::mt19937_64& rng) {
  auto ok_or_named = [](asmk_status status, const std::string& what) {
    ASSERT_GE(static_cast<int>(status), 0) << what;
    EXPECT_NE(status, ASMK_ERROR_INTERNAL) << what << ": " << asmk_last_error();
    if (status != ASMK_SUCCESS) EXPECT_STRNE(asmk_last_error(), "") << what << ": a refusal without a message";
  };
  std::size_t kernels = 0;
  ok_or_named(asmk_kernel_count(c, &kernels), "asmk_kernel_count");
  for (std::size_t i = 0; i < kernels; ++i) {
    const asmk_kernel* k = nullptr;
    if (asmk_kernel_at(c, i, &k) != ASMK_SUCCESS) continue;
    asmk_kernel_info info{};
    ok_or_named(asmk_kernel_get_info(k, &info), "asmk_kernel_get_info");
  }
  std::size_t ops = 0;
  ok_or_named(asmk_op_count(c, &ops), "asmk_op_count");
  std::vector<std::byte> arena(1 << 16);
  for (std::size_t o = 0; o < ops; ++o) {
    const char* op = nullptr;
    if (asmk_op_at(c, o, &op) != ASMK_SUCCESS) continue;
    asmk_op_info info{};
    const asmk_status described = asmk_op_get_info(c, op, &info);
    ok_or_named(described, fmt::format("asmk_op_get_info({})", op));
    if (described != ASMK_SUCCESS) continue;
    const auto specs = test::arguments_of(c, op);
    for (int i = 0; i < 4; ++i) {
      test::RandomCall call(specs, rng, arena);
      asmk_selection s = ASMK_INIT(asmk_selection);
      ok_or_named(asmk_run_op(c, op, call.args().data(), call.args().size(), nullptr, &s),
                  fmt::format("asmk_run_op({}:{})", op, call.text()));
    }
  }
}

class ManifestFuzz : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("asmk_manifest_fuzz_{}", ::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "gfx942");
    base_ = base_manifest();
    // The code objects the kept kernels name, copied (a link out of the repository is refused).
    for (const json& k : base_["kernels"]) {
      const fs::path file = k["file"].get<std::string>();
      fs::create_directories(dir_ / "gfx942" / file.parent_path());
      fs::copy_file(fs::path(kGeneratedRepo) / "gfx942" / file, dir_ / "gfx942" / file, fs::copy_options::skip_existing);
    }
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const std::string& text) { std::ofstream(dir_ / "gfx942" / "manifest.json", std::ios::trunc) << text; }

  fs::path dir_;
  json base_;
};

TEST_F(ManifestFuzz, MutatedManifestsOpenOrAreRefusedByName) {
  ASSERT_GE(base_["kernels"].size(), 10u);
  ASSERT_GE(base_["ops"].size(), 5u);
  std::vector<std::string> strings;
  strings_of(base_, strings);
  const std::string base_text = base_.dump(1);

  // The unmutated cut opens and serves its ops: the baseline the mutations depart from.
  write(base_text);
  {
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.device = "MI300X";
    options.backend = "record";
    asmk_context* raw = nullptr;
    ASSERT_EQ(asmk_open(dir_.c_str(), &options, &raw), ASMK_SUCCESS) << asmk_last_error();
    test::ContextPtr c(raw);
  }

  int opened = 0, refused = 0;
  for (int round = 0; round < kMutations; ++round) {
    const std::uint64_t seed = 0x3a11f00d + std::uint64_t(round);
    std::mt19937_64 rng(seed);
    std::string text;
    if (round % 8 == 7) {  // a text mutation: cut, or bytes changed
      text = base_text;
      if (rng() % 2) text.resize(rng() % text.size());
      else
        for (int i = 0; i < 8; ++i) text[rng() % text.size()] = static_cast<char>(rng() % 256);
    } else {
      json m = base_;
      for (int i = 1 + int(rng() % 3); i > 0; --i) mutate(m, rng, strings);
      text = m.dump(1);
    }
    write(text);
    SCOPED_TRACE(fmt::format("mutation seed {:#x} (round {})", seed, round));
    for (const char* verify : {"0", "1"}) {
      asmk_open_options options;
      asmk_open_options_init(&options);
      options.device = "MI300X";
      options.backend = "record";
      options.verify_sha256 = verify[0] == '1';
      asmk_context* raw = nullptr;
      const asmk_status status = asmk_open(dir_.c_str(), &options, &raw);
      if (status != ASMK_SUCCESS) {
        ++refused;
        EXPECT_TRUE(status == ASMK_ERROR_BAD_REPOSITORY || status == ASMK_ERROR_MISSING_CODE_OBJECT ||
                    status == ASMK_ERROR_UNSUPPORTED_ARCH)
            << asmk_status_string(status) << ": " << asmk_last_error();
        EXPECT_STRNE(asmk_last_error(), "");
        EXPECT_EQ(raw, nullptr);
        continue;
      }
      ++opened;
      test::ContextPtr c(raw);
      exercise(c.get(), rng);
    }
  }
  // Both outcomes happen, or the mutations test nothing (most mutations are refused at open: the
  // reader checks every field it uses; about one in ten still opens and is exercised).
  EXPECT_GT(opened, 20);
  EXPECT_GT(refused, kMutations / 4);
  std::printf("manifest fuzz: %d opened, %d refused\n", opened, refused);
}

}  // namespace
}  // namespace asmk
