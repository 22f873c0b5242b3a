"""The README's screenshots: taken by scripts/screenshots.py from the teaching app, kept small."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PICTURES = ("match.png", "contexts.png")
MAX_BYTES = 150_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's header chunk."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_the_script_takes_both_pictures_small(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "screenshots.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for name in PICTURES:
        picture = tmp_path / name
        assert 20_000 < picture.stat().st_size < MAX_BYTES, name  # a real page, not a blank
        width, height = png_size(picture)
        assert width == 1000
        assert 500 <= height <= 760


def test_the_readme_shows_the_committed_pictures_near_its_top() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # Right after the two commands the README starts with, before any other section.
    intro, commands = readme.split("\n## ", 2)[:2]
    assert commands.startswith("Two commands")
    top = intro + commands
    for name in PICTURES:
        assert f"](docs/{name})" in top, name
        picture = ROOT / "docs" / name
        assert picture.stat().st_size < MAX_BYTES, name
        assert png_size(picture)[0] == 1000
