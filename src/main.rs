//! Process entry (being written).
fn main() {}
