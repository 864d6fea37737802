// The postgres sink's conformance harness: a throwaway PostgreSQL 15 cluster per test (initdb,
// pg_ctl) in a scratch directory, on tmpfs if there is one, that also holds its unix socket (no
// TCP); fsync off. PostgreSQL refuses to run as root, so as root (ctest) the server programs
// run as the `postgres` OS user through runuser. The sink writes in remote mode (conninfo) as
// role pgwatch, which owns the database and logs in with a SCRAM password (Secrets) over the
// socket; the harness reads back as the trust-authenticated superuser. An outage is the server
// stopped (pg_ctl stop -m fast) and started again on the same socket.
//
// pgwatch's schema, public."<metric>"(time, dbname, data, tag_data), stores no row id: a row
// is known by its content, the key RowKey builds from a record's row and StoredRowIds from
// each metric table, numbers compared as doubles (jsonb prints the epoch_ns 1.8e18 as an
// integer, the record holds a double).
#include "conformance_kit.hpp"

#include "core/libpq/pg_connection.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pgwatch_rpc::conformance {
namespace {

constexpr const char *kBinDir = "/usr/lib/postgresql/15/bin";
constexpr const char *kDatabase = "pgwatch_metrics";
constexpr const char *kRole = "pgwatch";
constexpr const char *kPassword = "postgres-conformance-password";
// The socket is in the cluster's own directory, so the port only names its file.
constexpr int kPort = 5432;

// Numbers: value with every number as a double, so that 1800000000000000000 (jsonb's
// rendering) and 1.8e18 (the record's double) dump alike.
nlohmann::json Numbers(const nlohmann::json &value) {
	if (value.is_number())
		return value.get<double>();
	if (!value.is_structured())
		return value;
	nlohmann::json out = value;
	for (auto &item : out)
		item = Numbers(item);
	return out;
}

// ContentKey: how a row of pgwatch's schema is known (data keeps epoch_ns, drops tag_*).
std::string ContentKey(const std::string &dbname, const std::string &metric, const nlohmann::json &data,
                       const nlohmann::json &tag_data) {
	return nlohmann::json{
	    {"dbname", dbname}, {"metric", metric}, {"data", Numbers(data)}, {"tag_data", tag_data}}
	    .dump();
}

// PgCluster: a PostgreSQL 15 cluster in a scratch directory, stopped (-m immediate) and
// removed by the destructor, whatever state a failed test left it in.
class PgCluster {
public:
	PgCluster() = default;
	~PgCluster() {
		if (!created_)
			return;
		try {
			Run("pg_ctl", {"-D", Data(), "-s", "-m", "immediate", "stop"}, false);
		} catch (const std::exception &) {
			// Nothing more to do: the directory goes anyway.
		}
	}
	PgCluster(const PgCluster &) = delete;
	PgCluster &operator=(const PgCluster &) = delete;

	// Create runs initdb and writes the settings: socket only, trust for the superuser,
	// SCRAM for everyone else, small and unsynced.
	void Create() {
		for (const char *program : {"initdb", "pg_ctl", "postgres"}) {
			std::string path = std::string(kBinDir) + "/" + program;
			if (access(path.c_str(), X_OK) != 0)
				throw std::runtime_error("the postgres conformance harness needs the PostgreSQL 15 server: " +
				                         path + " is missing; install postgresql-15 (scripts/packages.txt)");
		}
		if (geteuid() == 0) {
			const passwd *pw = getpwnam("postgres");
			if (pw == nullptr || chown(dir_.path().c_str(), pw->pw_uid, pw->pw_gid) != 0)
				throw std::runtime_error(
				    "running as root, the postgres conformance harness runs PostgreSQL as the "
				    "postgres OS user, which does not exist (install postgresql-15)");
		}
		created_ = true;
		Run("initdb", {"-D", Data(), "-U", "postgres", "--auth=trust", "--no-sync", "--no-instructions", "-E",
		               "UTF8", "--locale=C"});
		std::ofstream(Data() + "/pg_hba.conf") << "local all postgres trust\nlocal all all scram-sha-256\n";
		std::ofstream(Data() + "/postgresql.conf", std::ios::app)
		    << "listen_addresses = ''\nunix_socket_directories = '" << dir_.path() << "'\nport = " << kPort
		    << "\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 16MB\n"
		       "max_connections = 20\n";
	}

	void Start() {
		Run("pg_ctl", {"-D", Data(), "-l", dir_.path() + "/server.log", "-s", "-w", "-t", "60", "start"});
	}
	void Stop() { Run("pg_ctl", {"-D", Data(), "-s", "-w", "-m", "fast", "stop"}); }

	std::string Conninfo(const std::string &user, const std::string &dbname) const {
		return "host=" + dir_.path() + " port=" + std::to_string(kPort) + " dbname=" + dbname +
		       " user=" + user;
	}

	// Admin runs sql as the superuser in dbname; throws with the server's message.
	std::vector<std::string> Admin(const std::string &sql, const std::string &dbname = kDatabase) const {
		libpq::PgConnection conn;
		libpq::PgStatus st = conn.Open(Conninfo("postgres", dbname), "", "conformance harness");
		std::vector<std::string> rows;
		if (st.ok)
			st = conn.Exec(sql, &rows);
		if (!st.ok)
			throw std::runtime_error("postgres conformance harness: " + sql + ": " + st.message);
		return rows;
	}

private:
	std::string Data() const { return dir_.path() + "/data"; }

