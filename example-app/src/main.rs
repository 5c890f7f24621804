//! `cargo run --release -p example-app`: serves http://127.0.0.1:8000.

#[rocket::launch]
fn rocket() -> _ {
    example_app::rocket()
}
