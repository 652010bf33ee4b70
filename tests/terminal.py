"""Run followup on a real pseudo-terminal, to answer the questions it asks only there."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TIMEOUT = 30.0


@dataclass
class Answered:
    code: int
    output: str  # everything the terminal showed (stdout and stderr), with CRLF made LF


def on_terminal(home: Path, *args: str, answer: str, now: str) -> Answered:
    """`followup ARGS` with a terminal for stdin, stdout and stderr; `answer` is typed once
    the question (a line ending in "[y/N]: ") shows."""
    master, slave = os.openpty()
    env = {**os.environ, "FOLLOWUP_HOME": str(home), "FOLLOWUP_NOW": now, "NO_COLOR": "1"}
    env.pop("FOLLOWUP_DEBUG", None)
    process = subprocess.Popen([sys.executable, "-m", "followup", *args], stdin=slave,
                               stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    seen = b""
    typed = False
    deadline = time.monotonic() + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the other side closed: the process ended
                    break
                if not chunk:
                    break
                seen += chunk
            if not typed and seen.rstrip().endswith(b"[y/N]:"):
                os.write(master, answer.encode() + b"\n")
                typed = True
            if process.poll() is not None and not ready:
                break
        code = process.wait(TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    return Answered(code, seen.decode("utf-8", "replace").replace("\r\n", "\n"))
