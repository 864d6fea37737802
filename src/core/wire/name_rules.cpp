// Rules for source (DBName) and metric names. They become SQL identifiers, partition names
// and sink keys downstream, so the allowed alphabet is small and every refusal says which
// byte broke which rule.
#include "core/wire/envelope_scan.hpp"
#include "core/wire/message_text.hpp"

namespace pgwatch_rpc::wire {

namespace {

bool IsAlnumOrUnderscore(unsigned char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsSourceChar(unsigned char c) {
	switch (c) {
	case '.':
	case ':':
	case '@':
	case '/':
	case '+':
	case '-':
		return true;
	default:
		return IsAlnumOrUnderscore(c);
	}
}

ScanResult Refuse(std::string message) {
	ScanResult result;
	result.status = ScanStatus::kInvalid;
	result.message = std::move(message);
	return result;
}

template <typename CharOk>
ScanResult ValidateName(std::string_view field, std::string_view name, size_t max_bytes, const char *alphabet,
                        const char *empty_hint, CharOk char_ok) {
	if (name.empty())
		return Refuse(std::string(field) + " must not be empty" + empty_hint);
	if (name.size() > max_bytes)
		return Refuse(std::string(field) + " " + Quoted(name) + " is " + std::to_string(name.size()) +
		              " bytes long; the limit is " + std::to_string(max_bytes) + " bytes");
	for (size_t i = 0; i < name.size(); i++) {
		if (!char_ok(static_cast<unsigned char>(name[i])))
			return Refuse(std::string(field) + " " + Quoted(name) + " contains a character outside " +
			              alphabet + " at byte " + std::to_string(i) + " (" + Quoted(name.substr(i, 1)) +
			              "); rename it in pgwatch's configuration");
	}
	return ScanResult{};
}

} // namespace

ScanResult ValidateSourceName(std::string_view name, size_t max_bytes) {
	return ValidateName("DBName", name, max_bytes, "[A-Za-z0-9_.:@/+-]",
	                    ": every pgwatch source needs a name", IsSourceChar);
}

ScanResult ValidateMetricName(std::string_view name, size_t max_bytes) {
	return ValidateName("MetricName", name, max_bytes, "[A-Za-z0-9_]", "", IsAlnumOrUnderscore);
}

} // namespace pgwatch_rpc::wire
