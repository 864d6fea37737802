// The fence between PostgreSQL frames and C++ code (STYLE.md §6.2). Every call from src/pg/
// into src/core/ goes through InvokeCpp: it runs the callable inside try/catch, copies the
// message out, leaves every C++ frame (so destructors have run), and only then raises the
// PostgreSQL error. Nothing here may be called with PostgreSQL's error stack mid-unwind.
#pragma once
#include "pg/pg_prelude.h"

#include <cstdio>
#include <exception>
#include <utility>

namespace pgwatch_rpc::pg {

// Raised after the C++ frames are gone. errcode: what the SQL caller should see.
[[noreturn]] void RaiseCppFailure(const char *what_failed, const char *message, int sqlstate);

// InvokeCpp calls fn() and returns its result. A C++ exception becomes
// ereport(ERROR, errcode(sqlstate), errmsg("<what_failed>: <exception message>")).
// fn must not call PostgreSQL functions that can ereport (it runs inside C++ frames).
template <typename Fn>
auto InvokeCpp(const char *what_failed, int sqlstate, Fn &&fn) -> decltype(fn()) {
	char message[1024];
	message[0] = '\0';
	bool failed = false;
	if constexpr (std::is_void_v<decltype(fn())>) {
		try {
			std::forward<Fn>(fn)();
			return;
		} catch (const std::exception &e) {
			snprintf(message, sizeof message, "%s", e.what());
			failed = true;
		} catch (...) {
			snprintf(message, sizeof message, "unknown C++ exception");
			failed = true;
		}
		if (failed)
			RaiseCppFailure(what_failed, message, sqlstate);
	} else {
		try {
			return std::forward<Fn>(fn)();
		} catch (const std::exception &e) {
			snprintf(message, sizeof message, "%s", e.what());
			failed = true;
		} catch (...) {
			snprintf(message, sizeof message, "unknown C++ exception");
			failed = true;
		}
		RaiseCppFailure(what_failed, message, sqlstate);
	}
}

} // namespace pgwatch_rpc::pg
