//! Spreadsheet output (XLSX) for people who live in Excel: one sheet per table,
//! a bold frozen header row, numbers as numbers.

use rust_xlsxwriter::{Format, Workbook};

pub enum Cell {
    Text(String),
    Number(f64),
}

pub struct Sheet {
    pub name: String,
    pub header: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

pub fn workbook(sheets: &[Sheet]) -> anyhow::Result<Vec<u8>> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(&sheet.name)?;
        for (c, title) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *title, &bold)?;
            ws.set_column_width(c as u16, (title.len() as f64 + 4.0).max(12.0))?;
        }
        ws.set_freeze_panes(1, 0)?;
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                match cell {
                    // Text is stored as a string cell, never parsed as a formula.
                    Cell::Text(s) => ws.write_string(r, c as u16, s)?,
                    Cell::Number(n) => ws.write_number(r, c as u16, *n)?,
                };
            }
        }
    }
    Ok(book.save_to_buffer()?)
}
