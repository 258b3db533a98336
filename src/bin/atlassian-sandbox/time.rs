//! Time without a date crate: the canonical stored form is UTC `YYYY-MM-DDTHH:MM:SS.mmm`
//! (lexicographic order is time order). Jira renders it with `+0000`, Confluence with `Z`.
//! Also Jira durations (`1w 2d 3h 30m`, 5-day weeks of 8-hour days) and JQL relative dates.

use std::time::{SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 for a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Milliseconds since the epoch, from the system clock.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Canonical form of an epoch-milliseconds instant.
pub fn format_ms(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

pub fn now() -> String {
    format_ms(now_ms())
}

/// Parses `2025-06-02`, `2025-06-02T09:00`, `...:SS`, `...:SS.mmm`, with an optional `Z`,
/// `+0000`, `+02:00` offset, or `2025/06/02 09:00` (JQL); returns epoch milliseconds (UTC).
pub fn parse_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = s.get(from..from + len)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !matches!(b.get(4), Some(b'-' | b'/')) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    let mut i = 10;
    if matches!(b.get(10), Some(b'T' | b' ')) {
        ms += num(11, 2)? * 3_600_000 + num(14, 2)? * 60_000;
        i = 16;
        if b.get(16) == Some(&b':') {
            ms += num(17, 2)? * 1000;
            i = 19;
            if b.get(19) == Some(&b'.') {
                let digits = s[20..].bytes().take_while(u8::is_ascii_digit).count();
                let frac: String = s[20..20 + digits]
                    .chars()
                    .chain("000".chars())
                    .take(3)
                    .collect();
                ms += frac.parse::<i64>().ok()?;
                i = 20 + digits;
            }
        }
    }
    let rest = &s[i..];
    if rest.is_empty() || rest == "Z" {
        return Some(ms);
    }
    let sign = match rest.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let off = digits[..2].parse::<i64>().ok()? * 60 + digits[2..].parse::<i64>().ok()?;
    Some(ms - sign * off * 60_000)
}

/// Any accepted input form → canonical form.
pub fn normalize(s: &str) -> Option<String> {
    parse_ms(s).map(format_ms)
}

/// Canonical → Jira's `2025-06-02T09:00:00.000+0000`.
pub fn jira(t: &str) -> String {
    format!("{t}+0000")
}

/// Canonical → Confluence's `2025-06-02T09:00:00.000Z`.
pub fn conf(t: &str) -> String {
    format!("{t}Z")
}

/// The date part, `2025-06-02`.
pub fn date(t: &str) -> String {
    t.chars().take(10).collect()
}

const MINUTE: i64 = 60;
const HOUR: i64 = 3600;
const DAY: i64 = 8 * HOUR;
const WEEK: i64 = 5 * DAY;

/// Parses a Jira duration (`3h 20m`, `1d`, `2w`, `90m`, or bare minutes) into seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(minutes) = s.parse::<i64>() {
        return Some(minutes * MINUTE);
    }
    let mut total = 0;
    for part in s.split_whitespace() {
        let (n, unit) = part.split_at(part.find(|c: char| !c.is_ascii_digit() && c != '.')?);
        let n: f64 = n.parse().ok()?;
        let unit = match unit {
            "w" => WEEK,
            "d" => DAY,
            "h" => HOUR,
            "m" => MINUTE,
            _ => return None,
        };
        total += (n * unit as f64) as i64;
    }
    Some(total)
}

/// Seconds → Jira's duration text (`1w 2d 3h 30m`).
pub fn format_duration(mut secs: i64) -> String {
    let mut parts = Vec::new();
    for (unit, name) in [(WEEK, "w"), (DAY, "d"), (HOUR, "h"), (MINUTE, "m")] {
        if secs >= unit {
            parts.push(format!("{}{name}", secs / unit));
            secs %= unit;
        }
    }
    if parts.is_empty() {
        "0m".into()
    } else {
        parts.join(" ")
    }
}

/// A JQL relative date (`-7d`, `2w`, `-4h`, `-30m`) as an offset in milliseconds of real time.
pub fn relative_ms(s: &str) -> Option<i64> {
    let s = s.trim();
    let (sign, body) = match s.strip_prefix('-') {
        Some(b) => (-1, b),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let split = body.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = body.split_at(split);
    let n: i64 = n.parse().ok()?;
    let unit_ms = match unit {
        "w" => 7 * 86_400_000,
        "d" => 86_400_000,
        "h" => 3_600_000,
        "m" => 60_000,
        _ => return None,
    };
    Some(sign * n * unit_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_offsets() {
        assert_eq!(
            normalize("2025-06-02T09:00").unwrap(),
            "2025-06-02T09:00:00.000"
        );
        assert_eq!(
            normalize("2025-06-02T11:00:00.000+0200").unwrap(),
            "2025-06-02T09:00:00.000"
        );
        assert_eq!(
            normalize("2025/06/02 09:00").unwrap(),
            "2025-06-02T09:00:00.000"
        );
        assert_eq!(normalize("2024-02-29").unwrap(), "2024-02-29T00:00:00.000");
        assert!(normalize("yesterday").is_none());
        let ms = parse_ms("2000-03-01T00:00:00.000Z").unwrap();
        assert_eq!(format_ms(ms), "2000-03-01T00:00:00.000");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("3h 20m"), Some(3 * 3600 + 20 * 60));
        assert_eq!(parse_duration("1w"), Some(5 * 8 * 3600));
        assert_eq!(
            format_duration(parse_duration("1w 2d 3h 30m").unwrap()),
            "1w 2d 3h 30m"
        );
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(relative_ms("-7d"), Some(-7 * 86_400_000));
    }
}