	// Run runs a server program (as the postgres OS user when we are root), its output
	// appended to commands.log, whose tail a failure reports.
	void Run(const char *program, std::vector<std::string> args, bool check = true) const {
		std::vector<std::string> argv;
		if (geteuid() == 0)
			argv = {"/usr/sbin/runuser", "-u", "postgres", "--"};
		argv.push_back(std::string(kBinDir) + "/" + program);
		argv.insert(argv.end(), args.begin(), args.end());
		std::vector<char *> cargv;
		for (std::string &s : argv)
			cargv.push_back(s.data());
		cargv.push_back(nullptr);
		const std::string log = dir_.path() + "/commands.log";
		pid_t pid = fork();
		if (pid < 0)
			throw std::runtime_error("fork failed");
		if (pid == 0) {
			int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
			int null = open("/dev/null", O_RDONLY);
			if (fd < 0 || null < 0 || chdir(dir_.path().c_str()) != 0)
				_exit(126);
			dup2(null, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			// The postmaster outlives this call: it must not hold ctest's pipes or our sockets.
			close_range(3, ~0U, 0);
			execv(cargv[0], cargv.data());
			_exit(127);
		}
		int status = 0;
		waitpid(pid, &status, 0);
		if (!check || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
			return;
		std::stringstream output;
		output << std::ifstream(log).rdbuf() << std::ifstream(dir_.path() + "/server.log").rdbuf();
		std::string text = output.str();
		throw std::runtime_error(std::string("postgres conformance harness: ") + program +
		                         " failed: " + text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
	}

	// tmpfs where there is one: on disk, creating initdb's thousands of files takes most of its time.
	ScratchDir dir_{std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp"};
	bool created_ = false;
};

class PostgresTarget : public Target {
public:
	PostgresTarget() {
		cluster_.Create();
		cluster_.Start();
		cluster_.Admin(std::string("CREATE ROLE ") + kRole + " LOGIN PASSWORD '" + kPassword + "'",
		               "postgres");
		cluster_.Admin(std::string("CREATE DATABASE ") + kDatabase + " OWNER " + kRole, "postgres");
	}

	// Every key the kind has, so that the kit checks each one's validation.
	nlohmann::json Config() const override {
		return {{"conninfo", cluster_.Conninfo(kRole, kDatabase)},
		        {"partition_interval", "1 day"},
		        {"retention", "14 days"},
		        {"maintenance_interval", "12 hours"},
		        {"schema_type", "postgres"},
		        {"create_schema", true}};
	}
	nlohmann::json Secrets() const override { return {{"password", kPassword}}; }
	// The kind redacts conninfo as a secret (it may carry a password): it never shows either.
	std::vector<std::string> SensitiveValues() const override {
		return {cluster_.Conninfo(kRole, kDatabase)};
	}

	// RowKey: the row as the sink stores it: data is the row's fields with its epoch_ns,
	// tag_data its merged tags (the kit's records carry epoch_ns in every row, so time_ns is
	// the row's own).
	std::string RowKey(const sink::Record &, const json::Row &row, const std::string &) const override {
		nlohmann::json data = nlohmann::json::object(), tags = nlohmann::json::object();
		for (const json::Field &f : *row.fields)
			data[std::string(f.key)] = f.kind == json::ValueKind::kString
			                               ? nlohmann::json(std::string(f.text))
			                               : nlohmann::json::parse(std::string(f.text));
		data["epoch_ns"] = row.time_ns;
		for (const json::Tag &t : *row.tags)
			tags[std::string(t.key)] = std::string(t.value);
		return ContentKey(std::string(row.dbname), std::string(row.metric), data, tags);
	}

	std::vector<std::string> StoredRowIds() override {
		std::vector<std::string> keys;
		if (cluster_.Admin("SELECT to_regnamespace('admin') IS NOT NULL") != std::vector<std::string>{"t"})
			return keys; // nothing delivered yet
		for (const std::string &metric :
		     cluster_.Admin("SELECT (parse_ident(table_name))[2] FROM admin.get_top_level_metric_tables()"))
			for (const std::string &line :
			     cluster_.Admin("SELECT dbname, data, tag_data FROM public.\"" + metric + "\"")) {
				size_t tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
				keys.push_back(ContentKey(line.substr(0, tab1), metric,
				                          nlohmann::json::parse(line.substr(tab1 + 1, tab2 - tab1 - 1)),
				                          nlohmann::json::parse(line.substr(tab2 + 1))));
			}
		return keys;
	}

	void SetReachable(bool reachable) override {
		if (reachable)
			cluster_.Start();
		else
			cluster_.Stop();
	}

	// RefuseMetric creates the metric's table before the sink does, as a DBA might, with a
	// CHECK constraint no source name passes: PostgreSQL refuses every row with 23514 naming
	// the constraint, which the sink dead-letters (a 23514 naming none is a missing partition,
	// which it retries).
	bool RefuseMetric(const std::string &metric) override {
		const std::string table = "public.\"" + metric + "\"";
		std::string sql =
		    "CREATE TABLE " + table +
		    " (time timestamptz NOT NULL DEFAULT now(), dbname text NOT NULL, data jsonb NOT NULL,"
		    " tag_data jsonb, CONSTRAINT only_known_sources CHECK (dbname = 'known'))"
		    " PARTITION BY RANGE (time);";
		sql += " COMMENT ON TABLE " + table + " IS 'pgwatch-generated-metric-lvl';";
		sql += " ALTER TABLE " + table + " OWNER TO " + kRole;
		cluster_.Admin(sql);
		return true;
	}

private:
	PgCluster cluster_;
};

const HarnessRegistration kPostgres{
    {"postgres", Redelivery::kStoredOnce, [] { return std::make_unique<PostgresTarget>(); }}};

} // namespace
} // namespace pgwatch_rpc::conformance
