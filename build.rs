//! Link settings for the `rollcall` binary.

use std::process::Command;

/// The C library version of the machine building (and, natively, running) the server,
/// as (major, minor), from `getconf GNU_LIBC_VERSION` ("glibc 2.36").
fn glibc_version() -> Option<(u32, u32)> {
    let out = Command::new("getconf")
        .arg("GNU_LIBC_VERSION")
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let version = text.trim().strip_prefix("glibc ")?;
    let mut parts = version.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

const CODE_ORDER: &str = "link/code-order.txt";

/// True when the binary is linked by lld: Rust's own `rust-lld` is the default linker
/// for x86_64 Linux since Rust 1.90, unless the build picks its linker itself.
fn links_with_lld() -> bool {
    let x86_64_linux_gnu = std::env::var("TARGET").as_deref() == Ok("x86_64-unknown-linux-gnu");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let minor = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|out| {
            // "rustc 1.95.0 (59807616e 2026-04-14)"
            let text = String::from_utf8(out.stdout).ok()?;
            let version = text.split_whitespace().nth(1)?;
            version.split('.').nth(1)?.parse::<u32>().ok()
        });
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    let own_linker = [
        "linker-features",
        "linker-flavor",
        "link-self-contained",
        "fuse-ld",
    ]
    .iter()
    .any(|f| flags.contains(f))
        || std::env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_some();
    x86_64_linux_gnu && minor.is_some_and(|m| m >= 90) && !own_linker
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let linux_gnu = std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux")
        && std::env::var("CARGO_CFG_TARGET_ENV").as_deref() == Ok("gnu");
    let native = std::env::var("HOST") == std::env::var("TARGET");
    // Relative relocations packed as DT_RELR: the loader reads a few kilobytes at start
    // instead of 1.3 MB of relocation entries, which stayed resident (idle memory, see
    // BENCHMARKS.md). The loader must know the format: glibc 2.36 (Debian 12) or later.
    if linux_gnu && native && glibc_version().is_some_and(|v| v >= (2, 36)) {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    // Functions that run at start and while idle, placed together at the start of the
    // code (scripts/code-order.sh records them): an idle server then maps about 2 MiB
    // of code instead of 8 (BENCHMARKS.md). Symbols missing from a build are skipped.
    println!("cargo:rerun-if-changed={CODE_ORDER}");
    if std::env::var("PROFILE").as_deref() == Ok("release") && links_with_lld() {
        let order = std::path::Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default())
            .join(CODE_ORDER);
        if order.exists() {
            println!(
                "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
                order.display()
            );
            println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
        }
    }
}
