//! `cargo run --release -p example-app --bin resource-server`: serves
//! http://127.0.0.1:8001 (see `example_app::resource_server`).

#[rocket::launch]
fn rocket() -> _ {
    let level = rocket::Config::try_from(rocket::Config::figment())
        .map_or(rocket::config::LogLevel::Normal, |config| config.log_level);
    example_app::logging::init(level);
    example_app::resource_server::rocket()
}
