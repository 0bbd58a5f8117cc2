//! The embedded default: a private PostgreSQL cluster the service runs itself.
//!
//! Layout under the data folder (`OGP_DATA_DIR`, default `./.ogp-data`):
//! `pg/` holds the cluster, and the folder itself holds the Unix socket. The server listens on
//! that socket only (no TCP), so nothing else on the machine can reach it by accident.
//!
//! `initdb` refuses to run as root, so when the service runs as root the cluster is owned and
//! run by the unprivileged `postgres` user (the folder is handed to it).
//!
//! Two ways to run it:
//! - [`EmbeddedPostgres::start`] (the service and CLI verbs): `pg_ctl start`, and `pg_ctl stop`
//!   on shutdown; a cluster that is already running is reused and left running. While
//!   `serve` runs, [`crate::db::supervisor`] starts a cluster it started again if it dies.
//! - [`EmbeddedPostgres::spawn_ephemeral`] (the tests): `postgres` as a child of a helper thread
//!   that dies with the process, so a test run never leaves a server behind.

use std::ffi::CString;
use std::fmt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Superuser created by `initdb` and used by the service over the private socket.
const SUPERUSER: &str = "postgres";
/// The port only names the socket file (`.s.PGSQL.<port>`); there is no TCP listener.
const PORT: u16 = 5432;
/// Unix socket paths are limited to 107 bytes on Linux.
const MAX_SOCKET_PATH: usize = 107;

/// Why the embedded cluster could not be used.
#[derive(Debug)]
pub struct EmbeddedError(pub String);

impl fmt::Display for EmbeddedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EmbeddedError {}

fn fail<T>(message: impl Into<String>) -> Result<T, EmbeddedError> {
    Err(EmbeddedError(message.into()))
}

/// A private PostgreSQL cluster in a data folder. A clone names the same cluster (the
/// supervisor watches it through one).
#[derive(Debug, Clone)]
pub struct EmbeddedPostgres {
    /// The data folder: holds the socket and `pg/`.
    dir: PathBuf,
    /// PostgreSQL's binaries (`initdb`, `pg_ctl`, `postgres`, `pg_isready`).
    bin: PathBuf,
    /// `(uid, gid)` to run PostgreSQL as, when we are root.
    run_as: Option<(u32, u32)>,
    /// Whether this process started the server (and so stops it).
    started_here: bool,
}

impl EmbeddedPostgres {
    /// Prepares the data folder (creating it if needed) and finds PostgreSQL's binaries.
    pub fn open(dir: &Path) -> Result<Self, EmbeddedError> {
        let bin = find_binaries()?;
        std::fs::create_dir_all(dir)
            .or_else(|e| fail(format!("cannot create data folder {}: {e}", dir.display())))?;
        let dir = dir
            .canonicalize()
            .or_else(|e| fail(format!("cannot resolve {}: {e}", dir.display())))?;
        let socket = dir.join(format!(".s.PGSQL.{PORT}"));
        if socket.as_os_str().len() > MAX_SOCKET_PATH {
            return fail(format!(
                "the data folder path {} is too long for a Unix socket; set OGP_DATA_DIR to a shorter path",
                dir.display()
            ));
        }
        let run_as = if is_root() {
            Some(postgres_user()?)
        } else {
            None
        };
        let cluster = Self {
            dir,
            bin,
            run_as,
            started_here: false,
        };
        cluster.hand_folder_to_owner()?;
        Ok(cluster)
    }

    /// `pg/`: the cluster's own folder.
    fn pgdata(&self) -> PathBuf {
        self.dir.join("pg")
    }

    /// Whether `initdb` has already run here.
    pub fn is_initialized(&self) -> bool {
        self.pgdata().join("PG_VERSION").exists()
    }

    /// Connection string for `database` over the private socket.
    pub fn url(&self, database: &str) -> String {
        let host = self
            .dir
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        format!("host='{host}' port={PORT} user={SUPERUSER} dbname={database}")
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command.current_dir(&self.dir).env("LC_ALL", "C");
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        command
    }

