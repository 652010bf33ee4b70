"""How fast `followup sync` is against a local Radicale, and how many requests it sends.

    python bench/sync_bench.py [INTERVIEWS]

Imports INTERVIEWS interviews (default 200, about 2,600 calendar objects) into a
temporary FOLLOWUP_HOME, starts Radicale on a free port (as the tests do), and times
`followup sync` as a user runs it (a new process each time): the first push, a sync with
nothing to do, one check-off pushed by `done`, and the sync after it.  HTTP requests are
counted inside the followup process.  Where vdirsyncer is installed, the same objects
(written to a vdir by `followup`) are synced to a second collection with it, for scale.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from davservers import start_radicale  # noqa: E402

NOW = "2026-11-28T12:00:00+00:00"
CHILD = """
import atexit, collections, os, sys
from caldav import davclient
counts = collections.Counter()
real = davclient.DAVClient._sync_request
def counted(self, url, method="GET", body="", headers=None):
    counts[method] += 1
    return real(self, url, method, body, headers)
davclient.DAVClient._sync_request = counted
atexit.register(lambda: open(os.environ["BENCH_COUNTS"], "w").write(repr(dict(counts))))
sys.argv = ["followup"] + sys.argv[1:]
from followup.cli import main
main()
"""


def followup(env: dict[str, str], *args: str) -> tuple[float, dict[str, int], str]:
    counts = Path(env["FOLLOWUP_HOME"]) / "counts.txt"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=dict(env, BENCH_COUNTS=str(counts)))
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"followup {' '.join(args)} failed:\n{proc.stderr}")
    found = eval(counts.read_text()) if counts.exists() else {}  # noqa: S307 - our own repr
    counts.unlink(missing_ok=True)
    return took, found, proc.stdout


def line(label: str, took: float, counts: dict[str, int], extra: str = "") -> None:
    detail = ", ".join(f"{m} {n}" for m, n in sorted(counts.items())) or "none"
    print(f"{label:<34} {took:7.2f} s  {sum(counts.values()):5d} requests ({detail}){extra}")


def vdirsyncer(folder: Path, srv, vdir: Path, collection: str) -> None:
    if shutil.which("vdirsyncer") is None:
        print("vdirsyncer: not installed")
        return
    config = folder / "vdirsyncer.conf"
    config.write_text(f"""[general]
status_path = "{folder / 'vds-status'}"

[pair bench]
a = "local"
b = "radicale"
collections = null
conflict_resolution = "a wins"

[storage local]
type = "filesystem"
path = "{vdir}"
fileext = ".ics"

[storage radicale]
type = "caldav"
url = "{collection}"
username = "{srv.username}"
password = "{srv.password}"
""")
    env = dict(os.environ, VDIRSYNCER_CONFIG=str(config))
    subprocess.run(["vdirsyncer", "discover", "bench"], capture_output=True, text=True, env=env,
                   input="y\n" * 4)
    for label in ("vdirsyncer: first sync (upload)", "vdirsyncer: sync with nothing to do"):
        start = time.perf_counter()
        proc = subprocess.run(["vdirsyncer", "sync"], capture_output=True, text=True, env=env)
        took = time.perf_counter() - start
        if proc.returncode != 0:
            print(f"vdirsyncer failed: {proc.stderr[-500:]}")
            return
        print(f"{label:<34} {took:7.2f} s")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        home = folder / "home"
        home.mkdir()
        (home / "config.toml").write_text('timezone = "Europe/London"\n')
        rows = "\n".join(
            f'[[interview]]\ncompany = "Company {n}"\nrole = "Engineer"\n'
            f'at = "2026-12-{1 + n % 28:02d} {9 + n % 8:02d}:00"\n'
            f'interviewers = ["Jane Doe <jane{n}@example.org>"]\n'
            for n in range(count))
        (folder / "interviews.toml").write_text(rows)
        env = dict(os.environ, FOLLOWUP_HOME=str(home), FOLLOWUP_NOW=NOW, DAV_PW="")
        followup(env, "import", str(folder / "interviews.toml"))
        server_dir = folder / "radicale"
        server_dir.mkdir()
        srv = start_radicale(server_dir)
        try:
            env["DAV_PW"] = srv.password
            ours, theirs = srv.make_collection(), srv.make_collection()
            followup(env, "remote", "add", "dav", srv.base_url, "--username", srv.username,
                     "--password-env", "DAV_PW", "--calendar", ours)
            print(f"{count} interviews, Radicale at {srv.base_url}")
            took, counts, out = followup(env, "sync", "--json")
            [doc] = json.loads(out)
            line("followup: first sync (push)", took, counts, f"  created {doc['created']}")
            for label in ("followup: sync with nothing to do", "followup: sync with nothing to do"):
                took, counts, out = followup(env, "sync", "--json")
                line(label, took, counts)
            took, counts, _ = followup(env, "done", "2")
            line("followup: done 2 (auto push)", took, counts)
            took, counts, _ = followup(env, "sync", "--json")
            line("followup: sync after it", took, counts)
            second = folder / "second"
            second.mkdir()
            (second / "config.toml").write_text('timezone = "Europe/London"\n')
            env2 = dict(env, FOLLOWUP_HOME=str(second))
            followup(env2, "remote", "add", "dav", srv.base_url, "--username", srv.username,
                     "--password-env", "DAV_PW", "--calendar", ours)
            took, counts, out = followup(env2, "sync", "--json")
            [doc] = json.loads(out)
            line("followup: rebuild into an empty home", took, counts,
                 f"  pulled {doc['pulled']}, updated {doc['updated']}")
            took, counts, out = followup(env2, "sync", "--json")
            line("followup: next sync there", took, counts)
            vdir = folder / "vdir"
            followup(env, "remote", "add", "folder", "--vdir", str(vdir))
            took, _, _ = followup(env, "sync", "folder")
            print(f"{'followup: push to a vdir folder':<34} {took:7.2f} s")
            vdirsyncer(folder, srv, vdir, theirs)
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
