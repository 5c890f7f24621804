//! `cargo run --release -p example-app`: serves http://127.0.0.1:8000.

#[rocket::launch]
fn rocket() -> _ {
    // Before Rocket is built: building it installs Rocket's own logger
    // when none is set, and that one would print credentials in request
    // lines (see `example_app::logging`).
    let level = rocket::Config::try_from(rocket::Config::figment())
        .map_or(rocket::config::LogLevel::Normal, |config| config.log_level);
    example_app::logging::init(level);
    example_app::rocket()
}
