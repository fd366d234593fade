//! Shows what the sanitiser and the block split make of an HTML file, e.g. a saved paste:
//! `cargo run -p rongmei-html --example show paste.html`.

fn main() {
    let path = std::env::args().nth(1).unwrap();
    let html = std::fs::read_to_string(path).unwrap();
    let clean = rongmei_html::sanitize_fragment(&html);
    println!("{clean}\n");
    for b in rongmei_html::body_from_html(&html).blocks {
        println!("{b:?}");
    }
}
