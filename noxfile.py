"""The support matrix: every Python and Flask version flask-inspect declares.

    nox -l                      # list the sessions
    nox                         # the default: the suite on this interpreter, latest Flask
    nox -s py3.10 lowest        # what CI runs besides the default
    nox -s py3.12 flask3.0      # any others by name
    FLASK_SOURCE=../flask WERKZEUG_SOURCE=../werkzeug nox -s dev

Extra arguments after ``--`` go to pytest (``nox -s lowest -- -m "not browser"``).

Interpreters are looked up by running them, not by name alone: a pyenv shim
named ``python3.12`` exists on PATH even when that version is not selected,
and fails when run. Set ``NOX_PYTHON_3_12=/path/to/python`` to choose one.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import nox
from packaging.requirements import Requirement

try:
    import tomllib
except ImportError:  # Python 3.10 runs nox too
    import tomli as tomllib

HERE = Path(__file__).parent
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
LOWEST_PYTHON = PYTHONS[0]
LATEST_PYTHON = PYTHONS[-1]

nox.options.default_venv_backend = "venv"
nox.options.download_python = "never"
nox.options.sessions = ["tests"]


def _reports_version(executable: str, version: str) -> bool:
    """Whether ``executable`` runs and is Python ``version`` (shims may not run)."""
    try:
        completed = subprocess.run(  # noqa: S603 - candidates are interpreters we look for
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return completed.returncode == 0 and completed.stdout.strip() == version


@functools.cache
def find_interpreter(version: str) -> str:
    """An absolute path to a working Python ``version``, or ``version`` itself.

    Tried in order: ``NOX_PYTHON_3_X``, ``python3.X`` on PATH, pyenv's and
    uv's install directories, the usual system places. When nothing works the
    bare version goes to nox, which reports the interpreter as missing.
    """
    candidates: list[str] = []
    override = os.environ.get("NOX_PYTHON_" + version.replace(".", "_"))
    if override:
        candidates.append(override)
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append(on_path)
    if sys.version_info[:2] == tuple(int(part) for part in version.split(".")):
        candidates.append(sys.executable)
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in filter(None, roots):
        pattern = os.path.join(root, "versions", f"{version}.*", "bin", f"python{version}")
        candidates += sorted(glob.glob(pattern), reverse=True)
    uv_pattern = str(Path.home() / ".local/share/uv/python" / f"cpython-{version}.*" / "bin")
    candidates += [os.path.join(found, f"python{version}") for found in glob.glob(uv_pattern)]
    for directory in ("/usr/local/bin", "/usr/bin", "/opt/homebrew/bin"):
        candidates.append(os.path.join(directory, f"python{version}"))
    for candidate in candidates:
        if _reports_version(candidate, version):
            return candidate
    return version


def declared_minimums() -> list[str]:
    """``name==lowest`` for every runtime dependency, read from pyproject.toml."""
    with open(HERE / "pyproject.toml", "rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    pins = []
    for line in dependencies:
        requirement = Requirement(line)
        lowest = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        if len(lowest) != 1:
            raise ValueError(f"{line!r}: a runtime dependency needs exactly one '>=' minimum")
        pins.append(f"{requirement.name}=={lowest[0]}")
    return pins


def run_suite(session: nox.Session, *pins: str) -> None:
    """Install the project with its test extras (and ``pins``), then run pytest.

    pytest's exit code 5 (nothing collected) fails the session like any other.
    """
    session.install("-e", ".[test]", *pins)
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=False)
def tests(session: nox.Session) -> None:
    """The default: the README's test command (this repository's .venv)."""
    session.run("./scripts/test", *session.posargs, external=True)


def _python_session(version: str) -> None:
    @nox.session(name=f"py{version}", python=find_interpreter(version))
    def suite(session: nox.Session) -> None:
        run_suite(session)

    suite.__doc__ = f"Python {version}, the latest Flask, Werkzeug, Jinja2 and blinker."


for _version in PYTHONS:
    _python_session(_version)


@nox.session(python=find_interpreter(LOWEST_PYTHON))
def lowest(session: nox.Session) -> None:
    """The lowest Python and the declared minimum of every runtime dependency."""
    run_suite(session, *declared_minimums())


@nox.session(name="flask3.0", python=find_interpreter(LATEST_PYTHON))
def flask30(session: nox.Session) -> None:
    """The newest Flask 3.0.x with the Werkzeug 3.0.x of its time."""
    run_suite(session, "flask==3.0.*", "werkzeug==3.0.*")


@nox.session(name="flask3.1", python=find_interpreter(LATEST_PYTHON))
def flask31(session: nox.Session) -> None:
    """The newest Flask 3.1.x."""
    run_suite(session, "flask==3.1.*")


@nox.session(python=find_interpreter(LATEST_PYTHON))
def dev(session: nox.Session) -> None:
    """Flask and Werkzeug from source checkouts of their development branches.

    FLASK_SOURCE and WERKZEUG_SOURCE name the checkouts (directories with a
    pyproject.toml); the session is skipped, saying why, when either is unset
    or not there.
    """
    sources = []
    for variable in ("FLASK_SOURCE", "WERKZEUG_SOURCE"):
        value = os.environ.get(variable, "")
        if not value:
            session.skip(f"{variable} is not set: point it at a checkout of the development branch")
        if not (Path(value) / "pyproject.toml").is_file():
            session.skip(f"{variable}={value} has no pyproject.toml: not a source checkout")
        sources.append(str(Path(value).resolve()))
    session.install("-e", ".[test]")
    session.install("--no-deps", "--force-reinstall", *sources)
    session.run("python", "-m", "pip", "check")
    session.run("python", "-m", "pip", "list", "--format=freeze", silent=False)
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=find_interpreter(LATEST_PYTHON))
def package(session: nox.Session) -> None:
    """Build the sdist and wheel, check them, and run the tests from the sdist.

    The sdist is installed (not this checkout) and its tests run from its
    unpacked tree; browser tests are left out unless asked for after ``--``.
    """
    session.install("build", "twine")
    tmp = Path(session.create_tmp())
    dist = tmp / "dist"
    unpacked = tmp / "sdist"
    shutil.rmtree(dist, ignore_errors=True)
    shutil.rmtree(unpacked, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("python", "-m", "twine", "check", "--strict", *map(str, dist.glob("*")))
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(unpacked, filter="data")
    (root,) = unpacked.iterdir()
    session.install(f"{root}[test]")
    session.chdir(root)
    session.run(
        "python",
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        *(session.posargs or ["-m", "not browser"]),
    )
