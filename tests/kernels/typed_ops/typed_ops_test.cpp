// The typed entry points asmk_fmha_fwd, asmk_mla_decode and asmk_fused_moe (asmk.h) against the
// generic op call. Each problem runs first through the op runner (asmk_run_op with the arguments
// spelled by name, outputs checked against the float64 references in ref/), then through the
// typed struct on the same inputs: the typed call must select the same plan and write the same
// bytes. The struct fields are set here by hand from the op's argument names, independently of
// the library's own mapping (loader/src/c_op_args.cpp). Structs the mapping refuses as a whole
// (an enum outside its values, two page-table forms, two routings) are named errors with nothing
// written.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "asmk.h"
#include "kernel_harness.hpp"
#include "op_runner.hpp"

namespace {

using asmk::test::Buffer;
using asmk::test::Session;
namespace op_runner = asmk::op_runner;

// The device buffers of a checked op-runner result: its inputs uploaded, its outputs 0xee (as the
// runner started them), the workspace at the plan's size.
class Buffers {
 public:
  Buffers(Session& s, const op_runner::Result& r) : r_(r) {
    for (const auto& [name, t] : r.tensors) {
      if (t.output) buffers_.emplace(name, s.filled(t.bytes.size(), 0xee));
      else buffers_.emplace(name, s.upload(t.bytes));
    }
    workspace_ = std::make_unique<Buffer>(s.alloc(std::max<size_t>(r.selection.workspace_bytes, 1)));
  }
  // The tensor's pointer, or null when the problem did not give it.
  void* ptr(const std::string& name) const {
    auto it = buffers_.find(name);
    return it == buffers_.end() ? nullptr : it->second.get();
  }
  size_t bytes(const std::string& name) const {
    auto it = buffers_.find(name);
    return it == buffers_.end() ? 0 : it->second.bytes();
  }
  void* workspace() const { return r_.selection.workspace_bytes ? workspace_->get() : nullptr; }
  size_t workspace_bytes() const { return r_.selection.workspace_bytes; }
  uint32_t u32(const std::string& name) const { return uint32_t(std::stoul(r_.values.at(name))); }
  int32_t i32(const std::string& name) const { return int32_t(std::stol(r_.values.at(name))); }
  float f32(const std::string& name) const { return std::stof(r_.values.at(name)); }
  const std::string& text(const std::string& name) const { return r_.values.at(name); }

  // Every output as the checked run wrote it.
  void expect_outputs_equal() const {
    for (const auto& [name, t] : r_.tensors) {
      if (!t.output) continue;
      EXPECT_EQ(buffers_.at(name).download<uint8_t>(), t.bytes) << name << ": the typed call wrote other bytes";
    }
  }
  // Every output still 0xee.
  void expect_nothing_written() const {
    for (const auto& [name, t] : r_.tensors) {
      if (!t.output) continue;
      for (uint8_t b : buffers_.at(name).download<uint8_t>()) ASSERT_EQ(b, 0xee) << name << " written by a refused call";
    }
  }

 private:
  const op_runner::Result& r_;
  std::map<std::string, Buffer> buffers_;
  std::unique_ptr<Buffer> workspace_;
};

// The op runner's checked run of `problem`: every output matches its reference.
op_runner::Result checked_run(Session& s, const std::string& op, const std::string& problem) {
  op_runner::Options options;
  options.seed = 7;
  auto r = op_runner::run(s.get(), op, op_runner::Problem::parse(problem), options);
  EXPECT_EQ(r.status, ASMK_SUCCESS) << r.error;
  EXPECT_FALSE(r.comparisons.empty());
  for (const auto& c : r.comparisons) EXPECT_TRUE(c.ok()) << c.tensor << ": " << c.detail;
  return r;
}

// The typed call selected the plan the op runner's call did.
void expect_same_plan(const asmk_selection& typed, const op_runner::Result& r) {
  EXPECT_STREQ(typed.kernel_name, r.selection.kernel_name);
  EXPECT_EQ(typed.launch_count, r.selection.launch_count);
  EXPECT_EQ(typed.workspace_bytes, r.selection.workspace_bytes);
}

// `problem` through the op runner (checked), then through the typed entry point `typed` with the struct
// `make` builds from the same inputs: the same plan and the same bytes. `then` (optional) sees the struct
// and the plan while the buffers live. Returns the checked run's plan.
template <class Args>
asmk_selection expect_typed_call_equals_op_call(Session& s, const std::string& op, const std::string& problem,
                                                const std::function<Args(const Buffers&)>& make,
                                                asmk_status (*typed)(asmk_context*, const Args*, asmk_stream, asmk_selection*),
                                                const std::function<void(const Args&, const asmk_selection&)>& then = {}) {
  const auto r = checked_run(s, op, problem);
  if (r.status != ASMK_SUCCESS) return r.selection;
  Buffers b(s, r);
  const Args a = make(b);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  EXPECT_EQ(typed(s.get(), &a, nullptr, &sel), ASMK_SUCCESS) << asmk_last_error();
  EXPECT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS) << asmk_last_error();
  expect_same_plan(sel, r);
  b.expect_outputs_equal();
  if (then) then(a, r.selection);
  return r.selection;
}

