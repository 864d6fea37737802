// Line splitting, quoting and unquoting for the settings file.
#include "core/config/settings_file.hpp"

#include <cctype>

namespace pgwatch_rpc::config {

namespace {

bool IsSpace(char c) {
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

bool IsKeyChar(char c) {
	return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
}

std::string_view TrimRight(std::string_view text) {
	while (!text.empty() && IsSpace(text.back()))
		text.remove_suffix(1);
	return text;
}

// Unquote reads a quoted value starting after the opening quote; *rest gets what follows
// the closing quote. False when the quote is never closed.
bool Unquote(std::string_view text, std::string *value, std::string_view *rest) {
	value->clear();
	for (size_t i = 0; i < text.size(); i++) {
		char c = text[i];
		if (c == '\'') {
			if (i + 1 < text.size() && text[i + 1] == '\'') {
				*value += '\'';
				i++;
				continue;
			}
			*rest = text.substr(i + 1);
			return true;
		}
		if (c == '\\' && i + 1 < text.size()) {
			char next = text[++i];
			switch (next) {
			case 'n':
				*value += '\n';
				break;
			case 'r':
				*value += '\r';
				break;
			case 't':
				*value += '\t';
				break;
			default:
				*value += next;
			}
			continue;
		}
		*value += c;
	}
	return false;
}

bool Fail(int line, const std::string &message, std::string *error) {
	*error = "line " + std::to_string(line) + ": " + message;
	return false;
}

} // namespace

bool SplitSettingsFile(std::string_view text, std::vector<SettingLine> *lines, std::string *error) {
	int line_number = 0;
	size_t pos = 0;
	while (pos <= text.size()) {
		size_t end = text.find('\n', pos);
		if (end == std::string_view::npos)
			end = text.size();
		std::string_view line = text.substr(pos, end - pos);
		pos = end + 1;
		line_number++;

		size_t i = 0;
		while (i < line.size() && IsSpace(line[i]))
			i++;
		if (i == line.size() || line[i] == '#')
			continue;

		size_t key_start = i;
		while (i < line.size() && IsKeyChar(line[i]))
			i++;
		if (i == key_start)
			return Fail(line_number, "expected a setting name at the start of the line", error);
		SettingLine entry;
		entry.line = line_number;
		for (size_t k = key_start; k < i; k++)
			entry.key += static_cast<char>(std::tolower(static_cast<unsigned char>(line[k])));

		while (i < line.size() && IsSpace(line[i]))
			i++;
		if (i < line.size() && line[i] == '=')
			i++;
		while (i < line.size() && IsSpace(line[i]))
			i++;
		if (i == line.size() || line[i] == '#')
			return Fail(line_number, "missing value for \"" + entry.key + "\" (write '' for an empty value)",
			            error);

		std::string_view rest = line.substr(i);
		if (rest.front() == '\'') {
			std::string_view after;
			if (!Unquote(rest.substr(1), &entry.value, &after))
				return Fail(line_number, "unterminated quoted value for \"" + entry.key + "\"", error);
			size_t j = 0;
			while (j < after.size() && IsSpace(after[j]))
				j++;
			if (j < after.size() && after[j] != '#')
				return Fail(line_number, "unexpected text after the quoted value of \"" + entry.key + "\"",
				            error);
		} else {
			size_t hash = rest.find('#');
			entry.value = std::string(TrimRight(rest.substr(0, hash)));
		}
		lines->push_back(std::move(entry));
	}
	return true;
}

std::string QuoteSettingValue(std::string_view value) {
	std::string out = "'";
	for (char c : value) {
		switch (c) {
		case '\'':
			out += "''";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			out += c;
		}
	}
	out += '\'';
	return out;
}

} // namespace pgwatch_rpc::config
