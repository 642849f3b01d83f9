//! The command line: `rollcall` (or `rollcall serve`) serves; `migrate` applies the
//! schema; `create-admin` makes an organization and its admin for operators.

use std::sync::Arc;

use clap::{Parser, Subcommand};
use secrecy::SecretString;

use crate::app::App;
use crate::config::Config;
use crate::shutdown;
use crate::time::SystemClock;

#[derive(Parser)]
#[command(
    name = "rollcall",
    version,
    about = "Rollcall attendance backend (REST + Socket.IO)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the API (the default with no subcommand).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create an organization and its first admin.
    CreateAdmin {
        #[arg(long)]
        org_name: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// The admin's password; read from ROLLCALL_ADMIN_PASSWORD when omitted.
        #[arg(long, env = "ROLLCALL_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        /// IANA timezone of the organization.
        #[arg(long)]
        timezone: Option<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let db = crate::store::Db::connect(&config.database_url).await?;
            crate::store::migrate(&db).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateAdmin {
            org_name,
            name,
            email,
            password,
            timezone,
        } => {
            let app = App::build(config, Arc::new(SystemClock)).await?;
            let request = crate::auth::service::RegisterRequest {
                organization_name: org_name,
                name,
                email,
                password: SecretString::from(password).expose_secret_string(),
                phone_number: None,
                timezone,
            };
            let client = crate::extract::ClientInfo {
                ip: None,
                user_agent: Some("rollcall create-admin".into()),
            };
            match crate::auth::service::register(&app.state, &client, request).await {
                Ok(pair) => {
                    println!(
                        "created organization {} and admin {} ({})",
                        pair.user.organization_id, pair.user.id, pair.user.email
                    );
                    Ok(())
                }
                Err(e) => {
                    let body = serde_json::to_string_pretty(&e.body()).unwrap_or_default();
                    anyhow::bail!("could not create the admin:\n{body}")
                }
            }
        }
    }
}

trait ExposeString {
    fn expose_secret_string(self) -> String;
}

impl ExposeString for SecretString {
    fn expose_secret_string(self) -> String {
        use secrecy::ExposeSecret;
        self.expose_secret().to_string()
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = std::net::SocketAddr::from(([0, 0, 0, 0], config.port));
    let app = App::build(config, Arc::new(SystemClock)).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "rollcall listening");
    app.serve(listener, shutdown::os_signal()).await?;
    tracing::info!("rollcall stopped");
    Ok(())
}
