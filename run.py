#!/usr/bin/env python3
"""xinyong's two commands for a fresh machine that has only Python 3.11+ (standard library only).

    python3 run.py demo [ARGS...]   the platform on SQLite with demo data at http://127.0.0.1:8000
    python3 run.py test [ARGS...]   ruff (lint + format check), then the whole pytest suite on SQLite
                                    and a private PostgreSQL server; ARGS go to pytest

Both create .venv in the repository when it is missing and install the project into it; the install
is skipped while pyproject.toml is unchanged (its hash is kept in .venv/.xinyong-installed).

`test` installs PostgreSQL with apt-get when its server binaries are missing and it runs as root.
Without PostgreSQL the PostgreSQL tests are skipped with the reason, except with CI=true, where
they fail.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
MARKER = VENV / ".xinyong-installed"
LINT_PATHS = ("src", "tests", "bench")
USAGE = __doc__.split("\n\n")[1]


def step(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def run(cmd: list[str], **kwargs: object) -> int:
    print("$ " + shlex.join(cmd), flush=True)
    return subprocess.call(cmd, **kwargs)  # type: ignore[call-overload]


def python_runs(python: Path) -> bool:
    try:
        return subprocess.call([str(python), "-c", "import sys"], stderr=subprocess.DEVNULL) == 0
    except OSError:
        return False


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def apt_install(*packages: str) -> bool:
    """apt-get update + install as root; False (after saying why) when that is not possible or fails."""
    if not (is_root() and shutil.which("apt-get")):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if run(["apt-get", "update"], env=env, stdin=subprocess.DEVNULL) != 0:
        print("apt-get update failed; trying the install anyway", flush=True)
    ok = run(["apt-get", "install", "-y", *packages], env=env, stdin=subprocess.DEVNULL) == 0
    if not ok:
        print(f"apt-get install {' '.join(packages)} failed", flush=True)
    return ok


def ensure_venv() -> None:
    if PYTHON.exists() and python_runs(PYTHON):
        return
    if VENV.exists():
        step(f"{VENV} is broken (its python does not run); recreating it")
        shutil.rmtree(VENV)
    step(f"creating virtualenv {VENV}")
    if run([sys.executable, "-m", "venv", str(VENV)]) == 0:
        return
    # Debian/Ubuntu ship venv's pip bootstrap (ensurepip) in a separate package.
    shutil.rmtree(VENV, ignore_errors=True)
    minor = f"python3.{sys.version_info.minor}-venv"
    if apt_install("python3-venv", minor) and run([sys.executable, "-m", "venv", str(VENV)]) == 0:
        return
    sys.exit(
        "could not create the virtualenv; on Debian/Ubuntu install python3-venv "
        "(apt-get install python3-venv) and run this again"
    )


def pyproject_hash() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def installed() -> tuple[str, set[str]]:
    """(pyproject hash, extras) recorded by the last successful install, or ("", set())."""
    try:
        digest, _, extras = MARKER.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return "", set()
    return digest, set(filter(None, extras.split(",")))


def ensure_installed(extras: set[str]) -> None:
    ensure_venv()
    digest, have = installed()
    if digest == pyproject_hash() and extras <= have:
        print("(.venv is up to date with pyproject.toml; skipping install)", flush=True)
        return
    target = "." + (f"[{','.join(sorted(extras))}]" if extras else "")
    step(f"installing xinyong into .venv ({target})")
    if run([str(PYTHON), "-m", "pip", "install", "-e", target]) != 0:
        sys.exit("pip install failed")
    # a later plain `demo` must not downgrade what `test` recorded
    recorded = extras | have if digest == pyproject_hash() else extras
    MARKER.write_text(f"{pyproject_hash()} {','.join(sorted(recorded))}\n", encoding="utf-8")


def have_postgres() -> bool:
    if shutil.which("initdb") and shutil.which("pg_ctl"):
        return True
    return any(
        os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(os.path.join(d, "pg_ctl"), os.X_OK)
        for d in glob.glob("/usr/lib/postgresql/*/bin")
    )


def ensure_postgres() -> None:
    if have_postgres() or os.environ.get("XINYONG_TEST_PG_URL"):
        return
    step("PostgreSQL server binaries not found")
    if not (is_root() and shutil.which("apt-get")):
        print("not root or no apt-get: PostgreSQL tests will be skipped (fail with CI=true)", flush=True)
        return
    print("installing the Debian `postgresql` package with apt-get", flush=True)
    if not apt_install("postgresql"):
        print("PostgreSQL tests will be skipped (fail with CI=true)", flush=True)


def cmd_demo(args: list[str]) -> int:
    ensure_installed(set())
    cmd = [str(BIN / "xinyong"), "demo", *args]
    step("starting the demo (Ctrl-C to stop)")
    print("$ " + shlex.join(cmd), flush=True)
    if os.name == "posix":
        os.execv(cmd[0], cmd)  # the server gets Ctrl-C and its exit status directly
    return subprocess.call(cmd)


def cmd_test(args: list[str]) -> int:
    ensure_installed({"test"})
    ensure_postgres()
    paths = [p for p in LINT_PATHS if (ROOT / p).is_dir()]
    status = 0
    for title, cmd in (
        ("ruff check", [str(BIN / "ruff"), "check", *paths]),
        ("ruff format --check", [str(BIN / "ruff"), "format", "--check", *paths]),
        ("pytest", [str(PYTHON), "-m", "pytest", *args]),
    ):
        step(title)
        rc = run(cmd)
        if rc != 0:
            print(f"{title} failed (exit {rc})", flush=True)
            status = status or rc
    step("all checks passed" if status == 0 else f"FAILED (exit {status})")
    return status


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036  run.py starts on whatever python3 the machine has
        for name in ("python3.13", "python3.12", "python3.11"):
            if newer := shutil.which(name):
                os.execv(newer, [newer, str(Path(__file__).resolve()), *argv])
        sys.exit(f"xinyong needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    os.chdir(ROOT)
    if not argv:
        print(f"usage:\n{USAGE}\n\nmore: python3 run.py --help", file=sys.stderr)
        return 2
    if argv[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        return 0
    command, args = argv[0], argv[1:]
    if command == "demo":
        return cmd_demo(args)
    if command == "test":
        return cmd_test(args)
    print(f"unknown command {command!r}\n{USAGE}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
