//! Time arithmetic for the metrics tools, without a date library: Jira timestamps to epoch
//! milliseconds and back, time zones (UTC, fixed offsets, IANA names read from the system's
//! TZif files), and working time between two instants (working hours on working days, in a
//! time zone), as `JIRA_SLA_*` configure it.

use std::fs;

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (inverse of [`days_from_civil`]).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// ISO weekday (1 = Monday ... 7 = Sunday) of a day number.
pub fn weekday(days: i64) -> u8 {
    ((days + 3).rem_euclid(7) + 1) as u8
}

fn num(s: &str, from: usize, len: usize) -> Option<i64> {
    let part = s.get(from..from + len)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// Epoch milliseconds of a Jira timestamp: `2026-11-02T09:00:00.000+0000`, `...+00:00`, `...Z`,
/// without seconds or fraction, or a bare date (midnight UTC). `None` for anything else.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    let (y, mo, d) = (num(s, 0, 4)?, num(s, 5, 2)?, num(s, 8, 2)?);
    if s.get(4..5) != Some("-")
        || s.get(7..8) != Some("-")
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&d)
    {
        return None;
    }
    let day = days_from_civil(y, mo as u32, d as u32);
    if s.len() == 10 {
        return Some(day * 86_400_000);
    }
    if !matches!(s.get(10..11), Some("T" | " ")) {
        return None;
    }
    let (h, mi) = (num(s, 11, 2)?, num(s, 14, 2)?);
    let mut at = 16;
    let mut ms = (h * 3600 + mi * 60) * 1000;
    if s.get(at..at + 1) == Some(":") {
        ms += num(s, at + 1, 2)? * 1000;
        at += 3;
        if s.get(at..at + 1) == Some(".") {
            let digits = s[at + 1..].bytes().take_while(u8::is_ascii_digit).count();
            let frac = &s[at + 1..at + 1 + digits];
            ms += format!("{frac:0<3}")[..3].parse::<i64>().ok()?;
            at += 1 + digits;
        }
    }
    let zone = &s[at..];
    let offset_min = match zone {
        "" | "Z" | "z" => 0,
        z => {
            let sign = match &z[..1] {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let rest = z[1..].replace(':', "");
            if rest.len() != 4 {
                return None;
            }
            sign * (num(&rest, 0, 2)? * 60 + num(&rest, 2, 2)?)
        }
    };
    Some(day * 86_400_000 + ms - offset_min * 60_000)
}

/// Epoch milliseconds as `2026-11-02T09:00:00.000Z`.
pub fn format_utc(ms: i64) -> String {
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000
    )
}

/// A time zone: a fixed offset, or the transitions of a TZif file.
#[derive(Debug, Clone, PartialEq)]
pub enum Zone {
    /// Seconds east of UTC.
    Fixed(i64),
    /// (transition time in epoch seconds, offset from then on), sorted; offset before the first.
    Rules(Vec<(i64, i64)>, i64),
}

fn be(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let bytes = b.get(at..at + n)?;
    Some(match n {
        4 => i64::from(i32::from_be_bytes(bytes.try_into().ok()?)),
        8 => i64::from_be_bytes(bytes.try_into().ok()?),
        _ => return None,
    })
}

/// The transitions of a TZif file (version 2+ 64-bit data when present, else version 1).
pub fn parse_tzif(b: &[u8]) -> Option<Zone> {
    let header = |at: usize| -> Option<[usize; 6]> {
        if b.get(at..at + 4)? != b"TZif" {
            return None;
        }
        let mut c = [0usize; 6];
        for (i, slot) in c.iter_mut().enumerate() {
            *slot = usize::try_from(be(b, at + 20 + 4 * i, 4)?).ok()?;
        }
        Some(c)
    };
    let [isut, isstd, leap, time, typ, chars] = header(0)?;
    let v1_len = 44 + time * 5 + typ * 6 + chars + leap * 8 + isstd + isut;
    let (at, width, counts) = if b.get(4).is_some_and(|v| *v >= b'2') {
        (v1_len + 44, 8, header(v1_len)?)
    } else {
        (44, 4, [isut, isstd, leap, time, typ, chars])
    };
    let [_, _, _, time, typ, _] = counts;
    let times_at = at;
    let idx_at = times_at + time * width;
    let types_at = idx_at + time;
    let offset_of = |i: usize| be(b, types_at + 6 * i, 4);
    let mut rules = Vec::with_capacity(time);
    for i in 0..time {
        let t = be(b, times_at + i * width, width)?;
        let ty = usize::from(*b.get(idx_at + i)?);
        if ty >= typ {
            return None;
        }
        rules.push((t, offset_of(ty)?));
    }
    Some(Zone::Rules(rules, offset_of(0)?))
}

