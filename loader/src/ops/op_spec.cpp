#include "op_spec.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "../manifest_json.hpp"
#include "op_spec_reader.hpp"

namespace asmk::ops {
namespace {

template <typename T>
const T* by_name(const std::vector<T>& items, std::string_view name) {
  const auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
  return it == items.end() ? nullptr : &*it;
}

std::vector<std::string> strings(const Reader& r, const std::string& key) {
  std::vector<std::string> out;
  if (!r.has(key)) return out;
  const Json& list = r.at(key);
  if (!list.is_array()) r.bad(r.where(key), "is not a list");
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) r.bad(r.where(fmt::format("{}[{}]", key, i)), "is not a string");
    out.push_back(list[i].get<std::string>());
  }
  return out;
}

std::string optional_string(const Reader& r, const std::string& key) { return r.has(key) ? r.string(key) : ""; }

bool flag(const Reader& r, const std::string& key) {
  if (!r.has(key)) return false;
  if (!r.at(key).is_boolean()) r.bad(r.where(key), "is not true or false");
  return r.at(key).get<bool>();
}

OpTensor read_tensor(const Reader& r, std::string name, const std::string& file) {
  OpTensor t;
  t.name = std::move(name);
  t.dtype = r.string("dtype");
  t.output = flag(r, "output");
  t.optional = flag(r, "optional");
  t.workspace = flag(r, "workspace");
  t.doc = optional_string(r, "doc");
  if (!t.workspace) {
    const Json& shape = r.at("shape");
    if (!shape.is_array() || shape.empty()) r.bad(r.where("shape"), "is not a non-empty list of extents");
    for (std::size_t i = 0; i < shape.size(); ++i)
      t.shape.push_back(read_expr(r, shape[i], r.where(fmt::format("shape[{}]", i))));
    t.strides = strings(r, "strides");
    if (!t.strides.empty() && t.strides.size() + 1 != t.shape.size())
      r.bad(r.where("strides"), fmt::format("has {} names for {} dimensions (one per dimension but the last)",
                                            t.strides.size(), t.shape.size()));
  }
  if (r.has("elements")) {
    const Reader e = r.object("elements");
    OpElementRules rules;
    for (auto [key, bound] : {std::pair{"min", &rules.min}, {"max", &rules.max}, {"below", &rules.below},
                              {"first", &rules.first}, {"last", &rules.last}})
      if (e.has(key)) *bound = read_expr(e, e.at(key), e.where(key));
    rules.non_decreasing = flag(e, "non_decreasing");
    rules.doc = optional_string(e, "doc");
    if (t.dtype != "i32" && t.dtype != "int8" && t.dtype != "u8")
      r.bad(r.where("elements"), fmt::format("element rules need an integer dtype (i32, int8, u8), not {}", t.dtype));
    if (t.output || t.workspace) r.bad(r.where("elements"), "element rules are for inputs only");
    if ((rules.non_decreasing || rules.first || rules.last) && t.shape.size() != 1)
      r.bad(r.where("elements"), "non_decreasing, first and last are for 1-D tensors");
    t.elements = std::move(rules);
  }
  (void)file;
  return t;
}

OpSelect read_select(const Reader& r) {
  OpSelect s;
  const std::string policy = r.string("policy");
  if (policy == "gemm_cost") {
    s.policy = OpSelect::Policy::gemm_cost;
    s.rate = r.string("rate");
    s.partials_scaled = flag(r, "partials_scaled");
  } else if (policy == "ranked") {
    s.policy = OpSelect::Policy::ranked;
    const Json& prefer = r.at("prefer");
    if (!prefer.is_array()) r.bad(r.where("prefer"), "is not a list");
    for (std::size_t i = 0; i < prefer.size(); ++i) {
      const Reader c(r.file(), r.where(fmt::format("prefer[{}]", i)), prefer[i]);
      RankCriterion criterion;
      criterion.fewest = c.has("fewest");
      const std::string key = criterion.fewest ? "fewest" : "most";
      criterion.expr = read_expr(c, c.at(key), c.where(key));
      criterion.what = c.has("what") ? c.string("what") : criterion.expr.text();
      s.prefer.push_back(std::move(criterion));
    }
  } else if (policy == "stages") {
    s.policy = OpSelect::Policy::stages;
  } else {
    r.bad(r.where("policy"), fmt::format("is '{}'; this libasmk knows the policies gemm_cost, ranked, stages", policy));
  }
  return s;
}

