// The file sink's delivery (see file_sink.hpp): records to lines, lines to the store.
#include "sinks/file/file_sink.hpp"

#include "core/delivery/sink_context.hpp"
#include "core/sink/registry.hpp"
#include "sinks/file/file_rows.hpp"
#include "sinks/file/file_store.hpp"

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace pgwatch_rpc::sinks {
namespace {

bool Covered(const std::vector<SeqRange> &ranges, const sink::Record &record) {
	for (const SeqRange &r : ranges)
		if (r.listener_id == record.listener_id && record.seq >= r.first && record.seq <= r.last)
			return true;
	return false;
}

// RangesOf: per listener, the first and last seq of the batch's records.
std::vector<SeqRange> RangesOf(const std::vector<sink::Record> &records) {
	std::vector<SeqRange> ranges;
	for (const sink::Record &r : records) {
		SeqRange *range = nullptr;
		for (SeqRange &known : ranges)
			if (known.listener_id == r.listener_id)
				range = &known;
		if (range == nullptr)
			ranges.push_back({r.listener_id, r.seq, r.seq});
		else
			*range = {r.listener_id, std::min(range->first, r.seq), std::max(range->last, r.seq)};
	}
	return ranges;
}

class FileSink : public sink::Sink {
public:
	FileSink(const std::string &sink_name, FileSettings settings, std::function<int64_t()> now_s)
	    : rows_(settings.format), store_(sink_name, settings, rows_.Header()), now_s_(std::move(now_s)) {}

	sink::Outcome Deliver(const sink::Batch &batch) override {
		try {
			int64_t now_s = now_s_();
			if (!store_.IsOpen())
				store_.Open(now_s);
			// After a restart the first batch may repeat records the last recorded batch
			// already wrote: they are skipped (still decoded, so a bad one is rejected again).
			const std::vector<SeqRange> &written = store_.LastBatch();
			sink::Outcome outcome = sink::Outcome::Delivered();
			data_.clear();
			for (size_t i = 0; i < batch.records.size(); i++) {
				size_t mark = data_.size();
				wire::ScanResult result = rows_.AppendRecord(batch.records[i], &data_);
				if (!result.ok())
					outcome.rejected.push_back({i, result.message});
				if (!result.ok() || Covered(written, batch.records[i]))
					data_.resize(mark);
			}
			if (!data_.empty())
				store_.Append(data_, RangesOf(batch.records), now_s);
			return outcome;
		} catch (const std::exception &e) {
			store_.Close();
			return sink::Outcome::Retry(std::string("file sink: ") + e.what());
		}
	}

private:
	RowWriter rows_;
	FileStore store_;
	std::function<int64_t()> now_s_;
	std::string data_; // the batch's lines; kept to reuse its memory
};

int64_t WallSeconds() {
	return std::chrono::duration_cast<std::chrono::seconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

} // namespace

std::unique_ptr<sink::Sink> MakeFileSink(const std::string &sink_name, FileSettings settings,
                                         std::function<int64_t()> now_s) {
	return std::make_unique<FileSink>(sink_name, std::move(settings), std::move(now_s));
}

std::unique_ptr<sink::Sink> CreateFileSink(const delivery::SinkContext &context) {
	FileSettings settings;
	std::vector<sink::ConfigProblem> problems;
	ParseFileSettings(context.config, context.secrets, &settings, &problems);
	if (!problems.empty())
		throw std::invalid_argument(sink::FormatProblems(problems));
	if (context.sink_name.empty() || context.sink_name[0] == '.' ||
	    context.sink_name.find('/') != std::string::npos)
		throw std::invalid_argument("name: \"" + context.sink_name + "\" cannot name the file sink's files");
	return MakeFileSink(context.sink_name, std::move(settings), WallSeconds);
}

} // namespace pgwatch_rpc::sinks