impl Zone {
    /// `UTC`, `GMT`, `Z`, a fixed offset (`+02:00`, `UTC-5`, `UTC+05:30`) or an IANA name found
    /// in the system's zoneinfo directory.
    pub fn named(name: &str) -> Option<Zone> {
        let n = name.trim();
        let upper = n.to_ascii_uppercase();
        if matches!(
            upper.as_str(),
            "UTC" | "GMT" | "Z" | "ETC/UTC" | "ETC/GMT" | "UNIVERSAL"
        ) {
            return Some(Zone::Fixed(0));
        }
        let offset = upper
            .strip_prefix("UTC")
            .or_else(|| upper.strip_prefix("GMT"))
            .unwrap_or(&upper);
        if let Some(sign) = offset.chars().next().filter(|c| matches!(c, '+' | '-')) {
            let digits = offset[1..].replace(':', "");
            let (h, m) = match digits.len() {
                1 | 2 => (digits.parse::<i64>().ok()?, 0),
                4 => (num(&digits, 0, 2)?, num(&digits, 2, 2)?),
                _ => return None,
            };
            if h > 14 || m > 59 {
                return None;
            }
            let s = (h * 3600 + m * 60) * if sign == '-' { -1 } else { 1 };
            return Some(Zone::Fixed(s));
        }
        let safe = !n.is_empty()
            && !n.contains("..")
            && !n.starts_with('/')
            && n.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'));
        if !safe {
            return None;
        }
        [
            "/usr/share/zoneinfo",
            "/usr/lib/zoneinfo",
            "/usr/share/lib/zoneinfo",
        ]
        .iter()
        .find_map(|dir| fs::read(format!("{dir}/{n}")).ok())
        .and_then(|b| parse_tzif(&b))
    }

    /// Seconds east of UTC at an instant (epoch seconds).
    pub fn offset_at(&self, t: i64) -> i64 {
        match self {
            Zone::Fixed(o) => *o,
            Zone::Rules(rules, first) => match rules.partition_point(|(at, _)| *at <= t) {
                0 => *first,
                i => rules[i - 1].1,
            },
        }
    }
}

/// Working hours: from `start` to `end` minutes after local midnight on `days` (ISO weekdays).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkingTime {
    pub start_min: i64,
    pub end_min: i64,
    pub days: Vec<u8>,
    pub zone: Zone,
}