asmk_dtype dtype_of(const std::string& name) {
  if (name == "fp16") return ASMK_DTYPE_FP16;
  if (name == "fp8") return ASMK_DTYPE_FP8;
  if (name == "fp4") return ASMK_DTYPE_FP4;
  if (name == "int4") return ASMK_DTYPE_INT4;
  return ASMK_DTYPE_BF16;
}

// A problem of one op, as the op runner takes it.
struct OpCase {
  const char* what;
  const char* op;
  const char* problem;
};

// ---- fmha_fwd -----------------------------------------------------------------------------------

asmk_fmha_fwd_args fmha_args(const Buffers& b, bool varlen, asmk_attention_mask mask) {
  asmk_fmha_fwd_args a = ASMK_INIT(asmk_fmha_fwd_args);
  a.batch = b.u32("batch"), a.seqlen_q = b.u32("seqlen_q"), a.seqlen_k = b.u32("seqlen_k");
  if (varlen) a.total_q = b.u32("total_q"), a.total_k = b.u32("total_k");
  a.num_heads_q = b.u32("num_heads_q"), a.num_heads_k = b.u32("num_heads_k");
  const std::string dims = b.text("head_dims");
  a.head_dim_qk = dims == "192x128" ? 192 : uint32_t(std::stoul(dims));
  a.head_dim_v = dims == "192x128" ? 128 : a.head_dim_qk;
  a.dtype = dtype_of(b.text("dtype")), a.out_dtype = dtype_of(b.text("out_dtype"));
  a.mask = mask;
  if (mask == ASMK_MASK_WINDOW) a.window_left = b.i32("window_left"), a.window_right = b.i32("window_right");
  a.scale = b.f32("scale"), a.softcap = b.f32("softcap");
  a.q_descale = b.f32("q_descale"), a.k_descale = b.f32("k_descale"), a.v_descale = b.f32("v_descale");
  a.q = b.ptr("q"), a.k = b.ptr("k"), a.v = b.ptr("v"), a.o = b.ptr("o"), a.lse = static_cast<float*>(b.ptr("lse"));
  a.q_bytes = b.bytes("q"), a.k_bytes = b.bytes("k"), a.v_bytes = b.bytes("v"), a.o_bytes = b.bytes("o");
  a.lse_bytes = b.bytes("lse");
  if (varlen) {
    a.cu_seqlens_q = static_cast<const int32_t*>(b.ptr("cu_seqlens_q"));
    a.cu_seqlens_k = static_cast<const int32_t*>(b.ptr("cu_seqlens_k"));
    a.cu_seqlens_q_bytes = b.bytes("cu_seqlens_q"), a.cu_seqlens_k_bytes = b.bytes("cu_seqlens_k");
  }
  a.workspace = b.workspace(), a.workspace_bytes = b.workspace_bytes();
  return a;  // strides 0: packed, as the problems give them
}

struct FmhaCase {
  const char* what;
  const char* op;
  const char* problem;
  asmk_attention_mask mask;
  bool splits = false;  // the plan splits the keys (fmha_fwd_*split + attn_lse_combine)
};

