// The toy family's kernel test: toy_scale by name through the op runner (tools/op_runner.hpp) on a
// repository holding only that family ($ASMK_TOY_REPO, built by check_toy_family.py), on both
// devices, against its reference (toy_scale_ref.cpp, linked in); and a wrong reference is caught.
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>
#include <string>

#include "op_runner.hpp"

namespace {

struct Context {
  asmk_context* ctx = nullptr;
  Context(const char* repo, const char* device) {
    asmk_open_options options;
    asmk_open_options_init(&options);
    options.device = device;
    options.backend = "emu";
    EXPECT_EQ(asmk_open(repo, &options, &ctx), ASMK_SUCCESS) << asmk_last_error();
  }
  ~Context() { asmk_close(ctx); }
};

const char* toy_repo() {
  const char* repo = std::getenv("ASMK_TOY_REPO");
  return repo != nullptr ? repo : "";
}

TEST(ToyScale, RunsByNameAgainstItsReference) {
  ASSERT_STRNE(toy_repo(), "") << "set ASMK_TOY_REPO to a repository built from tests/op_layer/toy_scale/templates";
  for (const char* device : {"MI300X", "MI355X"}) {
    Context c(toy_repo(), device);
    ASSERT_NE(c.ctx, nullptr);
    for (const char* problem : {"m=3 n=1000 alpha=2.5", "m=1 n=1 alpha=-3 shift=-2", "m=16 n=256 shift=5"}) {
      SCOPED_TRACE(std::string(device) + " " + problem);
      const auto p = asmk::op_runner::Problem::parse(problem);
      const auto r = asmk::op_runner::run(c.ctx, "toy_scale", p);
      ASSERT_EQ(r.status, ASMK_SUCCESS) << r.error;
      ASSERT_TRUE(r.error.empty()) << r.error;
      ASSERT_EQ(r.comparisons.size(), 1u);
      EXPECT_EQ(r.comparisons[0].tensor, "y");
      EXPECT_TRUE(r.comparisons[0].ok()) << r.comparisons[0].detail;
      EXPECT_EQ(r.comparisons[0].count, std::stoul(r.values.at("m")) * std::stoul(r.values.at("n")));
      EXPECT_STREQ(r.selection.kernel_name, (std::string("toy_scale_") + (device[4] == '0' ? "gfx942" : "gfx950") + "_n256").c_str());
    }
  }
}

// A reference registered at run time replaces the built one: a wrong one (alpha + 1) must fail.
TEST(ToyScale, AWrongReferenceIsReported) {
  ASSERT_STRNE(toy_repo(), "");
  const asmk::ref::OpReference* right = asmk::ref::find_op_reference("toy_scale");
  ASSERT_NE(right, nullptr);
  const asmk::ref::OpReference saved = *right;
  asmk::ref::OpReference wrong;
  wrong.compute = [](const asmk::ref::OpProblem& p, const asmk::ref::OpTensors& t,
                     std::map<std::string, asmk::ref::Expected>& expected) {
    asmk::ref::OpTensor y = t.at("y");
    for (std::uint32_t i = 0; i < p.u32("m") * p.u32("n"); ++i) y.as<float>()[i] = (p.f32("alpha") + 1) * t.at("x").as<float>()[i];
    expected["y"] = asmk::ref::Expected::bits(std::move(y));
    return asmk::ref::Status::success();
  };
  asmk::ref::register_op_reference("toy_scale", wrong);
  Context c(toy_repo(), "MI300X");
  const auto r = asmk::op_runner::run(c.ctx, "toy_scale", asmk::op_runner::Problem::parse("m=2 n=150 alpha=2"));
  asmk::ref::register_op_reference("toy_scale", saved);
  ASSERT_EQ(r.comparisons.size(), 1u) << r.error;
  EXPECT_FALSE(r.comparisons[0].ok());
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.comparisons[0].detail.find("differ from ref/"), std::string::npos) << r.comparisons[0].detail;
}

}  // namespace