impl WorkingTime {
    /// Working milliseconds between two instants (epoch ms); 0 when `to` is not after `from`.
    /// Spans of more than 20 years are cut there.
    pub fn between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let to = to.min(from + 20 * 366 * 86_400_000);
        let local_day = |ms: i64| {
            let off = self.zone.offset_at(ms.div_euclid(1000)) * 1000;
            (ms + off).div_euclid(86_400_000)
        };
        let mut total = 0;
        for day in local_day(from) - 1..=local_day(to) + 1 {
            if !self.days.contains(&weekday(day)) {
                continue;
            }
            let local_ms = |min: i64| day * 86_400_000 + min * 60_000;
            // The local wall time as an instant: subtract the offset in force then.
            let instant = |min: i64| {
                let guess = local_ms(min);
                let off = self.zone.offset_at(guess.div_euclid(1000)) * 1000;
                let off = self.zone.offset_at((guess - off).div_euclid(1000)) * 1000;
                guess - off
            };
            let (a, b) = (
                instant(self.start_min).max(from),
                instant(self.end_min).min(to),
            );
            if b > a {
                total += b - a;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn at(s: &str) -> i64 {
        parse(s).unwrap()
    }

    fn nine_to_five(zone: Zone) -> WorkingTime {
        WorkingTime {
            start_min: 9 * 60,
            end_min: 17 * 60,
            days: vec![1, 2, 3, 4, 5],
            zone,
        }
    }

    #[test]
    fn timestamps_in_every_jira_spelling() {
        assert_eq!(at("1970-01-01T00:00:00.000+0000"), 0);
        assert_eq!(at("1970-01-01T01:00:00.000+01:00"), 0);
        assert_eq!(at("1970-01-02"), 86_400_000);
        assert_eq!(at("2026-11-02T09:00"), at("2026-11-02T09:00:00.000Z"));
        assert_eq!(
            at("2026-11-02T09:00:00.5Z") - at("2026-11-02T09:00:00Z"),
            500
        );
        assert_eq!(
            format_utc(at("2026-11-02T10:30:00.000+0100")),
            "2026-11-02T09:30:00.000Z"
        );
        assert_eq!(weekday(days_from_civil(2026, 11, 2)), 1, "a Monday");
        for bad in [
            "",
            "2026-11",
            "2026-11-02X",
            "2026-11-02T09:00+1",
            "yesterday",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        for d in [-1000, 0, 20_000, 739_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn working_hours_skip_nights_and_weekends() {
        let w = nine_to_five(Zone::Fixed(0));
        // Monday 10:00 → Monday 12:00: 2 h.
        assert_eq!(
            w.between(at("2026-11-02T10:00Z"), at("2026-11-02T12:00Z")),
            2 * H
        );
        // Monday 16:00 → Tuesday 10:00: 1 h + 1 h.
        assert_eq!(
            w.between(at("2026-11-02T16:00Z"), at("2026-11-03T10:00Z")),
            2 * H
        );
        // Friday 16:00 → Monday 10:00: the weekend counts nothing.
        assert_eq!(
            w.between(at("2026-11-06T16:00Z"), at("2026-11-09T10:00Z")),
            2 * H
        );
        // Saturday to Sunday: nothing.
        assert_eq!(
            w.between(at("2026-11-07T08:00Z"), at("2026-11-08T20:00Z")),
            0
        );
        // A whole week: 5 × 8 h.
        assert_eq!(
            w.between(at("2026-11-02T00:00Z"), at("2026-11-09T00:00Z")),
            40 * H
        );
        assert_eq!(
            w.between(at("2026-11-03T00:00Z"), at("2026-11-02T00:00Z")),
            0
        );
    }

    #[test]
    fn working_hours_follow_the_time_zone() {
        // 09:00-17:00 at UTC+05:30 is 03:30-11:30 UTC.
        let w = nine_to_five(Zone::named("UTC+05:30").unwrap());
        assert_eq!(
            w.between(at("2026-11-02T00:00Z"), at("2026-11-02T06:00Z")),
            150 * 60_000
        );
        // 09:00-17:00 at UTC-8 is 17:00-01:00 UTC: Monday night UTC is still Monday there.
        let w = nine_to_five(Zone::named("-08:00").unwrap());
        assert_eq!(
            w.between(at("2026-11-02T16:00Z"), at("2026-11-03T02:00Z")),
            8 * H
        );
        // Saturday 01:00 UTC is Friday 17:00 there: nothing after it.
        assert_eq!(
            w.between(at("2026-11-07T01:00Z"), at("2026-11-08T12:00Z")),
            0
        );
    }

    #[test]
    fn zone_names_and_daylight_saving() {
        assert_eq!(Zone::named("utc"), Some(Zone::Fixed(0)));
        assert_eq!(Zone::named("GMT-3"), Some(Zone::Fixed(-3 * 3600)));
        assert_eq!(Zone::named("../../etc/passwd"), None);
        assert_eq!(Zone::named("+25:00"), None);
        let Some(berlin) = Zone::named("Europe/Berlin") else {
            return; // no zoneinfo on this system
        };
        let winter = at("2026-01-15T12:00Z") / 1000;
        let summer = at("2026-07-15T12:00Z") / 1000;
        assert_eq!(berlin.offset_at(winter), 3600);
        assert_eq!(berlin.offset_at(summer), 7200);
        // Summer: 09:00-17:00 Berlin is 07:00-15:00 UTC.
        let w = nine_to_five(berlin);
        assert_eq!(
            w.between(at("2026-07-15T06:00Z"), at("2026-07-15T08:00Z")),
            H
        );
    }
}
