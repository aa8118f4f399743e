"""申报提醒 (reminder): extract 申报通知, match them against company profiles, remind before every cutoff."""

__version__ = "0.1.0"