    fn run(&self, command: &mut Command, what: &str) -> Result<(), EmbeddedError> {
        let output = command
            .stdin(Stdio::null())
            .output()
            .or_else(|e| fail(format!("{what}: cannot run: {e}")))?;
        if output.status.success() {
            Ok(())
        } else {
            fail(format!(
                "{what} failed ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// When root: give the folder to the `postgres` user, and check it can reach it.
    fn hand_folder_to_owner(&self) -> Result<(), EmbeddedError> {
        let Some((uid, gid)) = self.run_as else {
            return Ok(());
        };
        std::os::unix::fs::chown(&self.dir, Some(uid), Some(gid)).or_else(|e| {
            fail(format!(
                "cannot hand {} to user postgres: {e}",
                self.dir.display()
            ))
        })?;
        let reachable = Command::new("test")
            .arg("-w")
            .arg(&self.dir)
            .uid(uid)
            .gid(gid)
            .status()
            .is_ok_and(|s| s.success());
        if !reachable {
            return fail(format!(
                "running as root, the cluster runs as user `postgres`, which cannot reach {} \
                 (a parent folder is closed to other users); set OGP_DATA_DIR to a folder such as /var/lib/ogp-api",
                self.dir.display()
            ));
        }
        Ok(())
    }

    /// Runs `initdb` (UTF-8, trust auth over the private socket only).
    pub fn init(&self) -> Result<(), EmbeddedError> {
        let mut command = self.command("initdb");
        command.arg("-D").arg(self.pgdata()).args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "-N",
        ]);
        self.run(&mut command, "initdb")
    }

    fn server_options(&self, extra: &[&str]) -> Vec<String> {
        let mut options = vec![
            "-k".to_string(),
            self.dir.display().to_string(),
            "-p".to_string(),
            PORT.to_string(),
            "-c".to_string(),
            "listen_addresses=".to_string(),
            "-c".to_string(),
            "unix_socket_permissions=0700".to_string(),
        ];
        for setting in extra {
            options.push("-c".to_string());
            options.push((*setting).to_string());
        }
        options
    }

    /// Whether a server is running on this cluster.
    pub fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(self.pgdata())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Initializes the cluster if needed and starts it, unless it already runs. Returns whether
    /// the cluster was created now (so the caller can load the demo data once).
    pub fn start(&mut self) -> Result<bool, EmbeddedError> {
        let created = !self.is_initialized();
        if created {
            log::info!(
                "creating a PostgreSQL cluster in {}",
                self.pgdata().display()
            );
            self.init()?;
        }
        if self.is_running() {
            log::info!(
                "reusing the PostgreSQL server already running in {}",
                self.dir.display()
            );
            return Ok(created);
        }
        self.pg_ctl_start()?;
        self.started_here = true;
        Ok(created)
    }

    /// Whether this process started the server (and so stops it, and supervises it).
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// The cluster's own folder (`pg/` under the data folder).
    pub fn data_path(&self) -> PathBuf {
        self.pgdata()
    }

    /// A PostgreSQL program (`pg_ctl`, `pg_basebackup`, …) from this cluster's binaries, run as
    /// the cluster's owner in the data folder: for operations and tests that need more than
    /// start and stop.
    pub fn tool(&self, program: &str) -> Command {
        self.command(program)
    }

    /// The postmaster's pid, from the first line of `pg/postmaster.pid` (absent when the server
    /// was stopped cleanly; stale after a crash).
    pub fn postmaster_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.pgdata().join("postmaster.pid")).ok()?;
        text.lines()
            .next()?
            .trim()
            .parse()
            .ok()
            .filter(|pid| *pid > 0)
    }

