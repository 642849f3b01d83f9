//! CSV output that streams: rows are encoded into ~64 KiB chunks and sent down a
//! small channel as the response body, so memory stays constant whatever the size.
//! Text cells that a spreadsheet would run as a formula are neutralised.

use std::borrow::Cow;

use axum::body::{Body, Bytes};
use tokio::sync::mpsc;

/// A text cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a
/// leading tab/CR) gets a leading apostrophe, as OWASP advises. Numbers are
/// written by the caller as numbers and never pass through here.
pub fn safe_text(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

const CHUNK: usize = 64 * 1024;

fn new_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new().from_writer(Vec::with_capacity(CHUNK + 1024))
}

/// The producing side of a streamed CSV body.
pub struct CsvStream {
    writer: csv::Writer<Vec<u8>>,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
}

impl CsvStream {
    /// A body and the stream that fills it; the producer runs in its own task.
    pub fn channel() -> (CsvStream, Body) {
        let (tx, mut rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(4);
        let body = Body::from_stream(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)));
        (
            CsvStream {
                writer: new_writer(),
                tx,
            },
            body,
        )
    }

    /// Writes one record; sends a chunk when enough has gathered. Errs when the
    /// client has gone away, so the producer can stop reading.
    pub async fn record<I, T>(&mut self, cells: I) -> anyhow::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(cells)?;
        if self.writer.get_ref().len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        let full = std::mem::replace(&mut self.writer, new_writer());
        let buf = full
            .into_inner()
            .map_err(|e| anyhow::anyhow!("csv flush: {}", e.error()))?;
        if !buf.is_empty() {
            self.tx
                .send(Ok(Bytes::from(buf)))
                .await
                .map_err(|_| anyhow::anyhow!("client went away"))?;
        }
        Ok(())
    }

    /// Sends what is left. Dropping without `finish` after an error aborts the body.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        self.flush().await
    }

    /// Ends the body with an error, so the client sees a broken transfer rather
    /// than a CSV that silently lacks rows.
    pub async fn abort(self, why: &str) {
        let _ = self
            .tx
            .send(Err(std::io::Error::other(why.to_string())))
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_kept() {
        assert_eq!(safe_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(safe_text("+1"), "'+1");
        assert_eq!(safe_text("-2+3"), "'-2+3");
        assert_eq!(safe_text("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(safe_text("Ana"), "Ana");
        assert_eq!(safe_text(""), "");
    }

    #[tokio::test]
    async fn a_streamed_body_carries_every_record_quoted() {
        let (mut out, body) = CsvStream::channel();
        let producer = tokio::spawn(async move {
            out.record(["name", "note"]).await.unwrap();
            for i in 0..5000 {
                out.record([format!("Person {i}"), "says \"hi\", twice".to_string()])
                    .await
                    .unwrap();
            }
            out.finish().await.unwrap();
        });
        let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        producer.await.unwrap();
        let mut reader = csv::Reader::from_reader(&bytes[..]);
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 5000);
        assert_eq!(&rows[4999][1], "says \"hi\", twice");
    }
}
