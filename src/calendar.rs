//! The calendar range the API accepts: years 1 to 9999, in every date and timestamp, in query
//! parameters, cursors and bodies alike.
//!
//! Why: chrono parses years far outside what PostgreSQL stores (`-4713-01-01` is a valid
//! `NaiveDate`, but PostgreSQL's dates start in 4713 BC and the bind fails with a 500), and
//! PostgreSQL itself takes year 0 only to read it back as `0001-01-01 BC`, a different text
//! from the one written. Four-digit years of the common era are what the data is about and
//! what `YYYY-MM-DD` can spell.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The first year accepted.
pub const FIRST_YEAR: i32 = 1;
/// The last year accepted.
pub const LAST_YEAR: i32 = 9999;

/// Whether `date` lies in years 1–9999.
pub fn date_in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// Whether `instant` lies in years 1–9999 (in UTC, as stored).
pub fn timestamp_in_range(instant: DateTime<Utc>) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&instant.year())
}

/// A strict `YYYY-MM-DD` date in years 1–9999: exactly ten characters, no sign, a real day.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let plain = text.len() == 10 && text.bytes().all(|b| b.is_ascii_digit() || b == b'-');
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (plain && date_in_range(date)).then_some(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_years_1_to_9999_in_plain_form() {
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("0001-01-01").is_some());
        assert!(parse_date("9999-12-31").is_some());
        for bad in [
            "0000-01-01",
            "-4713-01-01",
            "-0001-01-01",
            "+2020-01-01",
            "10000-01-01",
            "2023-02-29",
            "2020-1-1",
            "20200101",
        ] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn timestamps_are_checked_in_utc() {
        let late = DateTime::parse_from_rfc3339("9999-12-31T23:00:00-05:00").unwrap();
        assert!(!timestamp_in_range(late.with_timezone(&Utc)));
        let early = DateTime::parse_from_rfc3339("0000-12-31T23:00:00Z").unwrap();
        assert!(!timestamp_in_range(early.with_timezone(&Utc)));
        let fine = DateTime::parse_from_rfc3339("2026-01-31T00:00:00Z").unwrap();
        assert!(timestamp_in_range(fine.with_timezone(&Utc)));
    }
}