    /// Whether the postmaster is alive. Cheaper than `pg_ctl status` (no process is started),
    /// so it can run every second. A zombie counts as dead: it is reaped here when it is our
    /// own child (when the service is PID 1 in a container, the postmaster that `pg_ctl`
    /// leaves behind is re-parented to it).
    pub fn postmaster_alive(&self) -> bool {
        let Some(pid) = self.postmaster_pid() else {
            return false;
        };
        // SAFETY: waitpid on one specific pid with WNOHANG never blocks, and only reaps that
        // process if it is our exited child; otherwise it fails with ECHILD, which is ignored.
        unsafe {
            let mut status = 0;
            libc::waitpid(pid, &mut status, libc::WNOHANG);
        }
        // SAFETY: signal 0 only checks that the process exists and may be signalled.
        let exists = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|stat| {
                // The state follows the command name, which is in parentheses.
                let after = &stat[stat.rfind(')')? + 1..];
                after.split_whitespace().next().map(|state| state == "Z")
            })
            .unwrap_or(false);
        exists && !zombie
    }

    /// Starts the server again after it died (PostgreSQL runs crash recovery on start). The
    /// stale `postmaster.pid` is left alone: PostgreSQL replaces it itself once the pid in it
    /// is dead, and it also uses it to refuse to start while processes of the dead server
    /// still hold its shared memory (the caller retries with backoff until they are gone).
    pub fn restart_after_crash(&mut self) -> Result<(), EmbeddedError> {
        self.pg_ctl_start()?;
        self.started_here = true;
        Ok(())
    }

    /// `pg_ctl start`, waiting until the server accepts connections.
    fn pg_ctl_start(&self) -> Result<(), EmbeddedError> {
        // pg_ctl takes the server options as one string; quote the socket folder for it.
        let options = self
            .server_options(&[])
            .iter()
            .map(|o| format!("'{}'", o.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" ");
        let mut command = self.command("pg_ctl");
        command
            .arg("start")
            .arg("-w")
            .arg("-t")
            .arg("60")
            .arg("-D")
            .arg(self.pgdata())
            .arg("-l")
            .arg(self.dir.join("postgres.log"))
            .arg("-o")
            .arg(options);
        self.run(&mut command, "pg_ctl start").map_err(|e| {
            EmbeddedError(format!(
                "{e}\n(see {} for the server's log)",
                self.dir.join("postgres.log").display()
            ))
        })
    }

    /// Stops the server if this process started it (fast shutdown: sessions end, data is safe).
    pub fn stop(&mut self) -> Result<(), EmbeddedError> {
        if !self.started_here {
            return Ok(());
        }
        let mut command = self.command("pg_ctl");
        command
            .arg("stop")
            .arg("-w")
            .args(["-m", "fast"])
            .arg("-D")
            .arg(self.pgdata());
        self.run(&mut command, "pg_ctl stop")?;
        self.started_here = false;
        Ok(())
    }

    /// For test runs: initializes the cluster and runs `postgres` as the child of a helper
    /// thread that lives as long as the process. The kernel ends the server when this process
    /// dies (`PR_SET_PDEATHSIG`), so nothing outlives the test run. Durability is off: the data
    /// is thrown away anyway.
    pub fn spawn_ephemeral(&self) -> Result<(), EmbeddedError> {
        if !self.is_initialized() {
            self.init()?;
        }
        let mut command = self.command("postgres");
        command
            .arg("-D")
            .arg(self.pgdata())
            .args(self.server_options(&[
                "fsync=off",
                "synchronous_commit=off",
                "full_page_writes=off",
                "max_connections=300",
                "shared_buffers=64MB",
            ]))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(self.dir.join("postgres.log"))
                    .or_else(|e| fail(format!("cannot create the server log: {e}")))?,
            ));
        // SAFETY: prctl is async-signal-safe; it only marks this child to get SIGQUIT (immediate
        // shutdown) when the thread that spawned it ends, i.e. when this process exits.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("ephemeral-postgres".into())
            .spawn(move || match command.spawn() {
                Ok(mut child) => {
                    let _ = sender.send(Ok(()));
                    let _ = child.wait();
                    // Keep this thread (the child's parent) alive until the process exits.
                    loop {
                        std::thread::park();
                    }
                }
                Err(e) => {
                    let _ = sender.send(Err(e));
                }
            })
            .or_else(|e| fail(format!("cannot start a thread: {e}")))?;
        receiver
            .recv()
            .or_else(|_| fail("the postgres helper thread died"))?
            .or_else(|e| fail(format!("cannot run postgres: {e}")))?;
        self.wait_until_ready(Duration::from_secs(60))
    }

    fn wait_until_ready(&self, timeout: Duration) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + timeout;
        loop {
            let ready = self
                .command("pg_isready")
                .arg("-q")
                .arg("-h")
                .arg(&self.dir)
                .arg("-p")
                .arg(PORT.to_string())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                return fail(format!(
                    "PostgreSQL did not become ready within {timeout:?}; see {}",
                    self.dir.join("postgres.log").display()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// The `postgres` user's uid and gid.
fn postgres_user() -> Result<(u32, u32), EmbeddedError> {
    let name = CString::new("postgres").expect("static name has no NUL");
    // SAFETY: getpwnam returns NULL or a pointer to static storage that we read at once.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return fail(
            "running as root, the embedded PostgreSQL must run as an unprivileged user, \
             and there is no `postgres` user; create one (`useradd --system postgres`) \
             or run as a normal user, or set DATABASE_URL",
        );
    }
    // SAFETY: non-null, points to a valid passwd entry.
    let (uid, gid) = unsafe { ((*entry).pw_uid, (*entry).pw_gid) };
    Ok((uid, gid))
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`: from `PATH` first, then the newest
/// `/usr/lib/postgresql/<version>/bin`.
pub fn find_binaries() -> Result<PathBuf, EmbeddedError> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres", "pg_isready"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has_all(&dir) {
                return Ok(dir);
            }
            // Debian links initdb/pg_ctl into PATH but not `postgres`: follow the link home.
            if let Ok(real) = dir.join("initdb").canonicalize() {
                if let Some(home) = real.parent().filter(|d| has_all(d)) {
                    return Ok(home.to_path_buf());
                }
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| has_all(bin))
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => fail(
            "no PostgreSQL server binaries found (looked for initdb, pg_ctl, postgres and pg_isready \
             in PATH and /usr/lib/postgresql/*/bin). Install them (Debian/Ubuntu: \
             `apt-get install postgresql`), or point the service at a server with DATABASE_URL.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_quotes_the_socket_folder() {
        let cluster = EmbeddedPostgres {
            dir: PathBuf::from("/tmp/it's here"),
            bin: PathBuf::new(),
            run_as: None,
            started_here: false,
        };
        assert_eq!(
            cluster.url("ogp"),
            "host='/tmp/it\\'s here' port=5432 user=postgres dbname=ogp"
        );
    }
}
