//! Document ids in MongoDB's ObjectId format: 4 bytes of seconds since the epoch,
//! 5 random bytes chosen once per process, and a 3-byte counter, as 24 lowercase
//! hex characters. Clients and data written for the Mongo design keep working.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use rand::RngCore;

fn process_random() -> &'static [u8; 5] {
    static BYTES: OnceLock<[u8; 5]> = OnceLock::new();
    BYTES.get_or_init(|| {
        let mut b = [0u8; 5];
        rand::thread_rng().fill_bytes(&mut b);
        b
    })
}

fn counter() -> &'static AtomicU32 {
    static COUNTER: OnceLock<AtomicU32> = OnceLock::new();
    COUNTER.get_or_init(|| AtomicU32::new(rand::thread_rng().next_u32()))
}

/// A new id for a document created at `unix_secs`.
pub fn new_id_at(unix_secs: i64) -> String {
    let mut bytes = [0u8; 12];
    bytes[..4].copy_from_slice(&(unix_secs.clamp(0, u32::MAX as i64) as u32).to_be_bytes());
    bytes[4..9].copy_from_slice(process_random());
    let n = counter().fetch_add(1, Ordering::Relaxed);
    bytes[9..].copy_from_slice(&n.to_be_bytes()[1..]);
    hex::encode(bytes)
}

/// A new id stamped with the wall clock.
pub fn new_id() -> String {
    new_id_at(chrono::Utc::now().timestamp())
}

/// True when `s` has the ObjectId shape (24 lowercase hex characters).
pub fn is_valid(s: &str) -> bool {
    s.len() == 24
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_the_object_id_shape_and_timestamp() {
        let id = new_id_at(0x6543_2100);
        assert!(is_valid(&id));
        assert_eq!(&id[..8], "65432100");
    }

    #[test]
    fn ids_are_unique_and_increase_within_a_second() {
        let a = new_id_at(1_700_000_000);
        let b = new_id_at(1_700_000_000);
        assert_ne!(a, b);
    }

    #[test]
    fn rejects_other_shapes() {
        assert!(!is_valid("65432100ABCDEF0123456789"));
        assert!(!is_valid("123"));
        assert!(!is_valid("zz432100abcdef0123456789"));
    }
}
