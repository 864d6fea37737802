// The conformance kit's harness registry and scratch directories (see conformance_kit.hpp).
#include "conformance_kit.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace pgwatch_rpc::conformance {
namespace {

std::vector<Harness> &Registry() {
	static std::vector<Harness> harnesses;
	return harnesses;
}

} // namespace

HarnessRegistration::HarnessRegistration(Harness harness) {
	Registry().push_back(std::move(harness));
}

const Harness *FindHarness(const std::string &kind) {
	for (const Harness &harness : Registry())
		if (harness.kind == kind)
			return &harness;
	return nullptr;
}

ScratchDir::ScratchDir(const std::string &parent) {
	std::string pattern = parent + "/pgwatch_rpc_sink_test.XXXXXX";
	if (mkdtemp(pattern.data()) == nullptr)
		throw std::runtime_error("mkdtemp in " + parent + " failed");
	path_ = pattern;
}

ScratchDir::~ScratchDir() {
	std::error_code ignored;
	std::filesystem::remove_all(path_, ignored);
}

} // namespace pgwatch_rpc::conformance
