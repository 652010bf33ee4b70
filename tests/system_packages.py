"""Install the Debian packages the test suite's servers need, when they are missing.

Run it before the suite (the README's test line does)::

    python tests/system_packages.py && python -m pip install -e '.[test]' && python -m pytest

As root on Debian it runs ``apt-get update`` once and ``apt-get install`` of just the
missing packages; when all are present it only asks dpkg-query and exits.  Anywhere
else (not root, no dpkg/apt) it prints one line naming what is missing and exits 0:
the tests that need those packages skip (or fail when FOLLOWUP_REQUIRE_SERVERS=1, see
tests/servers.py).

The fixtures start their own throw-away server instances, so the system's own daemons
must not run: during the install a policy-rc.d that answers 101 ("action forbidden")
keeps maintainer scripts from starting them, and afterwards the system services of the
packages this run installed (cyrus-imapd, and exim4 which cyrus-common pulls in as its
mail transport) are stopped and disabled in case an existing policy-rc.d let them start.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# package -> what in the suite needs it
PACKAGES = {
    "cyrus-imapd": "Cyrus IMAP server (tests/cyrus.py)",
    "cyrus-caldav": "Cyrus CalDAV module (tests/cyrus.py)",
    "sasl2-bin": "saslpasswd2, to make Cyrus users (tests/cyrus.py)",
    "chromium": "headless browser tests",
}

# Debian system services that installing PACKAGES can bring along; none may keep running.
SERVICES = {"cyrus-imapd": "cyrus-imapd", "exim4-daemon-light": "exim4", "exim4-daemon-heavy": "exim4"}

POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
APT_OPTIONS = ["-o", "DPkg::Lock::Timeout=300", "-o", "Acquire::Retries=3"]


def installed(packages: list[str]) -> set[str]:
    """The subset of ``packages`` that dpkg reports as "install ok installed"."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package}\t${Status}\n", *packages],
        capture_output=True, text=True, check=False,
    )
    # dpkg-query exits 1 when a package is unknown; the known ones are still listed
    present = set()
    for line in result.stdout.splitlines():
        name, _, status = line.partition("\t")
        if status == "install ok installed":
            present.add(name.split(":")[0])
    return present


def by_command() -> dict[str, str | None]:
    """tests/interop/packages.txt: PACKAGE [COMMAND], the package needed only when the
    command is not on PATH (NodeSource's nodejs ships npm and conflicts with Debian's)."""
    wanted: dict[str, str | None] = {}
    listing = Path(__file__).resolve().parent / "interop" / "packages.txt"
    for line in listing.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            wanted[words[0]] = words[1] if len(words) > 1 else None
    return wanted


def missing_packages() -> list[str] | None:
    """The packages still to install, or None when this system has no dpkg."""
    if shutil.which("dpkg-query") is None:
        return None
    extra = {package: command for package, command in by_command().items()
             if command is None or shutil.which(command) is None}
    wanted = [*PACKAGES, *(p for p in extra if p not in PACKAGES)]
    present = installed(wanted)
    return [p for p in wanted if p not in present]


def apt_get(*args: str) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive", NEEDRESTART_MODE="a")
    print("+ apt-get " + " ".join(args), flush=True)
    subprocess.run(["apt-get", *APT_OPTIONS, *args], env=env, check=True)


def keep_down(service: str) -> None:
    """Stop and disable a system service that a package install may have started."""
    if Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "disable", "--now", service], capture_output=True, check=False)
        return
    if Path(f"/etc/init.d/{service}").exists():
        subprocess.run([f"/etc/init.d/{service}", "stop"], capture_output=True, check=False)
        subprocess.run(["update-rc.d", service, "disable"], capture_output=True, check=False)


def install(missing: list[str]) -> None:
    services_before = installed(list(SERVICES))
    own_policy = not POLICY_RC_D.exists()
    if own_policy:
        POLICY_RC_D.write_text("#!/bin/sh\n# tests/system_packages.py: start no services while installing\nexit 101\n")
        POLICY_RC_D.chmod(0o755)
    try:
        apt_get("update", "-q")
        apt_get("install", "-y", "-q", "--no-install-recommends", *missing)
    finally:
        if own_policy:
            POLICY_RC_D.unlink(missing_ok=True)
    for package in sorted(installed(list(SERVICES)) - services_before):
        keep_down(SERVICES[package])


def main() -> int:
    missing = missing_packages()
    if missing == []:
        return 0
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if missing is None or shutil.which("apt-get") is None:
        where = "not Debian: no dpkg-query/apt-get"
    elif not is_root:
        where = "not root, so not installed"
    else:
        where = ""
    if where:
        names = " ".join(missing or PACKAGES)
        print(f"system_packages: {names} missing ({where}); the tests that need them will skip")
        return 0
    try:
        install(missing)
    except subprocess.CalledProcessError as error:
        print(f"system_packages: apt-get failed with exit code {error.returncode}", file=sys.stderr)
        return error.returncode
    still = missing_packages() or []
    if still:
        print(f"system_packages: still missing after apt-get: {' '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