TEST(TypedOps, FmhaFwdEqualsTheOpCall) {
  Session s("MI300X");
  ASSERT_TRUE(s.ok());
  const FmhaCase cases[] = {
      {"causal bottom-right, GQA, LSE", "fmha_fwd",
       "batch=2 seqlen_q=40 seqlen_k=70 num_heads_q=4 num_heads_k=2 head_dims=64 mask=window window_left=-1 "
       "window_right=0 bottom_right=1 scale=0.125 lse", ASMK_MASK_CAUSAL_BOTTOM_RIGHT},
      {"causal top-left, fp8 with descales", "fmha_fwd",
       "batch=1 seqlen_q=48 seqlen_k=48 num_heads_q=2 num_heads_k=2 head_dims=128 dtype=fp8 mask=window window_left=-1 "
       "window_right=0 bottom_right=0 q_descale=0.5 k_descale=0.25 v_descale=2 scale=0.0883883", ASMK_MASK_CAUSAL},
      {"varlen, window (17, 5), MQA", "fmha_fwd_varlen",
       "batch=3 seqlen_q=70 seqlen_k=90 total_q=120 total_k=150 num_heads_q=4 num_heads_k=1 head_dims=128 mask=window "
       "window_left=17 window_right=5 bottom_right=1 scale=0.0883883 lse", ASMK_MASK_WINDOW},
      {"no mask, 192x128, soft-cap", "fmha_fwd",
       "batch=1 seqlen_q=33 seqlen_k=50 num_heads_q=2 num_heads_k=1 head_dims=192x128 softcap=20 scale=0.072",
       ASMK_MASK_NONE},
      {"a short query over many keys: split-KV through the workspace", "fmha_fwd_varlen",
       "batch=2 seqlen_q=3 seqlen_k=1500 total_q=4 total_k=2100 num_heads_q=4 num_heads_k=1 head_dims=128 mask=window "
       "window_left=-1 window_right=0 bottom_right=1 scale=0.0883883 lse", ASMK_MASK_CAUSAL_BOTTOM_RIGHT, true},
  };
  for (const FmhaCase& c : cases) {
    SCOPED_TRACE(c.what);
    const bool varlen = std::string(c.op) == "fmha_fwd_varlen";
    const asmk_selection plan = expect_typed_call_equals_op_call<asmk_fmha_fwd_args>(
        s, c.op, c.problem, [&](const Buffers& b) { return fmha_args(b, varlen, c.mask); }, asmk_fmha_fwd);
    EXPECT_EQ(plan.launch_count > 1, c.splits) << plan.reason;
  }
}

