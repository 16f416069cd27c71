"""APScheduler wiring: the deadline timers that call the services (no Textual here)."""
