//! `cargo run --release -p example-app`: serves http://127.0.0.1:8000.

#[rocket::launch]
fn rocket() -> _ {
    let rocket = example_app::rocket();
    let level = rocket::Config::try_from(rocket.figment())
        .map_or(rocket::config::LogLevel::Normal, |config| config.log_level);
    example_app::logging::init(level);
    rocket
}
