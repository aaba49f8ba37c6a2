//! The test harness's own PostgreSQL, for running the suite on PostgreSQL
//! (`KIRIMIN_TEST_DATABASE=postgres`): one throwaway cluster per test
//! process (`initdb` into a temporary directory, `postgres` on a free
//! loopback port, socket in that directory), one fresh database per test
//! server. Never the machine's own PostgreSQL.
//!
//! A watchdog shell started with the cluster stops it and removes its
//! directory once the test process has exited (the test harness has no
//! teardown hook). As root, `initdb` and `postgres` run as the `postgres`
//! user (initdb refuses root).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// The environment variable that selects the backend of every test server.
pub const BACKEND_ENV: &str = "KIRIMIN_TEST_DATABASE";

/// True when test servers are to use PostgreSQL.
pub fn enabled() -> bool {
    std::env::var(BACKEND_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("postgres"))
}

/// A running throwaway cluster.
struct Cluster {
    port: u16,
    bin: PathBuf,
    /// `runuser -u postgres --` when running as root, else empty.
    as_user: Vec<String>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static NEXT_DB: AtomicU64 = AtomicU64::new(0);

fn cluster() -> &'static Cluster {
    CLUSTER
        .get_or_init(Cluster::start)
        .as_ref()
        .unwrap_or_else(|e| panic!("the test PostgreSQL did not start: {e}"))
}

/// Runs `sql` as the cluster's superuser (tests that make a database
/// unreachable on purpose); psql's output, or its error.
pub fn admin_sql(sql: &str) -> Result<String, String> {
    cluster().psql(sql)
}

/// The database name at the end of a harness URL.
pub fn database_name(url: &str) -> Option<&str> {
    url.rsplit_once('/').map(|(_, name)| name)
}

/// A URL of a fresh, empty database on the harness's cluster (started on
/// first use).
pub fn fresh_database_url() -> String {
    let cluster = cluster();
    let name = format!(
        "kt_{}_{}",
        std::process::id(),
        NEXT_DB.fetch_add(1, Ordering::Relaxed)
    );
    cluster
        .psql(&format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    format!("postgres://postgres@127.0.0.1:{}/{name}", cluster.port)
}

/// The directory of PostgreSQL's server binaries (Debian keeps them per version).
fn find_bin() -> Result<PathBuf, String> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("no /usr/lib/postgresql ({e}); install Debian's `postgresql`"))?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| "no initdb under /usr/lib/postgresql/*/bin".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

impl Cluster {
    fn start() -> Result<Self, String> {
        let bin = find_bin()?;
        let as_user: Vec<String> = if is_root() {
            ["runuser", "-u", "postgres", "--"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        let dir = std::env::temp_dir().join(format!("kirimin-test-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        if !as_user.is_empty() {
            run(Command::new("chown").arg("postgres:").arg(&dir))?;
        }
        let data = dir.join("data");
        let mut me = Self {
            port: 0,
            bin,
            as_user,
        };
        run(me
            .command("initdb")
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--no-locale",
                "-E",
                "UTF8",
            ])
            .arg("-D")
            .arg(&data))?;
        me.port = free_port()?;
        me.spawn_with_watchdog(&dir, &data)?;
        me.wait_ready()?;
        Ok(me)
    }

    /// A command running PostgreSQL binary `name` as the cluster's user.
    fn command(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        match self.as_user.split_first() {
            Some((first, rest)) => {
                let mut cmd = Command::new(first);
                cmd.args(rest).arg(program);
                cmd
            }
            None => Command::new(program),
        }
    }

    /// [`Cluster::command`] as one shell line.
    fn command_line(&self, name: &str) -> String {
        let mut words = self.as_user.clone();
        words.push(format!("'{}'", self.bin.join(name).display()));
        words.join(" ")
    }

    /// Starts `postgres` and a watchdog that stops it (and removes `dir`)
    /// once this process is gone.
    fn spawn_with_watchdog(&self, dir: &Path, data: &Path) -> Result<(), String> {
        let postgres = self.command_line("postgres");
        let pg_ctl = self.command_line("pg_ctl");
        let script = format!(
            "{postgres} -D '{data}' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000 \
             >'{dir}/log' 2>&1 &\n\
             while kill -0 {parent} 2>/dev/null; do sleep 1; done\n\
             {pg_ctl} -D '{data}' stop -m immediate >/dev/null 2>&1\n\
             rm -rf '{dir}'\n",
            data = data.display(),
            dir = dir.display(),
            port = self.port,
            parent = std::process::id(),
        );
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|_| ())
            .map_err(|e| format!("cannot start postgres: {e}"))
    }

    fn wait_ready(&self) -> Result<(), String> {
        let mut last = String::new();
        for _ in 0..300 {
            match self.psql("SELECT 1") {
                Ok(_) => return Ok(()),
                Err(e) => last = e,
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(format!(
            "postgres on port {} never answered: {last}",
            self.port
        ))
    }

    fn psql(&self, sql: &str) -> Result<String, String> {
        run(Command::new(self.bin.join("psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U"])
            .arg("postgres")
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-d", "postgres", "-c", sql]))
    }
}
