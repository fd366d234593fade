//! The time the application goes by. A node reads the system clock; a test sets the clock (to a
//! second before Shanghai's midnight, say) and moves it on, so what depends on the date — which
//! day a view counts on, what "today" and "the last 30 days" are — is tested at the moment
//! that matters instead of whenever the suite happens to run.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

#[derive(Clone, Default)]
pub struct Clock {
    /// Milliseconds since 1970 when set; the system clock otherwise.
    set: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// A clock that stands at `at` until moved with [`Clock::advance`].
    pub fn at(at: DateTime<Utc>) -> Clock {
        Clock {
            set: Some(Arc::new(AtomicI64::new(at.timestamp_millis()))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.set {
            Some(ms) => {
                DateTime::from_timestamp_millis(ms.load(Ordering::Acquire)).unwrap_or_else(Utc::now)
            }
            None => Utc::now(),
        }
    }

    /// Moves a set clock on (every copy of it moves); the system clock moves by itself.
    pub fn advance(&self, by: chrono::Duration) {
        if let Some(ms) = &self.set {
            ms.fetch_add(by.num_milliseconds(), Ordering::AcqRel);
        }
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.set {
            Some(_) => write!(f, "Clock(set at {})", self.now().to_rfc3339()),
            None => f.write_str("Clock(system)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_set_clock_stands_until_moved_and_every_copy_moves_with_it() {
        let midnight = Utc.with_ymd_and_hms(2026, 12, 4, 15, 59, 59).unwrap();
        let clock = Clock::at(midnight);
        let copy = clock.clone();
        assert_eq!(clock.now(), midnight);
        copy.advance(chrono::Duration::seconds(2));
        assert_eq!(clock.now(), midnight + chrono::Duration::seconds(2));
    }

    #[test]
    fn the_system_clock_is_now() {
        let before = Utc::now();
        let read = Clock::system().now();
        assert!(read >= before && read <= Utc::now());
        Clock::system().advance(chrono::Duration::days(1));
        assert!(Clock::system().now() < before + chrono::Duration::hours(1));
    }
}
