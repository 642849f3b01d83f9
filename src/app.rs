//! The application: shared state, the router with its middleware, and `serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::error::AppError;
use crate::notify::{Mailer, SmsSender};
use crate::observability::{self, Metrics};
use crate::ratelimit::{MemoryLimiter, RateLimiter, RedisLimiter};
use crate::realtime::{Realtime, RealtimeLayer};
use crate::store::{self, Db};
use crate::time::SharedClock;

/// What every handler, socket handler and job can reach. Cloned by every extractor of
/// every request, so it is one reference-counted pointer (`Deref` to its parts).
#[derive(Clone)]
pub struct AppState(Arc<Parts>);

impl std::ops::Deref for AppState {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

pub struct Parts {
    pub db: Db,
    pub config: Arc<Config>,
    pub clock: SharedClock,
    pub keys: Arc<TokenKeys>,
    pub metrics: Arc<Metrics>,
    pub limiter: Arc<dyn RateLimiter>,
    /// Outgoing email; `None` when `SMTP_URL` is unset.
    pub mailer: Option<Arc<Mailer>>,
    /// Outgoing SMS; `None` when `SMS_WEBHOOK_URL` is unset.
    pub sms: Option<Arc<SmsSender>>,
    /// Sessions confirmed within the last second.
    pub sessions: Arc<crate::auth::cache::SessionCache>,
    /// Socket.IO: the emitter every part of the server sends events through.
    pub realtime: Realtime,
    /// Organizations' attendance rules, cached for a second.
    pub rules: Arc<crate::attendance::RulesCache>,
    /// Check-ins and check-outs, written in batches (group commit).
    pub punches: crate::attendance::PunchWriter,
}

/// A built application, ready to serve.
pub struct App {
    pub state: AppState,
    router: Router,
}

impl App {
    /// Connects to the database, applies migrations and assembles the router.
    pub async fn build(config: Config, clock: SharedClock) -> anyhow::Result<App> {
        config.validate()?;
        let db = Db::connect(&config.database_url).await?;
        store::migrate(&db).await?;
        let mailer =
            Mailer::from_config(config.smtp_url.as_deref(), &config.mail_from)?.map(Arc::new);
        let sms = SmsSender::from_config(config.sms_webhook_url.as_deref())?.map(Arc::new);
        let (realtime, socket_layer) = Realtime::build(config.redis_url.as_deref()).await?;
        // One node counts in memory; several share their counters through Redis.
        let limiter: Arc<dyn RateLimiter> = match config.redis_url.as_deref() {
            Some(url) => Arc::new(RedisLimiter::connect(url).await?),
            None => Arc::new(MemoryLimiter::default()),
        };
        let state = AppState(Arc::new(Parts {
            realtime: realtime.clone(),
            sessions: Arc::default(),
            punches: crate::attendance::PunchWriter::start(db.clone()),
            db,
            limiter,
            mailer,
            sms,
            keys: Arc::new(TokenKeys::new(&config)),
            config: Arc::new(config),
            clock,
            metrics: Arc::new(Metrics::default()),
            rules: Arc::default(),
        }));
        realtime.register(state.clone()).await?;
        let router = router(state.clone(), socket_layer);
        Ok(App { state, router })
    }

    /// Serves until `shutdown` resolves, then finishes the requests in flight.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        let jobs_stop = crate::shutdown::Shutdown::new();
        let jobs = (!self.state.config.job_interval.is_zero()).then(|| {
            crate::jobs::spawn(
                self.state.clone(),
                self.state.config.job_interval,
                jobs_stop.signal(),
            )
        });
        let stop = jobs_stop.clone();
        let shutdown = async move {
            shutdown.await;
            stop.trigger();
        };
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        jobs_stop.trigger();
        if let Some(jobs) = jobs {
            let _ = jobs.await;
        }
        self.state.db.close().await;
        Ok(())
    }
}

/// The API routes, mounted under `/api/v1` and under `/api` (the newest version).
fn api(state: &AppState) -> Router<AppState> {
    Router::new()
        .merge(crate::auth::router())
        .merge(crate::organizations::router())
        .merge(crate::users::router(state.config.max_file_size))
        .merge(crate::audit::router())
        .merge(crate::reports::router())
        .merge(crate::attendance::router())
        .merge(crate::corrections::router())
        .merge(crate::sites::router())
        .merge(crate::holidays::router())
        .route("/openapi.json", get(openapi_json))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
}

fn router(state: AppState, sockets: RealtimeLayer) -> Router {
    let api = api(&state);
    let docs = utoipa_swagger_ui::SwaggerUi::new("/docs")
        .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json"));
    let http = Router::new()
        .nest("/api/v1", api.clone())
        .nest("/api", api)
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .merge(docs)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.max_json_size))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            observability::observe,
        ))
        .with_state(state.clone());
    // Socket.IO answers `/socket.io` before the HTTP middleware (its long-polls and
    // websockets are not requests to time out), inside CORS for the web app.
    sockets
        .wrap(http)
        .layer(cors(&state.config))
        .layer(CatchPanicLayer::custom(panic_response))
}

fn cors(config: &Config) -> CorsLayer {
    let origins = if config.cors_origins.is_empty() {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .cors_origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            HeaderName::from_static("idempotency-key"),
            observability::REQUEST_ID,
        ])
        .expose_headers([
            observability::REQUEST_ID,
            header::RETRY_AFTER,
            header::CONTENT_DISPOSITION,
        ])
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    AppError::Internal(anyhow::anyhow!("handler panicked")).into_response()
}

async fn not_found() -> AppError {
    AppError::NotFound("route")
}

async fn method_not_allowed() -> Response {
    let body = crate::error::ErrorBody {
        error: crate::error::ErrorDetail {
            code: "method_not_allowed".into(),
            message: "this method is not allowed on this path".into(),
            details: vec![],
        },
    };
    (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
}

/// The OpenAPI document, built on first request: building it at start-up touched
/// megabytes of schema code for a document most servers never serve.
async fn openapi_json() -> Response {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let doc = DOC.get_or_init(crate::openapi::json);
    ([(header::CONTENT_TYPE, "application/json")], doc.as_str()).into_response()
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
}

/// Readiness: 200 once the database answers.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = crate::error::ErrorBody)))]
pub async fn health(State(state): State<AppState>) -> Result<axum::Json<Health>, AppError> {
    if state.db.ping().await {
        Ok(axum::Json(Health { status: "ok" }))
    } else {
        Err(AppError::Unavailable(
            "database_unavailable",
            "the database does not answer".into(),
        ))
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render() + &state.punches.render_metrics(),
    )
        .into_response()
}
