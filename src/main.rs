//! The `rollcall` binary: parse the command line, start logging, run.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
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
