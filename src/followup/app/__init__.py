"""The operations behind every command, and what follows a change."""
