//! In-app notifications: the seed's `notification` event `{type, title, message,
//! userId}`, sent live to every socket one user has open, on any node. Features call
//! `notify` after the commit of whatever they tell the user about.

use crate::app::AppState;
use crate::realtime::Notification;

/// Tells `user_id`, a member of `org_id`, something. `kind` is the seed's `type`
/// (e.g. `reminder`, `correction_approved`).
pub async fn notify(
    state: &AppState,
    org_id: &str,
    user_id: &str,
    kind: &str,
    title: &str,
    message: &str,
) {
    let notification = Notification {
        kind: kind.to_string(),
        title: title.to_string(),
        message: message.to_string(),
        user_id: user_id.to_string(),
        created_at: state.clock.now(),
    };
    tracing::debug!(org_id, user_id, kind, "notification");
    state.realtime.notification(&notification).await;
}
