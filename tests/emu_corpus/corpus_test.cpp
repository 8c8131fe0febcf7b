// Runs every corpus case (cases/*.cpp) on both archs: loads kernels/<name>_<arch>.co, skips only
// when the emulator reports at load time that it cannot run an instruction of the kernel, and
// otherwise lets the case launch in strict mode and compare with its host reference.
#include <set>
#include <sstream>

#include "corpus.hpp"

namespace asmk::corpus {

namespace {
std::vector<Case>& registry() {
  static std::vector<Case> all;
  return all;
}
}  // namespace

const std::vector<Case>& cases() { return registry(); }

bool register_case(const char* kernel, CaseFunction run, std::vector<Arch> archs) {
  registry().push_back({kernel, run, std::move(archs)});
  return true;
}

uint64_t Context::alloc(uint64_t bytes) {
  auto address = device_.alloc(std::max<uint64_t>(bytes, 4));
  if (!address.ok()) {
    ADD_FAILURE() << "device alloc of " << bytes << " bytes: " << address.error();
    return 0;
  }
  return *address;
}

void Context::check(const emu::Status& status, const char* what) {
  if (!status.ok()) ADD_FAILURE() << "device " << what << ": " << status.message();
}

emu::LaunchReport Context::launch_packed(Dim3 grid, Dim3 block, const std::vector<std::vector<uint8_t>>& values) {
  std::vector<const emu::KernelArg*> explicit_args;
  for (const emu::KernelArg& arg : kernel_.args)
    if (arg.value_kind.rfind("hidden_", 0) != 0) explicit_args.push_back(&arg);
  emu::LaunchReport failed;
  failed.status = emu::LaunchStatus::invalid;
  if (explicit_args.size() != values.size()) {
    ADD_FAILURE() << kernel_.name << " declares " << explicit_args.size() << " explicit arguments, the case passed "
                  << values.size();
    return failed;
  }
  emu::Dispatch dispatch;
  dispatch.kernel = &kernel_;
  dispatch.grid = grid;
  dispatch.block = block;
  for (size_t k = 0; k < values.size(); k++) {
    const emu::KernelArg& arg = *explicit_args[k];
    if (arg.size != values[k].size()) {
      ADD_FAILURE() << kernel_.name << " argument " << k << " (" << arg.name << ") is " << arg.size
                    << " bytes, the case passed " << values[k].size();
      return failed;
    }
    if (dispatch.kernargs.size() < arg.offset + arg.size) dispatch.kernargs.resize(arg.offset + arg.size);
    std::memcpy(dispatch.kernargs.data() + arg.offset, values[k].data(), arg.size);
  }
  emu::LaunchOptions options;
  options.strict = true;
  options.threads = threads_;
  options.max_wave_instructions = 1u << 22;  // corpus kernels are short; a runaway loop fails fast
  emu::LaunchReport report = emu::launch(device_, dispatch, options);
  std::ostringstream problems;
  if (!report.message.empty()) problems << "\n  " << report.message;
  for (const emu::Report& r : report.faults) problems << "\n  fault: " << r.to_string();
  for (const emu::Report& r : report.strict) problems << "\n  strict: " << r.to_string();
  EXPECT_TRUE(report.ok()) << kernel_.name << " on " << emu::arch_name(arch) << ", grid " << grid.x << "x" << grid.y
                           << "x" << grid.z << ", block " << block.x << "x" << block.y << "x" << block.z << ": "
                           << report.fault_count << " faults, " << report.strict_count << " strict reports"
                           << problems.str();
  return report;
}

namespace {

std::string co_path(const std::string& kernel, Arch arch) {
  return std::string(ASMK_CORPUS_KERNEL_DIR) + "/" + kernel + "_" + std::string(emu::arch_name(arch)) + ".co";
}

/// One test: a case on one arch. Prints as <kernel>_<arch>, the test's name suffix.
struct CaseOnArch {
  Case c;
  Arch arch;
  std::string name() const { return c.kernel + "_" + std::string(emu::arch_name(arch)); }
};
void PrintTo(const CaseOnArch& p, std::ostream* os) { *os << p.name(); }

std::vector<CaseOnArch> all_tests() {
  std::vector<CaseOnArch> all;
  for (const Case& c : cases())
    for (Arch arch : c.archs) all.push_back({c, arch});
  return all;
}

class Corpus : public ::testing::TestWithParam<CaseOnArch> {};

TEST_P(Corpus, MatchesHostReference) {
  const Case& c = GetParam().c;
  const Arch arch = GetParam().arch;
  auto code_object = emu::CodeObject::load_file(co_path(c.kernel, arch));
  ASSERT_TRUE(code_object.ok()) << code_object.error();
  auto kernel = (*code_object)->find(c.kernel);
  ASSERT_TRUE(kernel.ok()) << kernel.error();
  if (!(*kernel)->unsupported.empty()) {
    std::ostringstream gaps;
    for (const emu::Unsupported& u : (*kernel)->unsupported) gaps << "\n  +" << u.pc << ": " << u.text << " (" << u.reason << ")";
    GTEST_SKIP() << "the emulator reports instructions it cannot run in " << c.kernel << " on "
                 << emu::arch_name(arch) << ":" << gaps.str();
  }
  // Results must not depend on how many host threads run the workgroups: one, and more than
  // this machine has cores (so workgroups interleave).
  for (unsigned threads : {1u, 4u}) {
    SCOPED_TRACE("host threads: " + std::to_string(threads));
    emu::Device device;
    Context ctx(arch, device, **kernel, threads);
    c.run(ctx);
  }
}

// The generator runs when GoogleTest initialises, after every cases/*.cpp has registered.
INSTANTIATE_TEST_SUITE_P(Kernels, Corpus, ::testing::ValuesIn(all_tests()),
                         [](const ::testing::TestParamInfo<CaseOnArch>& info) { return info.param.name(); });

std::set<std::string> split(const std::string& list) {
  std::set<std::string> out;
  std::stringstream s(list);
  for (std::string item; std::getline(s, item, ',');)
    if (!item.empty()) out.insert(item);
  return out;
}

// The build compiles every kernels/*.cl; each must have exactly one case, and the corpus keeps
// the size the issue asks for.
TEST(CorpusInventory, EveryKernelHasOneCase) {
  std::set<std::string> kernels = split(ASMK_CORPUS_KERNELS), with_case;
  for (const Case& c : cases()) {
    EXPECT_TRUE(kernels.count(c.kernel)) << "case " << c.kernel << " has no kernels/" << c.kernel << ".cl";
    EXPECT_TRUE(with_case.insert(c.kernel).second) << "two cases for " << c.kernel;
  }
  for (const std::string& k : kernels) EXPECT_TRUE(with_case.count(k)) << "kernels/" << k << ".cl has no case";
  EXPECT_GE(kernels.size(), 30u);
}

}  // namespace
}  // namespace asmk::corpus
