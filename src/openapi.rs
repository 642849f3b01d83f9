//! The OpenAPI document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`, with Swagger UI (assets vendored in the binary) at `/docs`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{audit, auth, error, organizations, reports, users};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rollcall API",
        description = "Attendance backend for the Rollcall app. `/api` is an alias of `/api/v1`. \
            Errors are `{\"error\": {\"code\", \"message\", \"details\"}}`."
    ),
    paths(
        crate::app::health,
        auth::register, auth::login, auth::me,
        organizations::get_organization, organizations::update_organization,
        users::list_users, users::create_user, users::get_user, users::update_user,
        users::delete_user, users::bulk_import,
        audit::list_audit_logs,
        reports::daily_report, reports::weekly_report, reports::monthly_report, reports::custom_report,
        reports::analytics::analytics, reports::export::export_csv, reports::export::export_pdf,
        reports::export::export_xlsx,
    ),
    components(schemas(
        error::ErrorBody, error::ErrorDetail, error::FieldError,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-up, sign-in and sessions"),
        (name = "organization", description = "The caller's organization and its settings"),
        (name = "users", description = "People in the organization"),
        (name = "audit", description = "Audit trail"),
        (name = "reports", description = "Reports, analytics and exports (admins)"),
        (name = "system", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// The document as JSON text, built once at start-up.
pub fn json() -> String {
    ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into())
}
