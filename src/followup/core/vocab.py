"""The fixed words of the command line, importable without the rest (fast `--help`)."""

OUTCOMES = ("reply", "second-interview", "offer", "rejected", "withdrawn")
CHANNELS = ("email", "phone")
NOTE_KINDS = ("email", "handwritten")
# How the interview was held: the report's channel and the drafts' wording follow it.
HELD = ("onsite", "video", "phone")
# Calendar profiles: what each kind of client understands (README, "Calendar profiles").
PROFILES = ("full", "events", "tasks")
# Courtesy and academic titles recognised at the start of a name ("Dr Jane Doe").
TITLES = frozenset({"dr", "ms", "mr", "mrs", "mx", "miss", "prof", "professor"})
