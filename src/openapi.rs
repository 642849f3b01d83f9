//! The OpenAPI document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`, with Swagger UI (assets vendored in the binary) at `/docs`.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    attendance, audit, auth, corrections, error, holidays, organizations, reports, sites, users,
};

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
        auth::register, auth::login, auth::refresh, auth::logout, auth::me,
        auth::forgot_password, auth::reset_password, auth::change_password,
        auth::otp_request, auth::otp_verify,
        organizations::get_organization, organizations::update_organization,
        users::list_users, users::create_user, users::get_user, users::update_user,
        users::delete_user, users::bulk_import,
        audit::list_audit_logs,
        reports::daily_report, reports::weekly_report, reports::monthly_report, reports::custom_report,
        reports::analytics::analytics, reports::export::export_csv, reports::documents::export_pdf,
        reports::documents::export_xlsx,
        attendance::check_in, attendance::check_out, attendance::list_attendance,
        attendance::get_attendance, attendance::today, attendance::stats,
        attendance::user_attendance,
        corrections::create_correction, corrections::list_corrections,
        corrections::get_correction, corrections::approve_correction,
        corrections::reject_correction,
        sites::list_sites, sites::get_site, sites::create_site, sites::update_site,
        sites::delete_site,
        holidays::list_holidays, holidays::get_holiday, holidays::create_holiday,
        holidays::update_holiday, holidays::delete_holiday,
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
        (name = "attendance", description = "Check-in, check-out and attendance records"),
        (name = "corrections", description = "Requests to correct forgotten or wrong punches"),
        (name = "sites", description = "Geofenced places of work"),
        (name = "holidays", description = "Days the organization is closed"),
        (name = "system", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;

/// The document as JSON text, built once at start-up.
pub fn json() -> String {
    ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into())
}
