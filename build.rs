//! Link settings for the `rollcall` binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    if linux_gnu {
        // Relative relocations packed as DT_RELR (glibc 2.36 and later, Debian 12+):
        // the loader reads a few kilobytes at start instead of 1.3 MB of relocation
        // entries, which stayed resident (idle memory, see BENCHMARKS.md).
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
