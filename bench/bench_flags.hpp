// Command-line flags for the bench programs: each program lists its flags once, with what
// to do with the value; anything unknown or a missing value prints the usage and exits 2.
#pragma once

#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <iostream>
#include <string>

namespace pgwatch_rpc::bench {

struct Flag {
	const char *name;
	std::function<void(const std::string &value)> apply;
	bool takes_value = true;
};

[[noreturn]] inline void ExitWithUsage(const char *usage) {
	std::cerr << usage;
	std::exit(2);
}

inline void ParseFlags(int argc, char **argv, std::initializer_list<Flag> flags, const char *usage) {
	for (int i = 1; i < argc; i++) {
		const Flag *match = nullptr;
		for (const Flag &flag : flags)
			if (std::strcmp(argv[i], flag.name) == 0)
				match = &flag;
		if (match == nullptr || (match->takes_value && i + 1 >= argc))
			ExitWithUsage(usage);
		match->apply(match->takes_value ? std::string(argv[++i]) : std::string());
	}
}

} // namespace pgwatch_rpc::bench