TEST(TypedOps, FmhaFwdRefusesWhatItCannotMap) {
  Session s("MI300X");
  ASSERT_TRUE(s.ok());
  const auto r = checked_run(s, "fmha_fwd", "batch=1 seqlen_q=20 seqlen_k=20 num_heads_q=1 num_heads_k=1 head_dims=64 scale=0.125");
  ASSERT_EQ(r.status, ASMK_SUCCESS);
  Buffers b(s, r);
  asmk_selection sel = ASMK_INIT(asmk_selection);

  asmk_fmha_fwd_args a = fmha_args(b, false, ASMK_MASK_NONE);
  a.mask = static_cast<asmk_attention_mask>(7);
  EXPECT_EQ(asmk_fmha_fwd(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("asmk_fmha_fwd_args.mask is 7: not an asmk_attention_mask"), std::string::npos)
      << asmk_last_error();

  a = fmha_args(b, false, ASMK_MASK_NONE);
  a.head_dim_qk = a.head_dim_v = 96;  // no such kernel: the op names its head dims
  EXPECT_NE(asmk_fmha_fwd(s.get(), &a, nullptr, &sel), ASMK_SUCCESS);
  EXPECT_NE(std::string(asmk_last_error()).find("head_dims"), std::string::npos) << asmk_last_error();
  EXPECT_NE(std::string(asmk_last_error()).find("96"), std::string::npos) << asmk_last_error();

  a = fmha_args(b, false, ASMK_MASK_NONE);
  a.cu_seqlens_q = static_cast<const int32_t*>(b.ptr("q"));  // varlen needs both offsets
  EXPECT_EQ(asmk_fmha_fwd(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("needs both cu_seqlens_q and cu_seqlens_k (given: cu_seqlens_q only)"),
            std::string::npos) << asmk_last_error();

  a = fmha_args(b, false, ASMK_MASK_NONE);
  a.scale = 0;  // ASMK_INIT's 0 is not a softmax scale
  EXPECT_NE(asmk_fmha_fwd(s.get(), &a, nullptr, &sel), ASMK_SUCCESS);
  EXPECT_NE(std::string(asmk_last_error()).find("scale"), std::string::npos) << asmk_last_error();

  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
  b.expect_nothing_written();
}

// ---- mla_decode ---------------------------------------------------------------------------------

asmk_mla_decode_args mla_args(const Buffers& b, bool csr) {
  asmk_mla_decode_args a = ASMK_INIT(asmk_mla_decode_args);
  a.batch = b.u32("batch"), a.heads = b.u32("heads"), a.max_qlen = b.u32("max_qlen"), a.total_q = b.u32("total_q");
  a.num_pages = b.u32("num_pages"), a.page_size = b.u32("page_size");
  a.q_dtype = dtype_of(b.text("q_dtype")), a.kv_dtype = dtype_of(b.text("kv_dtype"));
  a.scale = b.f32("scale"), a.softcap = b.f32("softcap"), a.q_scale = b.f32("q_scale"), a.kv_scale = b.f32("kv_scale");
  a.q = b.ptr("q"), a.kv = b.ptr("kv"), a.o = b.ptr("o"), a.lse = static_cast<float*>(b.ptr("lse"));
  a.qo_indptr = static_cast<const int32_t*>(b.ptr("qo_indptr"));
  a.q_bytes = b.bytes("q"), a.kv_bytes = b.bytes("kv"), a.o_bytes = b.bytes("o"), a.lse_bytes = b.bytes("lse");
  a.qo_indptr_bytes = b.bytes("qo_indptr");
  if (csr) {
    a.num_indices = b.u32("num_indices");
    a.kv_indptr = static_cast<const int32_t*>(b.ptr("kv_indptr"));
    a.kv_indices = static_cast<const int32_t*>(b.ptr("kv_indices"));
    a.kv_last_page_len = static_cast<const int32_t*>(b.ptr("kv_last_page_len"));
    a.kv_indptr_bytes = b.bytes("kv_indptr"), a.kv_indices_bytes = b.bytes("kv_indices");
    a.kv_last_page_len_bytes = b.bytes("kv_last_page_len");
  } else {
    a.block_table_stride = b.u32("block_table_stride");
    a.block_table = static_cast<const int32_t*>(b.ptr("block_table"));
    a.seq_lens = static_cast<const int32_t*>(b.ptr("seq_lens"));
    a.block_table_bytes = b.bytes("block_table"), a.seq_lens_bytes = b.bytes("seq_lens");
  }
  a.workspace = b.workspace(), a.workspace_bytes = b.workspace_bytes();
  return a;
}

TEST(TypedOps, MlaDecodeEqualsTheOpCall) {
  Session s("MI300X");
  ASSERT_TRUE(s.ok());
  const OpCase cases[] = {
      {"CSR, split through the workspace, LSE", "mla_decode",
       "batch=3 heads=16 max_qlen=2 total_q=5 num_pages=150 page_size=16 num_indices=120 scale=0.0722 lse"},
      {"block table, fp8 q and cache", "mla_decode_block_table",
       "batch=2 heads=8 max_qlen=2 total_q=3 num_pages=12 page_size=16 block_table_stride=5 q_dtype=fp8 q_scale=0.25 "
       "kv_dtype=fp8 kv_scale=0.3 scale=0.0722"},
  };
  for (const OpCase& c : cases) {
    SCOPED_TRACE(c.what);
    const bool csr = std::string(c.op) == "mla_decode";
    expect_typed_call_equals_op_call<asmk_mla_decode_args>(
        s, c.op, c.problem, [&](const Buffers& b) { return mla_args(b, csr); }, asmk_mla_decode,
        [&](const asmk_mla_decode_args& a, const asmk_selection& plan) {
          if (plan.workspace_bytes == 0) return;
          // The size an unbounded budget reports is what the plan uses; a byte less plans fewer splits within it.
          asmk_mla_decode_args query = a;
          query.workspace = nullptr, query.workspace_bytes = SIZE_MAX;
          asmk_selection unbounded = ASMK_INIT(asmk_selection), tight = ASMK_INIT(asmk_selection);
          ASSERT_EQ(asmk_select_mla_decode(s.get(), &query, &unbounded), ASMK_SUCCESS) << asmk_last_error();
          EXPECT_EQ(unbounded.workspace_bytes, plan.workspace_bytes);
          query.workspace_bytes = unbounded.workspace_bytes - 1;
          ASSERT_EQ(asmk_select_mla_decode(s.get(), &query, &tight), ASMK_SUCCESS) << asmk_last_error();
          EXPECT_LT(tight.workspace_bytes, unbounded.workspace_bytes);
        });
  }
}

TEST(TypedOps, MlaDecodeNeedsOnePageTableForm) {
  Session s("MI300X");
  ASSERT_TRUE(s.ok());
  const auto r = checked_run(s, "mla_decode",
                             "batch=2 heads=16 max_qlen=1 total_q=2 num_pages=20 page_size=16 num_indices=10 scale=0.0722");
  ASSERT_EQ(r.status, ASMK_SUCCESS);
  Buffers b(s, r);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  asmk_mla_decode_args a = mla_args(b, true);
  a.block_table = a.kv_indices;
  EXPECT_EQ(asmk_mla_decode(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("both page-table forms given (kv_indptr and block_table): give one"),
            std::string::npos) << asmk_last_error();
  a = mla_args(b, true);
  a.kv_indptr = nullptr;
  EXPECT_EQ(asmk_mla_decode(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("no page table"), std::string::npos) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
  b.expect_nothing_written();
}

// ---- fused_moe ----------------------------------------------------------------------------------

asmk_fused_moe_args moe_args(const Buffers& b, bool routed) {
  asmk_fused_moe_args a = ASMK_INIT(asmk_fused_moe_args);
  a.tokens = b.u32("tokens"), a.experts = b.u32("experts"), a.k = b.u32("k"), a.hidden = b.u32("hidden");
  a.inter = b.u32("inter"), a.local_experts = b.u32("local_experts"), a.block_m = b.u32("block_m");
  const std::string act = b.text("activation");
  a.activation = act == "gelu" ? ASMK_MOE_GELU : act == "swiglu_oai" ? ASMK_MOE_SWIGLU_OAI : ASMK_MOE_SILU;
  a.in_dtype = dtype_of(b.text("in_dtype"));
  a.fp8_scales = b.text("fp8_scales") == "block128" ? ASMK_FP8_SCALES_BLOCK128 : ASMK_FP8_SCALES_ROWCOL;
  a.bf16_activations = b.text("act_dtype") == "bf16";
  if (routed) {
    a.topk_ids = static_cast<const int32_t*>(b.ptr("topk_ids"));
    a.topk_weights = static_cast<const float*>(b.ptr("topk_weights"));
    a.topk_ids_bytes = b.bytes("topk_ids"), a.topk_weights_bytes = b.bytes("topk_weights");
  } else {
    a.routing = b.text("routing") == "grouped" ? ASMK_MOE_ROUTING_GROUPED : ASMK_MOE_ROUTING_SOFTMAX;
    a.keep_softmax_weights = b.u32("renormalize") == 0;
    a.n_group = b.u32("n_group"), a.topk_group = b.u32("topk_group");
    a.routed_scaling_factor = b.f32("routed_scaling_factor");
    a.logits = static_cast<const float*>(b.ptr("logits"));
    a.correction_bias = static_cast<const float*>(b.ptr("correction_bias"));
    a.logits_bytes = b.bytes("logits"), a.correction_bias_bytes = b.bytes("correction_bias");
  }
  a.expert_map = static_cast<const int32_t*>(b.ptr("expert_map")), a.expert_map_bytes = b.bytes("expert_map");
  a.x = b.ptr("x"), a.w1 = b.ptr("w1"), a.w2 = b.ptr("w2");
  a.x_bytes = b.bytes("x"), a.w1_bytes = b.bytes("w1"), a.w2_bytes = b.bytes("w2");
  a.w1_scale = static_cast<const float*>(b.ptr("w1_scale")), a.w2_scale = static_cast<const float*>(b.ptr("w2_scale"));
  a.w1_scale_bytes = b.bytes("w1_scale"), a.w2_scale_bytes = b.bytes("w2_scale");
  a.w1_mx_scale = static_cast<const uint8_t*>(b.ptr("w1_mx_scale"));
  a.w2_mx_scale = static_cast<const uint8_t*>(b.ptr("w2_mx_scale"));
  a.w1_mx_scale_bytes = b.bytes("w1_mx_scale"), a.w2_mx_scale_bytes = b.bytes("w2_mx_scale");
  a.b1 = static_cast<const float*>(b.ptr("b1")), a.b2 = static_cast<const float*>(b.ptr("b2"));
  a.b1_bytes = b.bytes("b1"), a.b2_bytes = b.bytes("b2");
  a.out = b.ptr("out"), a.out_bytes = b.bytes("out");
  a.workspace = b.workspace(), a.workspace_bytes = b.workspace_bytes();
  return a;
}

TEST(TypedOps, FusedMoeEqualsTheOpCall) {
  Session s("MI300X");
  ASSERT_TRUE(s.ok());
  const OpCase cases[] = {
      {"DeepSeek-V3 grouped routing", "fused_moe",
       "tokens=3 experts=64 k=4 hidden=64 inter=64 routing=grouped n_group=8 topk_group=4 routed_scaling_factor=2.5 "
       "correction_bias"},
      {"expert parallelism, softmax weights kept, gelu", "fused_moe",
       "tokens=16 experts=16 k=4 hidden=128 inter=128 local_experts=8 expert_map renormalize=0 activation=gelu"},
      {"the caller's routing, fp8 block scales", "fused_moe_routed",
       "tokens=5 experts=8 k=2 hidden=256 inter=128 in_dtype=fp8 fp8_scales=block128 w1_scale w2_scale"},
      {"int4 weights against fp8 activations (Grok-1)", "fused_moe_routed",
       "tokens=3 experts=8 k=2 hidden=128 inter=128 in_dtype=int4 w1_scale w2_scale"},
  };
  for (const OpCase& c : cases) {
    SCOPED_TRACE(c.what);
    const bool routed = std::string(c.op) == "fused_moe_routed";
    expect_typed_call_equals_op_call<asmk_fused_moe_args>(
        s, c.op, c.problem, [&](const Buffers& b) { return moe_args(b, routed); }, asmk_fused_moe);
  }
}

TEST(TypedOps, FusedMoeNeedsOneRouting) {
  Session s("MI300X");
  ASSERT_TRUE(s.ok());
  const auto r = checked_run(s, "fused_moe_routed", "tokens=3 experts=8 k=2 hidden=64 inter=64");
  ASSERT_EQ(r.status, ASMK_SUCCESS);
  Buffers b(s, r);
  asmk_selection sel = ASMK_INIT(asmk_selection);
  asmk_fused_moe_args a = moe_args(b, true);
  a.logits = static_cast<const float*>(b.ptr("topk_weights"));
  EXPECT_EQ(asmk_fused_moe(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("both logits and topk_ids / topk_weights given"), std::string::npos)
      << asmk_last_error();
  a = moe_args(b, true);
  a.topk_ids = nullptr, a.topk_weights = nullptr;
  EXPECT_EQ(asmk_fused_moe(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("no routing"), std::string::npos) << asmk_last_error();
  a = moe_args(b, true);
  a.routing = ASMK_MOE_ROUTING_GROUPED;
  EXPECT_EQ(asmk_fused_moe(s.get(), &a, nullptr, &sel), ASMK_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(asmk_last_error()).find("apply to the op's routing from logits"), std::string::npos)
      << asmk_last_error();
  a = moe_args(b, true);
  a.activation = static_cast<asmk_moe_activation>(9);  // the op names its activations
  EXPECT_NE(asmk_fused_moe(s.get(), &a, nullptr, &sel), ASMK_SUCCESS);
  EXPECT_NE(std::string(asmk_last_error()).find("<unknown value 9>"), std::string::npos) << asmk_last_error();
  ASSERT_EQ(asmk_synchronize(s.get(), nullptr), ASMK_SUCCESS);
  b.expect_nothing_written();
}

}  // namespace
