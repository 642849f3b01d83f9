//! A printable report as PDF: title, period, a summary block, then a table that
//! breaks across pages with its header repeated, a totals row at the end, and
//! "Page X of Y" on every page. A4 landscape; the table is set in Courier so
//! columns line up without font metrics; text uses the standard fonts'
//! WinAnsi encoding (`letters::win_ansi`: letters keep the accents it can show,
//! other scripts and symbols print as `?`).

use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str};

use unicode_normalization::UnicodeNormalization;

use super::letters::win_ansi;

pub struct Column {
    pub title: &'static str,
    /// Width in characters of the 8 pt table font.
    pub width: usize,
    pub right_aligned: bool,
}

pub struct PdfReport {
    pub title: String,
    pub subtitle: String,
    pub summary: Vec<(String, String)>,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
    pub totals: Option<Vec<String>>,
    pub footer: String,
}

const PAGE_W: f32 = 842.0;
const PAGE_H: f32 = 595.0;
const MARGIN: f32 = 36.0;
const FONT_SIZE: f32 = 8.0;
const CHAR_W: f32 = FONT_SIZE * 0.6;
const ROW_H: f32 = 12.0;
const TABLE_TOP_FIRST_GAP: f32 = 14.0;
const FOOTER_Y: f32 = 20.0;
const BODY_BOTTOM: f32 = 40.0;

/// Fits `text` into `width` characters, marking a cut with an ellipsis.
fn fit(text: &str, width: usize, right: bool) -> String {
    // Counted as written: composed, one character per letter (see `win_ansi`).
    let text: String = text.nfc().collect();
    let text = text.as_str();
    let n = text.chars().count();
    let cut: String = if n > width {
        text.chars()
            .take(width.saturating_sub(1))
            .chain(['…'])
            .collect()
    } else {
        text.to_string()
    };
    if right {
        format!("{cut:>width$}")
    } else {
        format!("{cut:<width$}")
    }
}

fn line(columns: &[Column], cells: &[String]) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            fit(
                cells.get(i).map(String::as_str).unwrap_or(""),
                c.width,
                c.right_aligned,
            )
        })
        .collect::<Vec<_>>()
        .join("  ")
}

struct Fonts;
impl Fonts {
    const BOLD: Name<'static> = Name(b"F1");
    const REGULAR: Name<'static> = Name(b"F2");
    const MONO: Name<'static> = Name(b"F3");
    const MONO_BOLD: Name<'static> = Name(b"F4");
}

fn text(c: &mut Content, font: Name, size: f32, x: f32, y: f32, s: &str) {
    c.begin_text();
    c.set_font(font, size);
    c.next_line(x, y);
    c.show(Str(&win_ansi(s)));
    c.end_text();
}

/// Rows that fit on the first page (after the summary) and on later pages.
fn rows_per_page(summary_lines: usize) -> (usize, usize) {
    let header_top = PAGE_H - MARGIN - 40.0;
    let first_top = header_top - summary_lines as f32 * 12.0 - TABLE_TOP_FIRST_GAP;
    let per = |top: f32| (((top - ROW_H) - BODY_BOTTOM) / ROW_H).floor().max(1.0) as usize;
    (per(first_top), per(header_top))
}

