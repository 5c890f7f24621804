//! A site on tables of its own (see `site.rs`):
//! `cargo run -p example-app --example own_tables`, then open
//! http://127.0.0.1:8000. `ROCKET_DATABASE_URL` picks the database
//! (default `sqlite://own_tables.db`).

mod site;

#[rocket::launch]
fn rocket() -> _ {
    let figment = rocket::Config::figment().merge(("oauth2.insecure_transport", true));
    let migrations = crate::site_migrations!(
        "examples/own_tables/migrations/sqlite",
        "examples/own_tables/migrations/postgres",
        "examples/own_tables/migrations/mysql"
    );
    site::rocket_from(figment, migrations)
}
