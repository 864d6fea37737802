// Sink factories by kind (see sink_factory.hpp). Adding a kind: one line here and one in
// core/sink/registry.cpp.
#include "core/delivery/sink_factory.hpp"

#include "sinks/postgres/postgres_sink.hpp"

#include <stdexcept>
#include <string>

namespace pgwatch_rpc::delivery {
namespace {

using Factory = std::unique_ptr<sink::Sink> (*)(const SinkContext &);

struct KindFactory {
	std::string_view kind;
	Factory create;
};

constexpr KindFactory kFactories[] = {
    {"postgres", sinks::CreatePostgresSink},
};

} // namespace

std::unique_ptr<sink::Sink> CreateSink(std::string_view kind, const SinkContext &context) {
	for (const KindFactory &f : kFactories)
		if (f.kind == kind)
			return f.create(context);
	throw std::invalid_argument("kind: no sink of kind \"" + std::string(kind) + "\" is built into this pgwatch-rpc");
}

} // namespace pgwatch_rpc::delivery