// The pipeline op over toy_scale (templates/toy_scale/op.twice.yaml) through asmk_run_op: its
// workspace is sized by the selection, and a workspace too small is refused naming the temporary,
// with nothing written.
TEST(ToyScalePipeline, AWorkspaceTooSmallIsRefusedNamingTheTemporary) {
  ASSERT_STRNE(toy_repo(), "");
  Context c(toy_repo(), "MI300X");
  ASSERT_NE(c.ctx, nullptr);
  constexpr std::uint32_t m = 2, n = 300;
  std::vector<float> x(m * n, 1.5f), y(m * n, -7.0f);
  void *dx = nullptr, *dy = nullptr, *dw = nullptr;
  ASSERT_EQ(asmk_malloc(c.ctx, x.size() * 4, &dx), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(c.ctx, y.size() * 4, &dy), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(c.ctx, 4096, &dw), ASMK_SUCCESS);
  ASSERT_EQ(asmk_memcpy(c.ctx, dx, x.data(), x.size() * 4, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  ASSERT_EQ(asmk_memcpy(c.ctx, dy, y.data(), y.size() * 4, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  auto arg = [](const char* name, asmk_value_type type) {
    asmk_op_arg a{};
    a.name = name;
    a.type = type;
    return a;
  };
  std::vector<asmk_op_arg> args{arg("m", ASMK_VALUE_U32), arg("n", ASMK_VALUE_U32), arg("alpha", ASMK_VALUE_F32),
                                arg("beta", ASMK_VALUE_F32), arg("x", ASMK_VALUE_POINTER), arg("y", ASMK_VALUE_POINTER),
                                arg("workspace", ASMK_VALUE_POINTER)};
  args[0].value.u32 = m, args[1].value.u32 = n, args[2].value.f32 = 2.0f, args[3].value.f32 = 3.0f;
  args[4].value.pointer = dx, args[5].value.pointer = dy, args[6].value.pointer = dw;
  args[6].bytes = 4096;

  asmk_selection s = ASMK_INIT(asmk_selection);
  ASSERT_EQ(asmk_select_op(c.ctx, "toy_scale_twice", args.data(), args.size(), &s), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(s.launch_count, 2u);
  EXPECT_EQ(s.workspace_bytes, m * n * 4u);  // the temporary t: 2400 bytes
  args[6].bytes = s.workspace_bytes - 1;
  EXPECT_EQ(asmk_run_op(c.ctx, "toy_scale_twice", args.data(), args.size(), nullptr, nullptr),
            ASMK_ERROR_BUFFER_TOO_SMALL);
  EXPECT_NE(std::string(asmk_last_error()).find("the temporaries t at 0 (2400 bytes)"), std::string::npos)
      << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(c.ctx, nullptr), ASMK_SUCCESS);
  std::vector<float> out(m * n);
  ASSERT_EQ(asmk_memcpy(c.ctx, out.data(), dy, out.size() * 4, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_EQ(out, y);  // nothing written

  args[6].bytes = s.workspace_bytes;
  ASSERT_EQ(asmk_run_op(c.ctx, "toy_scale_twice", args.data(), args.size(), nullptr, nullptr), ASMK_SUCCESS)
      << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(c.ctx, nullptr), ASMK_SUCCESS);
  ASSERT_EQ(asmk_memcpy(c.ctx, out.data(), dy, out.size() * 4, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
  EXPECT_EQ(out, std::vector<float>(m * n, 9.0f));  // 3 · (2 · 1.5)
  for (void* p : {dx, dy, dw}) asmk_free(c.ctx, p);
}

// Element rules (docs/op-spec.md) through a toy op whose kernel ignores its index inputs
// (templates/toy_scale/op.indexed.yaml): each rule from both sides — the last valid value accepted,
// the first invalid one refused with INVALID_ARGUMENT naming the tensor, element, value and rule,
// y untouched — on warm calls (the same problem each time; only the values change), with the
// optional mask given and left off.
TEST(ToyScaleIndexed, ElementRulesFromBothSides) {
  ASSERT_STRNE(toy_repo(), "");
  Context c(toy_repo(), "MI300X");
  ASSERT_NE(c.ctx, nullptr);
  constexpr std::uint32_t m = 3, n = 4;
  void *dx = nullptr, *dy = nullptr, *drows = nullptr, *doffsets = nullptr, *dmask = nullptr;
  ASSERT_EQ(asmk_malloc(c.ctx, m * n * 4, &dx), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(c.ctx, m * n * 4, &dy), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(c.ctx, m * 4, &drows), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(c.ctx, (m + 1) * 4, &doffsets), ASMK_SUCCESS);
  ASSERT_EQ(asmk_malloc(c.ctx, m, &dmask), ASMK_SUCCESS);
  const std::vector<float> x(m * n, 2.0f), poison(m * n, -7.0f);
  ASSERT_EQ(asmk_memcpy(c.ctx, dx, x.data(), x.size() * 4, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  auto put = [&](void* to, const void* from, std::size_t bytes) {
    ASSERT_EQ(asmk_memcpy(c.ctx, to, from, bytes, ASMK_COPY_HOST_TO_DEVICE), ASMK_SUCCESS);
  };
  auto y_now = [&] {
    std::vector<float> y(m * n);
    EXPECT_EQ(asmk_memcpy(c.ctx, y.data(), dy, y.size() * 4, ASMK_COPY_DEVICE_TO_HOST), ASMK_SUCCESS);
    return y;
  };
  // One call: rows, offsets and mask as given (mask null: left off).
  auto run = [&](std::vector<std::int32_t> rows, std::vector<std::int32_t> offsets, const std::vector<std::uint8_t>* mask,
                 std::string& message) {
    put(dy, poison.data(), poison.size() * 4);
    put(drows, rows.data(), rows.size() * 4);
    put(doffsets, offsets.data(), offsets.size() * 4);
    if (mask != nullptr) put(dmask, mask->data(), mask->size());
    std::vector<asmk_op_arg> args(mask != nullptr ? 7 : 6);
    const char* names[] = {"m", "n", "x", "rows", "offsets", "y", "mask"};
    void* pointers[] = {nullptr, nullptr, dx, drows, doffsets, dy, dmask};
    for (std::size_t i = 0; i < args.size(); ++i) {
      args[i].name = names[i];
      args[i].type = i < 2 ? ASMK_VALUE_U32 : ASMK_VALUE_POINTER;
      args[i].value.pointer = pointers[i];
    }
    args[0].value.u32 = m, args[1].value.u32 = n;
    const asmk_status status = asmk_run_op(c.ctx, "toy_scale_indexed", args.data(), args.size(), nullptr, nullptr);
    message = asmk_last_error();
    EXPECT_EQ(asmk_synchronize(c.ctx, nullptr), ASMK_SUCCESS);
    return status;
  };
  const std::vector<std::int32_t> rows = {0, 2, 1}, offsets = {0, 4, 4, 12};  // m - 1 in rows; an empty row
  const std::vector<std::uint8_t> mask = {0, 1, 1};
  std::string message;
  ASSERT_EQ(run(rows, offsets, &mask, message), ASMK_SUCCESS) << message;
  EXPECT_EQ(y_now(), std::vector<float>(m * n, 2.0f));  // alpha 1
  ASSERT_EQ(run(rows, offsets, nullptr, message), ASMK_SUCCESS) << message;  // the optional mask left off

  const struct {
    std::vector<std::int32_t> rows, offsets;
    std::vector<std::uint8_t> mask;
    const char* words;
  } bad[] = {
      {{0, 3, 1}, offsets, mask, "toy_scale_indexed: rows[1] (element 1) is 3, outside [0, m) = [0, 3) (rows holds row indices)"},
      {{-1, 2, 1}, offsets, mask, "rows[0] (element 0) is -1, outside [0, m) = [0, 3)"},
      {rows, {0, 5, 4, 12}, mask, "offsets[2] (element 2) is 4, below the element before it (5): offsets must be non-decreasing"},
      {rows, {1, 4, 4, 12}, mask, "offsets[0] (element 0) is 1, not 0: the first element must be 0"},
      {rows, {0, 4, 4, 11}, mask, "offsets[3] (element 3) is 11, not m * n = 12: the last element must be m * n = 12"},
      {rows, {0, 4, 4, 13}, mask, "offsets[3] (element 3) is 13, not m * n = 12"},
      {rows, offsets, {0, 2, 1}, "mask[1] (element 1) is 2, not <= 1 (mask holds flags)"},
      {rows, offsets, {0, 255, 1}, "mask[1] (element 1) is 255"},  // u8: not -1
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b.words);
    EXPECT_EQ(run(b.rows, b.offsets, &b.mask, message), ASMK_ERROR_INVALID_ARGUMENT);
    EXPECT_NE(message.find(b.words), std::string::npos) << message;
    EXPECT_NE(message.find("nothing was launched"), std::string::npos) << message;
    EXPECT_EQ(y_now(), poison) << "a refused call wrote y";
  }
  // A bad mask does not matter when the mask is left off; the valid call is served again.
  EXPECT_EQ(run(rows, offsets, nullptr, message), ASMK_SUCCESS) << message;
  EXPECT_EQ(y_now(), std::vector<float>(m * n, 2.0f));
  for (void* p : {dx, dy, drows, doffsets, dmask}) asmk_free(c.ctx, p);
}
