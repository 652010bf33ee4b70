"""The fixed words of the command line, importable without the rest (fast `--help`)."""

OUTCOMES = ("reply", "second-interview", "offer", "rejected", "withdrawn")
CHANNELS = ("email", "phone")
NOTE_KINDS = ("email", "handwritten")
# Calendar profiles: what each kind of client understands (README, "Calendar profiles").
PROFILES = ("full", "events", "tasks")