pub fn render(report: &PdfReport) -> Vec<u8> {
    let summary_lines = report.summary.len().div_ceil(3);
    let (first, later) = rows_per_page(summary_lines);
    let mut body: Vec<Vec<String>> = report.rows.clone();
    let totals_at = body.len();
    if let Some(t) = &report.totals {
        body.push(t.clone());
    }
    // The first page holds fewer rows (the summary sits above the table).
    let mut pages = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + if pages.is_empty() { first } else { later }).min(body.len());
        pages.push(start..end);
        if end >= body.len() {
            break;
        }
        start = end;
    }
    let page_count = pages.len();

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font_ids = [Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6)];
    let page_ref = |i: usize| Ref::new(10 + 2 * i as i32);
    let content_ref = |i: usize| Ref::new(11 + 2 * i as i32);
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids((0..page_count).map(page_ref))
        .count(page_count as i32);
    for (id, base) in font_ids.iter().zip([
        &b"Helvetica-Bold"[..],
        b"Helvetica",
        b"Courier",
        b"Courier-Bold",
    ]) {
        pdf.type1_font(*id)
            .base_font(Name(base))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let table_width = report.columns.iter().map(|c| c.width + 2).sum::<usize>() as f32 * CHAR_W;
    for (i, range) in pages.iter().enumerate() {
        let mut c = Content::new();
        text(
            &mut c,
            Fonts::BOLD,
            15.0,
            MARGIN,
            PAGE_H - MARGIN - 8.0,
            &report.title,
        );
        text(
            &mut c,
            Fonts::REGULAR,
            9.5,
            MARGIN,
            PAGE_H - MARGIN - 24.0,
            &report.subtitle,
        );
        let mut y = PAGE_H - MARGIN - 40.0;
        if i == 0 {
            for (k, chunk) in report.summary.chunks(3).enumerate() {
                let row_y = y - k as f32 * 12.0;
                for (j, (label, value)) in chunk.iter().enumerate() {
                    let x = MARGIN + j as f32 * 250.0;
                    text(&mut c, Fonts::REGULAR, 9.0, x, row_y, &format!("{label}:"));
                    text(&mut c, Fonts::MONO_BOLD, 9.0, x + 130.0, row_y, value);
                }
            }
            y -= summary_lines as f32 * 12.0 + TABLE_TOP_FIRST_GAP;
        }
        // Header band, repeated on every page.
        c.set_fill_gray(0.85);
        c.rect(MARGIN - 2.0, y - 3.5, table_width, ROW_H);
        c.fill_nonzero();
        c.set_fill_gray(0.0);
        let header: Vec<String> = report
            .columns
            .iter()
            .map(|col| col.title.to_string())
            .collect();
        text(
            &mut c,
            Fonts::MONO_BOLD,
            FONT_SIZE,
            MARGIN,
            y,
            &line(&report.columns, &header),
        );
        for (n, idx) in range.clone().enumerate() {
            let row_y = y - (n + 1) as f32 * ROW_H;
            let is_totals = idx == totals_at;
            if is_totals {
                c.set_line_width(0.6);
                c.move_to(MARGIN - 2.0, row_y + ROW_H - 3.0);
                c.line_to(MARGIN - 2.0 + table_width, row_y + ROW_H - 3.0);
                c.stroke();
            } else if n % 2 == 1 {
                c.set_fill_gray(0.95);
                c.rect(MARGIN - 2.0, row_y - 3.5, table_width, ROW_H);
                c.fill_nonzero();
                c.set_fill_gray(0.0);
            }
            let font = if is_totals {
                Fonts::MONO_BOLD
            } else {
                Fonts::MONO
            };
            text(
                &mut c,
                font,
                FONT_SIZE,
                MARGIN,
                row_y,
                &line(&report.columns, &body[idx]),
            );
        }
        text(
            &mut c,
            Fonts::REGULAR,
            8.0,
            MARGIN,
            FOOTER_Y,
            &report.footer,
        );
        let label = format!("Page {} of {}", i + 1, page_count);
        text(
            &mut c,
            Fonts::REGULAR,
            8.0,
            PAGE_W - MARGIN - label.len() as f32 * 4.2,
            FOOTER_Y,
            &label,
        );
        pdf.stream(content_ref(i), &c.finish());
        let mut page = pdf.page(page_ref(i));
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_ref(i));
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        for (name, id) in [Fonts::BOLD, Fonts::REGULAR, Fonts::MONO, Fonts::MONO_BOLD]
            .into_iter()
            .zip(font_ids)
        {
            fonts.pair(name, id);
        }
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(rows: usize) -> PdfReport {
        PdfReport {
            title: "Acme — Monthly attendance".into(),
            subtitle: "2026-11-01 to 2026-11-30 · Asia/Kolkata".into(),
            summary: vec![
                ("Working days".into(), "20".into()),
                ("Present".into(), "18".into()),
            ],
            columns: vec![
                Column {
                    title: "Name",
                    width: 20,
                    right_aligned: false,
                },
                Column {
                    title: "Present",
                    width: 7,
                    right_aligned: true,
                },
            ],
            rows: (0..rows)
                .map(|i| vec![format!("Person {i}"), i.to_string()])
                .collect(),
            totals: Some(vec!["Total".into(), "99".into()]),
            footer: "Generated by Rollcall".into(),
        }
    }

    #[test]
    fn long_tables_break_into_numbered_pages() {
        let bytes = render(&sample(200));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("%PDF-"));
        let pages = text.matches("/Type /Page\n").count()
            + text.matches("/Type /Page ").count()
            + text.matches("/Type /Page/").count();
        assert!(pages >= 4, "expected several pages, found {pages}");
        assert!(text.contains("(Page 1 of "));
    }

    #[test]
    fn cells_are_cut_to_their_column() {
        assert_eq!(fit("Alexandria Ocasio", 8, false), "Alexand…");
        assert_eq!(fit("42", 5, true), "   42");
        assert_eq!(win_ansi("Zoë → ok"), b"Zo\xeb ? ok".to_vec());
    }
}
