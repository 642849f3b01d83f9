//! Link settings for the `rollcall` binary.

use std::path::Path;
use std::process::{Command, Stdio};

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

/// True when the linker of this build accepts lld's `--symbol-ordering-file`. Rust's own
/// lld is the default for x86_64 Linux in rustup's toolchains since Rust 1.90, but a
/// configured linker or another toolchain may use GNU ld, which refuses the option; so
/// an empty program is linked the same way, with the option, to find out.
fn linker_orders_symbols() -> bool {
    let Ok(out_dir) = std::env::var("OUT_DIR") else {
        return false;
    };
    let dir = Path::new(&out_dir);
    let (probe, order) = (dir.join("probe.rs"), dir.join("probe-order.txt"));
    if std::fs::write(&probe, "fn main() {}\n").is_err()
        || std::fs::write(&order, "main\n").is_err()
    {
        return false;
    }
    let mut rustc = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()));
    // The flags and linker Cargo gives this build, then the option under test.
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    rustc.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    if let Ok(linker) = std::env::var("RUSTC_LINKER") {
        rustc.arg(format!("-Clinker={linker}"));
    }
    if let Ok(target) = std::env::var("TARGET") {
        rustc.args(["--target", &target]);
    }
    rustc
        .arg(format!(
            "-Clink-arg=-Wl,--symbol-ordering-file={}",
            order.display()
        ))
        .arg("-Clink-arg=-Wl,--no-warn-symbol-ordering")
        .arg("-o")
        .arg(dir.join("probe"))
        .arg(&probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
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
    let target = std::env::var("TARGET").unwrap_or_default();
    let linker_var = format!(
        "CARGO_TARGET_{}_LINKER",
        target.to_uppercase().replace('-', "_")
    );
    println!("cargo:rerun-if-env-changed={linker_var}");
    let order =
        Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default()).join(CODE_ORDER);
    let release = std::env::var("PROFILE").as_deref() == Ok("release");
    if release && order.exists() && linker_orders_symbols() {
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}
