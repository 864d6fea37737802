// The _index of each document (SINKS.md §2.5): the `index` template expanded with the row's
// metric, source and UTC time, or the data stream metrics-pgwatch.<metric>-<namespace>. Names
// coming from pgwatch are made legal index names: lower case, anything but a-z, 0-9, ".", "_"
// and "-" becomes "_" (and "-" too inside a data stream's dataset, where it separates the
// parts), no leading "-", "_", "+" or ".", at most 255 bytes.
#pragma once
#include "core/core_only.hpp"
#include "sinks/elastic/elastic_kind.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace pgwatch_rpc::sinks {

class IndexNamer {
public:
	explicit IndexNamer(const ElasticSettings &settings);

	// Name: the index for a row. The reference stays valid until the next call. Rows of one
	// envelope share metric, source and (mostly) time, so the last name is kept and reused.
	const std::string &Name(std::string_view metric, std::string_view dbname, int64_t time_ns);

private:
	IndexTemplate template_;
	bool dataset_ = false;  // data stream mode: "-" in names is replaced too
	int64_t bucket_ns_ = 0; // time resolution the template uses (0: none)
	std::string metric_;
	std::string dbname_;
	int64_t bucket_ = -1;
	std::string name_;
};

} // namespace pgwatch_rpc::sinks
