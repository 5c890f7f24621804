//! The example OAuth provider site. The Rocket adapter it is built on does
//! not exist yet; until then this binary only reports that.

fn main() {
    eprintln!(
        "example-app: the Rocket adapter is not built yet; see README.md for what works today"
    );
    std::process::exit(1);
}
