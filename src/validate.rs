//! Field validation at the edge: each function turns raw input into the value the
//! domain stores, or a `FieldError` naming the field.

use crate::error::FieldError;

/// An email, trimmed and lowercased.
pub fn email(field: &str, raw: &str) -> Result<String, FieldError> {
    let e = raw.trim().to_ascii_lowercase();
    let bad = || FieldError::new(field, "must be a valid email address");
    if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || local.len() > 64
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
    {
        return Err(bad());
    }
    Ok(e)
}

/// A person's or organization's name: trimmed, 1 to `max` characters, no control characters.
pub fn name(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let n = raw.trim();
    if n.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if n.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if n.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(n.to_string())
}

/// Optional free text (department, notes): trimmed; empty becomes none.
pub fn optional_text(
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => name(field, s, max).map(Some),
    }
}

/// A phone number in E.164 (`+919876543210`); spaces, dashes and brackets are dropped.
pub fn phone(field: &str, raw: &str) -> Result<String, FieldError> {
    let p: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
        .collect();
    let digits = p.strip_prefix('+').unwrap_or("");
    let ok = (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if ok {
        Ok(p)
    } else {
        Err(FieldError::new(
            field,
            "must be a phone number in E.164 form, like +919876543210",
        ))
    }
}

/// Collects field errors; `finish` turns them into a 422 when there are any.
#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    /// Keeps the value, or records its error and gives `None`.
    pub fn take<T>(&mut self, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }

    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn finish(self) -> Result<(), crate::error::AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::error::AppError::Validation(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(email("e", " Ana@Example.COM ").unwrap(), "ana@example.com");
        for bad in [
            "",
            "ana",
            "ana@",
            "@x.com",
            "a b@x.com",
            "a@x",
            "a@@x.com",
            "a@x..com",
        ] {
            assert!(email("e", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn phones_are_e164() {
        assert_eq!(phone("p", "+91 98765-43210").unwrap(), "+919876543210");
        for bad in ["98765", "+0123456789", "+12ab345678", "+1234567"] {
            assert!(phone("p", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("n", "  Ana  ", 10).unwrap(), "Ana");
        assert!(name("n", "   ", 10).is_err());
        assert!(name("n", "abcdefghijk", 10).is_err());
        assert!(name("n", "a\u{0}b", 10).is_err());
    }
}
