//! The `rollcall` binary: parse the command line, start logging, run.

use clap::Parser;

/// mimalloc instead of glibc's allocator: allocation was a tenth of the server's CPU
/// under check-in load (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// No transparent huge pages for this process: mimalloc asks for them on its arenas,
/// which makes every touched 4 KiB page of a fresh arena a resident 2 MiB one (an idle
/// server went from 17 to 28 MiB). It has to happen before the first allocation, so it
/// runs as an early constructor, before the Rust runtime and mimalloc start.
extern "C" fn no_huge_pages() {
    // SAFETY: prctl with PR_SET_THP_DISABLE only sets a flag on this process.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[used]
#[link_section = ".init_array.00099"]
static NO_HUGE_PAGES: extern "C" fn() = no_huge_pages;

fn main() -> std::process::ExitCode {
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("rollcall: cannot start the async runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let _ = dotenvy::dotenv();
    rollcall::observability::init_tracing();
    let cli = rollcall::cli::Cli::parse();
    match rollcall::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rollcall: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
