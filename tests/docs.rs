//! The README's table of string operations is derived from the one list of operations
//! (`spindle functions --markdown` prints it): it must be current.

#[test]
fn the_readme_table_of_operations_is_the_catalogues() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let start = readme
        .find("| family | operations |")
        .expect("the README has the table of operations");
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |i| start + i + 1);
    assert_eq!(
        &readme[start..end],
        spindle::expr::catalogue::markdown_table(),
        "README.md's table is stale: paste the output of `cargo run -- functions --markdown`"
    );
}
