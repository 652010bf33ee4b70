"""followup: plan the follow-up after a job interview and put it into your calendars."""

__version__ = "0.1.0"
