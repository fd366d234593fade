use chrono::{DateTime, FixedOffset};

/// Asia/Shanghai has had a fixed +08:00 offset since 1991; the contract names +08:00 for imported
/// times without an offset, so a fixed offset is exact for every date we handle.
pub const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("+08:00 is a valid offset"),
};

/// `2023-06-01 22:05`, in the article's own offset: the form readers of Chinese news sites expect.
pub fn format_display_time(t: &DateTime<FixedOffset>) -> String {
    t.format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn display_keeps_local_offset() {
        let t = SHANGHAI.with_ymd_and_hms(2023, 6, 1, 22, 5, 0).unwrap();
        assert_eq!(format_display_time(&t), "2023-06-01 22:05");
        assert_eq!(t.to_rfc3339(), "2023-06-01T22:05:00+08:00");
    }

    #[test]
    fn shanghai_is_eight_hours_ahead_of_utc() {
        assert_eq!(SHANGHAI.local_minus_utc(), 8 * 3600);
        let utc = chrono::Utc.with_ymd_and_hms(2024, 5, 23, 2, 0, 0).unwrap();
        assert_eq!(
            format_display_time(&utc.with_timezone(&SHANGHAI)),
            "2024-05-23 10:00"
        );
    }
}
