// The file sink's conformance harness: a scratch directory, read back line by line. The target
// is made unreachable the way a full disk is: RLIMIT_FSIZE at 0 makes every write fail (EFBIG,
// with SIGXFSZ ignored) until it is lifted. That limit also stops the kit's capture of the
// log meanwhile, which is harmless here: the file sink has no secrets.
#include "conformance_kit.hpp"

#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

namespace pgwatch_rpc::conformance {
namespace {

class FileTarget : public Target {
public:
	~FileTarget() override { SetReachable(true); }

	// A small rotate_size, so that the tests rotate files too.
	nlohmann::json Config() const override {
		return {{"path", dir_.path() + "/out"}, {"format", "jsonl"}, {"rotate_size", "64kB"}};
	}

	std::vector<std::string> StoredRowIds() override {
		std::vector<std::string> ids;
		if (!std::filesystem::exists(dir_.path() + "/out"))
			return ids;
		for (const auto &entry : std::filesystem::directory_iterator(dir_.path() + "/out")) {
			if (entry.path().filename().string()[0] == '.')
				continue; // the sink's state and lock
			std::ifstream in(entry.path());
			for (std::string line; std::getline(in, line);)
				ids.push_back(nlohmann::json::parse(line).at("row_id").get<std::string>());
		}
		return ids;
	}

	void SetReachable(bool reachable) override {
		if (reachable == reachable_)
			return;
		reachable_ = reachable;
		if (!reachable) {
			getrlimit(RLIMIT_FSIZE, &saved_);
			std::signal(SIGXFSZ, SIG_IGN);
		}
		rlimit limit = saved_;
		if (!reachable)
			limit.rlim_cur = 0;
		setrlimit(RLIMIT_FSIZE, &limit);
	}

private:
	ScratchDir dir_;
	bool reachable_ = true;
	rlimit saved_{};
};

const HarnessRegistration kFile{
    {"file", Redelivery::kStoredOnce, [] { return std::make_unique<FileTarget>(); }}};

} // namespace
} // namespace pgwatch_rpc::conformance
