// Index names from the template (index_name.hpp).
#include "sinks/elastic/index_name.hpp"

#include <ctime>

namespace pgwatch_rpc::sinks {
namespace {

using Kind = IndexTemplatePart::Kind;

constexpr int64_t kHourNs = int64_t{3600} * 1'000'000'000;
constexpr int64_t kDayNs = 24 * kHourNs;
constexpr size_t kMaxIndexBytes = 255;

// AppendSanitized appends a name from pgwatch as index-name text.
void AppendSanitized(std::string_view text, bool dataset, std::string *out) {
	for (char c : text) {
		if (c >= 'A' && c <= 'Z')
			out->push_back(static_cast<char>(c - 'A' + 'a'));
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		         (c == '-' && !dataset))
			out->push_back(c);
		else
			out->push_back('_');
	}
}

void AppendTwoDigits(int value, std::string *out) {
	out->push_back(static_cast<char>('0' + value / 10 % 10));
	out->push_back(static_cast<char>('0' + value % 10));
}

} // namespace

IndexNamer::IndexNamer(const ElasticSettings &settings) {
	if (settings.data_stream) {
		template_ = {{Kind::kText, "metrics-pgwatch."},
		             {Kind::kMetric, ""},
		             {Kind::kText, "-" + settings.data_stream_namespace}};
		dataset_ = true;
		return;
	}
	template_ = settings.index;
	for (const IndexTemplatePart &part : template_) {
		if (part.kind == Kind::kHour)
			bucket_ns_ = kHourNs;
		else if ((part.kind == Kind::kYear || part.kind == Kind::kMonth || part.kind == Kind::kDay) &&
		         bucket_ns_ == 0)
			bucket_ns_ = kDayNs;
	}
}

const std::string &IndexNamer::Name(std::string_view metric, std::string_view dbname, int64_t time_ns) {
	int64_t bucket = bucket_ns_ == 0 ? 0 : time_ns / bucket_ns_;
	if (bucket == bucket_ && metric == metric_ && dbname == dbname_)
		return name_;
	bucket_ = bucket;
	metric_.assign(metric);
	dbname_.assign(dbname);

	std::tm utc{};
	time_t seconds = static_cast<time_t>(time_ns / 1'000'000'000);
	gmtime_r(&seconds, &utc);
	name_.clear();
	for (const IndexTemplatePart &part : template_) {
		switch (part.kind) {
		case Kind::kText:
			name_.append(part.text);
			break;
		case Kind::kMetric:
			AppendSanitized(metric, dataset_, &name_);
			break;
		case Kind::kDbname:
			AppendSanitized(dbname, dataset_, &name_);
			break;
		case Kind::kYear:
			name_.append(std::to_string(utc.tm_year + 1900));
			break;
		case Kind::kMonth:
			AppendTwoDigits(utc.tm_mon + 1, &name_);
			break;
		case Kind::kDay:
			AppendTwoDigits(utc.tm_mday, &name_);
			break;
		case Kind::kHour:
			AppendTwoDigits(utc.tm_hour, &name_);
			break;
		}
	}
	size_t leading = name_.find_first_not_of("-_+.");
	name_.erase(0, leading == std::string::npos ? name_.size() : leading);
	if (name_.size() > kMaxIndexBytes)
		name_.resize(kMaxIndexBytes);
	if (name_.empty())
		name_ = "pgwatch";
	return name_;
}

} // namespace pgwatch_rpc::sinks
