//! The app's log: the framework's and the site's `tracing` events and
//! Rocket's `log` records, one line each on standard output, with
//! credentials hidden in Rocket's request lines
//! (`oauth_core::rocket::RedactingLogger`).
//!
//! Installed before the Rocket is built (`rocket::custom` installs Rocket's own
//! logger when none is set); the level is Rocket's `log_level` (`ROCKET_LOG_LEVEL`).

use rocket::config::LogLevel;
use tracing_log::AsLog as _;
use tracing_subscriber::fmt::MakeWriter;

use oauth_core::rocket::RedactingLogger;

/// The `tracing` level of a Rocket `log_level`.
pub fn level_of(level: LogLevel) -> tracing::level_filters::LevelFilter {
    use tracing::level_filters::LevelFilter;
    match level {
        LogLevel::Critical => LevelFilter::WARN,
        LogLevel::Normal => LevelFilter::INFO,
        LogLevel::Debug => LevelFilter::TRACE,
        LogLevel::Off => LevelFilter::OFF,
    }
}

/// Logs to standard output at `level`. Does nothing if a logger is set.
pub fn init(level: LogLevel) {
    init_with(std::io::stdout, level_of(level));
}

/// Logs to `writer` at `level` (the tests capture the log this way).
/// Does nothing if a `tracing` subscriber or a `log` logger is set.
pub fn init_with<W>(writer: W, level: tracing::level_filters::LevelFilter)
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let subscriber = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_max_level(level)
        .with_target(true)
        .finish();
    if tracing::subscriber::set_global_default(subscriber).is_err() {
        return;
    }
    let bridge = RedactingLogger::new(tracing_log::LogTracer::new());
    if log::set_boxed_logger(Box::new(bridge)).is_ok() {
        log::set_max_level(level.as_log());
    }
}