// derived, temporaries and stages: present exactly when the policy is `stages`.
void read_pipeline(const Reader& r, const std::string& file, OpSpec& op) {
  const bool pipeline = op.select.policy == OpSelect::Policy::stages;
  for (const char* key : {"derived", "temporaries", "stages"})
    if (r.has(key) && !pipeline) r.bad(r.where(key), "is for pipeline ops only (select: {policy: stages})");
  if (!pipeline) return;
  if (r.has("derived"))
    for (const auto& [name, value] : r.object("derived").json().items())
      op.derived.push_back({name, read_expr(r, value, r.where("derived." + name))});
  if (r.has("temporaries")) {
    const Reader temporaries = r.object("temporaries");
    for (const auto& [name, value] : r.at("temporaries").items()) {
      const Reader t(file, temporaries.where(name), value);
      OpTemporary temporary{name, t.string("dtype"), {}, optional_string(t, "doc")};
      const Json& shape = t.at("shape");
      if (!shape.is_array() || shape.empty()) t.bad(t.where("shape"), "is not a non-empty list of extents");
      for (std::size_t i = 0; i < shape.size(); ++i)
        temporary.shape.push_back(read_expr(t, shape[i], t.where(fmt::format("shape[{}]", i))));
      if (dtype_bits(temporary.dtype) == 0 && op.choice(temporary.dtype) == nullptr)
        t.bad(t.where("dtype"), fmt::format("'{}' is no dtype and no choice", temporary.dtype));
      op.temporaries.push_back(std::move(temporary));
    }
    if (!op.temporaries.empty() && std::none_of(op.tensors.begin(), op.tensors.end(), [](const OpTensor& t) { return t.workspace; }))
      r.bad(r.where("temporaries"), "need a workspace tensor to be carved from");
  }
  const Json& stages = r.at("stages");
  if (!stages.is_array() || stages.empty()) r.bad(r.where("stages"), "is not a non-empty list");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Reader s(file, r.where(fmt::format("stages[{}]", i)), stages[i]);
    OpStage stage;
    stage.op = s.string("op");
    if (stage.op == op.name) s.bad(s.where("op"), "is the pipeline itself");
    if (s.has("when")) stage.when = read_expr(s, s.at("when"), s.where("when"));
    if (s.has("args"))
      for (const auto& [name, value] : s.object("args").json().items()) {
        if (!value.is_string() && !value.is_number_integer()) s.bad(s.where("args." + name), "is not a name or an expression");
        stage.args.emplace_back(name, value.is_string() ? value.get<std::string>() : value.dump());
      }
    op.stages.push_back(std::move(stage));
  }
}

OpSpec read_op(const Reader& r, const std::string& file) {
  OpSpec op;
  op.name = r.string("op");
  op.doc = optional_string(r, "doc");
  op.family = r.has("kernels") ? r.string("kernels") : op.name;
  op.sizes = strings(r, "sizes");
  if (r.has("choices")) {
    const Reader choices = r.object("choices");
    for (const auto& [name, value] : r.at("choices").items()) {
      const Reader c(file, choices.where(name), value);
      OpChoice choice{name, strings(c, "values"), c.string("default"), c.string("param"), optional_string(c, "implied"),
                      optional_string(c, "doc"), {}};
      choice.values_text = fmt::format("{}", fmt::join(choice.values, ","));
      if (choice.values.empty() || std::find(choice.values.begin(), choice.values.end(), choice.default_value) ==
                                       choice.values.end())
        c.bad(c.where("default"), "is not one of the values");
      op.choices.push_back(std::move(choice));
    }
  }
  if (r.has("scalars")) {
    const Reader scalars = r.object("scalars");
    for (const auto& [name, value] : r.at("scalars").items()) {
      const Reader s(file, scalars.where(name), value);
      OpScalar scalar;
      scalar.name = name;
      const std::string type = s.string("type");
      if (type != "u32" && type != "i32" && type != "f32")
        s.bad(s.where("type"), fmt::format("is '{}', not u32, i32 or f32", type));
      scalar.type = type == "u32" ? OpScalar::Type::u32 : type == "i32" ? OpScalar::Type::i32 : OpScalar::Type::f32;
      scalar.required = s.has("required") && s.at("required").is_boolean() && s.at("required").get<bool>();
      for (const char* bound : {"min", "above"})
        if (s.has(bound)) {
          if (!s.at(bound).is_number()) s.bad(s.where(bound), "is not a number");
          (std::string_view(bound) == "min" ? scalar.min : scalar.above) = s.at(bound).get<double>();
        }
      if (s.has("applies_when")) scalar.applies_when = read_expr(s, s.at("applies_when"), s.where("applies_when"));
      if (!s.at("default").is_number()) s.bad(s.where("default"), "is not a number");
      scalar.default_value = s.at("default").get<double>();
      scalar.doc = optional_string(s, "doc");
      scalar.default_text = scalar.required ? ""
                            : scalar.type == OpScalar::Type::f32 ? fmt::format("{}", scalar.default_value)
                                                                 : fmt::format("{}", static_cast<std::int64_t>(scalar.default_value));
      op.scalars.push_back(std::move(scalar));
    }
  }
  if (r.has("values"))
    for (const auto& [name, value] : r.object("values").json().items()) {
      if (!value.is_number_integer()) r.bad(r.where("values." + name), "is not an integer");
      op.values.emplace_back(name, value.get<std::int64_t>());
    }
  if (r.has("wanted"))
    for (const auto& [name, value] : r.object("wanted").json().items()) {
      if (!value.is_string()) r.bad(r.where("wanted." + name), "is not a string");
      op.wanted.push_back({name, value.get<std::string>()});
    }
  if (r.has("tensors")) {
    const Reader tensors = r.object("tensors");
    for (const auto& [name, value] : r.at("tensors").items())
      op.tensors.push_back(read_tensor(Reader(file, tensors.where(name), value), name, file));
  }
  for (const OpTensor& t : op.tensors)
    if (dtype_bits(t.dtype) == 0) {
      const OpChoice* c = op.choice(t.dtype);
      if (c == nullptr) r.bad(r.where("tensors." + t.name + ".dtype"), fmt::format("'{}' is no dtype and no choice", t.dtype));
      for (const std::string& v : c->values)
        if (dtype_bits(v) == 0) r.bad(r.where("choices." + c->name), fmt::format("value '{}' is no dtype", v));
    }
  op.rules = read_requirements(r, "rules", file);
  op.demo = strings(r, "demo");
  op.select = read_select(r.object("select"));
  read_pipeline(r, file, op);
  return op;
}

}  // namespace

