"""How fast `followup sync` is against a local Radicale, and how many requests it sends.

    python bench/sync_bench.py [INTERVIEWS] [--separate] [--auth-delay SECONDS] [--serve]

Imports INTERVIEWS interviews (default 200, about 2,600 calendar objects) into a
temporary FOLLOWUP_HOME, starts a password-protected Radicale on a free port (as the
tests do, but with Radicale's default delay of about 1 s on every 401 unless
--auth-delay says otherwise), and times `followup` as a user runs it (a new process
each time): the first push, a sync with nothing to do, one check-off pushed by `done`,
and the sync after it.  Requests are counted by a real HTTP hop in front of the server
(tests/http_log.py), so nothing inside followup is touched; "401" counts the answers
that asked for credentials.  --separate keeps events and tasks in two calendars.  Where
vdirsyncer is installed, the same objects (written to a vdir by `followup`) are synced
to a second collection with it, for scale.

--serve sets everything up, pushes once, prints the environment to run `followup`
against it (for an outside timer), and waits for Enter.  To time another checkout's
code, run the bench with PYTHONPATH=/that/checkout/src: the `followup` processes it
starts import from there.
"""

from __future__ import annotations

import argparse
import collections
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
from http_log import RecordingProxy  # noqa: E402

NOW = "2026-11-28T12:00:00+00:00"
CHILD = "import sys; sys.argv[0] = 'followup'; from followup.cli import main; main()"


def followup(env: dict[str, str], proxy: RecordingProxy, *args: str) -> tuple[float, str]:
    proxy.clear()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          env=env)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"followup {' '.join(args)} failed:\n{proc.stderr}")
    return took, proc.stdout


def line(label: str, took: float, proxy: RecordingProxy, extra: str = "") -> None:
    methods = collections.Counter(r.method for r in proxy.requests)
    detail = ", ".join(f"{m} {n}" for m, n in sorted(methods.items())) or "none"
    asked = sum(r.status == 401 for r in proxy.requests)
    print(f"{label:<34} {took:7.2f} s  {len(proxy.requests):5d} requests ({detail}; "
          f"401: {asked}){extra}")


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


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("interviews", nargs="?", type=int, default=200)
    parser.add_argument("--separate", action="store_true",
                        help="events and tasks in separate calendars")
    parser.add_argument("--auth-delay", type=float, default=1.0,
                        help="Radicale's delay on every 401 (default 1, as Radicale's)")
    parser.add_argument("--serve", action="store_true",
                        help="set up, push once, print the environment, wait for Enter")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        home = folder / "home"
        home.mkdir()
        (home / "config.toml").write_text('timezone = "Europe/London"\n')
        rows = "\n".join(
            f'[[interview]]\ncompany = "Company {n}"\nrole = "Engineer"\n'
            f'at = "2026-12-{1 + n % 28:02d} {9 + n % 8:02d}:00"\n'
            f'interviewers = ["Jane Doe <jane{n}@example.org>"]\n'
            for n in range(args.interviews))
        (folder / "interviews.toml").write_text(rows)
        env = dict(os.environ, FOLLOWUP_HOME=str(home), FOLLOWUP_NOW=NOW, DAV_PW="")
        server_dir = folder / "radicale"
        server_dir.mkdir()
        srv = start_radicale(server_dir, auth_delay=args.auth_delay)
        try:
            with RecordingProxy(srv.base_url) as proxy:
                run(args, folder, env, srv, proxy)
        finally:
            srv.stop()


def run(args: argparse.Namespace, folder: Path, env: dict[str, str], srv,
        proxy: RecordingProxy) -> None:
    followup(env, proxy, "import", str(folder / "interviews.toml"))
    env["DAV_PW"] = srv.password
    ours, theirs = srv.make_collection(), srv.make_collection()
    calendars = ["--calendar", proxy.url_for(ours)]
    if args.separate:
        calendars = ["--calendar", proxy.url_for(srv.make_collection(["VEVENT"])),
                     "--tasks-calendar", proxy.url_for(srv.make_collection(["VTODO"]))]
    add = ("remote", "add", "dav", proxy.url_for(srv.base_url), "--username", srv.username,
           "--password-env", "DAV_PW", *calendars)
    followup(env, proxy, *add)
    layout = "separate event and task calendars" if args.separate else "one calendar"
    print(f"{args.interviews} interviews, Radicale (401 delay {args.auth_delay:g} s), {layout}")
    took, out = followup(env, proxy, "sync", "--json")
    [doc] = json.loads(out)
    line("followup: first sync (push)", took, proxy, f"  created {doc['created']}")
    if args.serve:
        followup(env, proxy, "sync")
        print(f"FOLLOWUP_HOME={env['FOLLOWUP_HOME']} FOLLOWUP_NOW={NOW} DAV_PW={env['DAV_PW']}")
        input("Enter ends it. ")
        return
    for label in ("followup: sync with nothing to do", "followup: sync with nothing to do"):
        took, out = followup(env, proxy, "sync", "--json")
        line(label, took, proxy)
    took, _ = followup(env, proxy, "done", "2")
    line("followup: done 2 (auto push)", took, proxy)
    took, _ = followup(env, proxy, "sync", "--json")
    line("followup: sync after it", took, proxy)
    second = folder / "second"
    second.mkdir()
    (second / "config.toml").write_text('timezone = "Europe/London"\n')
    env2 = dict(env, FOLLOWUP_HOME=str(second))
    followup(env2, proxy, *add)
    took, out = followup(env2, proxy, "sync", "--json")
    [doc] = json.loads(out)
    line("followup: rebuild into an empty home", took, proxy,
         f"  pulled {doc['pulled']}, updated {doc['updated']}")
    took, out = followup(env2, proxy, "sync", "--json")
    line("followup: next sync there", took, proxy)
    vdir = folder / "vdir"
    followup(env, proxy, "remote", "add", "folder", "--vdir", str(vdir))
    took, _ = followup(env, proxy, "sync", "folder")
    print(f"{'followup: push to a vdir folder':<34} {took:7.2f} s")
    vdirsyncer(folder, srv, vdir, theirs)


if __name__ == "__main__":
    main()
