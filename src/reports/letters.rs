//! Names in documents: how a person's name sorts, and how it is written with the
//! 8-bit character set of PDF's standard fonts.

use unicode_normalization::char::{compose, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Letters that have no decomposition but a plain Latin letter readers expect (for
/// sorting; in documents only when the letter itself cannot be written).
fn plain_letter(c: char) -> Option<char> {
    Some(match c {
        'Ł' => 'L',
        'ł' => 'l',
        'Đ' => 'D',
        'đ' => 'd',
        'Ħ' => 'H',
        'ħ' => 'h',
        'ı' => 'i',
        'Ð' => 'D',
        'ð' => 'd',
        'Ø' => 'O',
        'ø' => 'o',
        'Æ' => 'A',
        'æ' => 'a',
        'ß' => 's',
        _ => return None,
    })
}

/// The key a name sorts by: its letters without accents, lowercase, so "Ümit" sorts
/// among the U's and "Łukasz" among the L's.
pub fn sort_key(name: &str) -> String {
    name.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| plain_letter(c).unwrap_or(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Windows-1252's characters at 0x80..=0x9F (`None` where it has none).
const WIN_ANSI_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The WinAnsi byte of `c`, if it has one.
fn win_ansi_byte(c: char) -> Option<u8> {
    match c {
        ' '..='~' => Some(c as u8),
        '\u{a0}'..='\u{ff}' => Some(c as u32 as u8),
        _ => WIN_ANSI_HIGH
            .iter()
            .position(|h| *h == Some(c))
            .map(|i| 0x80 + i as u8),
    }
}

/// Text as WinAnsi bytes, the encoding of PDF's standard fonts. A letter outside it
/// keeps as much of itself as the encoding can show: "ễ" is written "ê", "Ş" "S",
/// "Ł" "L"; what has no Latin form at all (other scripts) becomes `?`.
/// Text is composed first (NFC), so a name stored with separate accent marks is
/// written the same way, one byte per character as `fit` counts them.
pub fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.nfc() {
        if let Some(b) = win_ansi_byte(c) {
            out.push(b);
            continue;
        }
        if let Some(plain) = plain_letter(c) {
            out.push(plain as u8);
            continue;
        }
        if is_combining_mark(c) {
            // An accent that did not compose with its letter: the letter stands alone.
            continue;
        }
        // A letter: decompose, then put back each accent the encoding can still show.
        // Anything else (a symbol such as "≠") is not replaced by a look-alike.
        let mut parts = std::iter::once(c).nfd();
        let Some(mut base) = parts
            .next()
            .filter(|b| c.is_alphabetic() && win_ansi_byte(*b).is_some())
        else {
            out.push(b'?');
            continue;
        };
        for mark in parts {
            if let Some(composed) = compose(base, mark).filter(|m| win_ansi_byte(*m).is_some()) {
                base = composed;
            }
        }
        out.extend(win_ansi_byte(base));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> String {
        // Decode WinAnsi back for the comparison (Latin-1 plus the 0x80..0x9F row).
        win_ansi(text)
            .into_iter()
            .map(|b| match b {
                0x80..=0x9f => WIN_ANSI_HIGH[(b - 0x80) as usize].unwrap_or('?'),
                _ => b as char,
            })
            .collect()
    }

    #[test]
    fn latin_names_keep_what_the_fonts_can_show() {
        assert_eq!(shown("Zoë Ångström — José"), "Zoë Ångström — José");
        assert_eq!(shown("François Œuvre"), "François Œuvre");
        assert_eq!(shown("Nguyễn Thị Minh Khai"), "Nguyên Thi Minh Khai");
        assert_eq!(shown("Łukasz Żółć"), "Lukasz Zólc");
        assert_eq!(shown("Ðorđe Čolić"), "Ðorde Colic");
        assert_eq!(
            shown("İlkay Gündoğan, Ümit Şahin"),
            "Ilkay Gündogan, Ümit Sahin"
        );
        assert_eq!(shown("Dvořák"), "Dvorák");
    }

    #[test]
    fn other_scripts_and_symbols_become_question_marks() {
        assert_eq!(shown("李"), "?");
        assert_eq!(shown("a ≠ b, c ≯ d"), "a ? b, c ? d");
    }

    #[test]
    fn decomposed_text_is_written_like_composed_text() {
        // "José" and "Nguyễn" with separate combining accents.
        assert_eq!(shown("Jose\u{301}"), "José");
        assert_eq!(shown("Nguye\u{302}\u{303}n"), "Nguyên");
        assert_eq!(win_ansi("Jose\u{301}").len(), 4);
    }

    #[test]
    fn names_sort_by_their_letters_without_accents() {
        let mut names = vec!["Zoë", "Ümit", "Łukasz", "anna", "Ðorđe", "Ōtani", "Bea"];
        names.sort_by_cached_key(|n| sort_key(n));
        assert_eq!(
            names,
            ["anna", "Bea", "Ðorđe", "Łukasz", "Ōtani", "Ümit", "Zoë"]
        );
    }
}