std::vector<OpSpec> read_op_specs(const Reader& ops, const std::string& file) {
  std::vector<OpSpec> out;
  for (const auto& [name, value] : ops.json().items()) {
    out.push_back(read_op(Reader(file, ops.where(name), value), file));
    if (out.back().name != name) ops.bad(ops.where(name + ".op"), fmt::format("is '{}', not the key '{}'", out.back().name, name));
  }
  return out;
}

const OpChoice* OpSpec::choice(std::string_view n) const { return by_name(choices, n); }
const OpTensor* OpSpec::tensor(std::string_view n) const { return by_name(tensors, n); }
const OpScalar* OpSpec::scalar(std::string_view n) const { return by_name(scalars, n); }
const OpTemporary* OpSpec::temporary(std::string_view n) const { return by_name(temporaries, n); }

const std::string* OpStage::source(std::string_view argument) const {
  for (const auto& [name, source] : args)
    if (name == argument) return &source;
  return nullptr;
}

std::vector<OpSpec::Argument> OpSpec::arguments() const {
  std::vector<Argument> out;
  for (const std::string& s : sizes) out.push_back({s, ASMK_OP_ARG_SIZE});
  for (const OpChoice& c : choices) out.push_back({c.name, ASMK_OP_ARG_CHOICE, &c});
  for (const OpScalar& s : scalars) out.push_back({s.name, ASMK_OP_ARG_SCALAR, nullptr, &s});
  for (const OpTensor& t : tensors) {
    for (const std::string& stride : t.strides) out.push_back({stride, ASMK_OP_ARG_STRIDE, nullptr, nullptr, &t});
    out.push_back({t.name, ASMK_OP_ARG_TENSOR, nullptr, nullptr, &t});
  }
  return out;
}

std::vector<std::string> OpSpec::stride_names() const {
  std::vector<std::string> out;
  for (const OpTensor& t : tensors) out.insert(out.end(), t.strides.begin(), t.strides.end());
  return out;
}

std::string OpSpec::arguments_text() const {
  std::vector<std::string> parts;
  if (!sizes.empty()) parts.push_back(fmt::format("sizes {}", fmt::join(sizes, ", ")));
  if (const auto s = stride_names(); !s.empty()) parts.push_back(fmt::format("strides {}", fmt::join(s, ", ")));
  for (const OpChoice& c : choices) parts.push_back(fmt::format("{} ({})", c.name, fmt::join(c.values, "|")));
  for (const OpScalar& s : scalars)
    parts.push_back(fmt::format("{} ({})", s.name, s.type == OpScalar::Type::u32 ? "u32" : s.type == OpScalar::Type::i32 ? "i32" : "f32"));
  std::vector<std::string> tensor_names;
  for (const OpTensor& t : tensors) tensor_names.push_back(t.name);
  if (!tensor_names.empty()) parts.push_back(fmt::format("tensors {}", fmt::join(tensor_names, ", ")));
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::uint32_t dtype_bits(std::string_view dtype) {
  static constexpr std::pair<std::string_view, std::uint32_t> kBits[] = {
      {"bf16", 16}, {"fp16", 16}, {"f32", 32}, {"fp8", 8}, {"int8", 8}, {"fp4", 4}, {"int4", 4}, {"e8m0", 8}, {"u8", 8}, {"i32", 32}};
  for (const auto& [name, bits] : kBits)
    if (name == dtype) return bits;
  return 0;
}

}  // namespace asmk::ops
