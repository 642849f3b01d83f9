//! SMS through the provider webhook (`SMS_WEBHOOK_URL`): Rollcall POSTs
//! `{"to": "+91...", "message": "..."}` as JSON and expects a 2xx within 10 seconds.

use serde_json::json;

pub struct SmsSender {
    client: reqwest::Client,
    url: String,
}

impl SmsSender {
    pub fn from_config(url: Option<&str>) -> anyhow::Result<Option<SmsSender>> {
        let Some(url) = url else { return Ok(None) };
        let client = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .build()?;
        Ok(Some(SmsSender {
            client,
            url: url.to_string(),
        }))
    }

    /// Sends one message; any failure (no answer, non-2xx) is an error.
    pub async fn send(&self, to: &str, message: &str) -> anyhow::Result<()> {
        let resp = self
            .client
            .post(&self.url)
            .json(&json!({"to": to, "message": message}))
            .send()
            .await?;
        if !resp.status().is_success() {
            anyhow::bail!("SMS provider answered {}", resp.status());
        }
        Ok(())
    }
}
