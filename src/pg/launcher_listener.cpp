// Starting the `pgwatch-rpc listen` child: each start gets a fresh password for its role,
// a certificate and an up-to-date settings file.
#include "pg/launcher_prelude.h"

#include "pg/launcher_catalog.hpp"
#include "pg/launcher_listener.hpp"
#include "pg/listener_files.hpp"

#include <string.h>

namespace pgwatch_rpc::pg {
namespace {

constexpr const char *kChildName = "pgwatch-rpc listen";
constexpr const char *kListenerRole = "pgwatch_rpc_listener";

void PrepareStart(void *password) {
	SetRolePassword(kListenerRole, static_cast<const char *>(password));
	EnsureSelfSignedCertificate();
	WriteListenerSettings();
}

} // namespace

void ListenerInit(ChildSupervisor *supervisor) {
	ChildInit(supervisor, kChildName, kListenerRole,
	          "The messages above say which pgwatch_rpc setting is wrong; correct it and reload the "
	          "configuration.");
}

void ListenerStart(ChildSupervisor *supervisor, int64 now) {
	char password[kChildPasswordSize];
	if (!NewChildPassword(password)) {
		ChildScheduleRetry(supervisor, now);
		return;
	}
	if (!RunGuarded("prepare the start of pgwatch-rpc listen", PrepareStart, password)) {
		explicit_bzero(password, sizeof password);
		ChildScheduleRetry(supervisor, now);
		return;
	}
	char *argv[] = {ResolvedBinaryPath(),    pstrdup("listen"),         pstrdup("--config"),
	                ListenerSettingsPath(),  pstrdup("--dsn"),          ChildConninfo(kListenerRole),
	                pstrdup("--parent-pid"), psprintf("%d", MyProcPid), nullptr};
	ChildSpawn(supervisor, argv, password, now);
	explicit_bzero(password, sizeof password);
}

} // namespace pgwatch_rpc::pg
