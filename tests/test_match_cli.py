"""``flask inspect match PATH [-X METHOD] [--host HOST] [--json]``: exit 0 on a match or
redirect, 1 otherwise, 2 with a reason for input no client could send."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from example_app import create_app

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> Result:
    return create_app().test_cli_runner().invoke(args=["inspect", "match", *args])


def test_match_command_exits_0_and_shows_the_view_args_on_a_match() -> None:
    result = _run("/user/7")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "200 Matched  GET localhost/user/7"
    assert lines[1] == "200: /user/<int:id> matches, endpoint 'user_by_id' with id=7 (int)"
    assert "  id = 7  (int)" in lines


def test_match_command_exits_0_on_a_redirect() -> None:
    result = _run("/docs")
    assert result.exit_code == 0, result.output
    assert "Redirects to: http://localhost/docs/" in result.output


def test_match_command_exits_1_and_explains_a_miss_segment_by_segment() -> None:
    result = _run("/page/51")
    assert result.exit_code == 1
    output = result.output
    assert (
        "404: /page/<int(min=1, max=50):number> was chosen, but segment 1: 51 is above max=50"
        in (output)
    )
    # The URL drawn over the rule, with a caret under the failing segment.
    diagram = [line for line in output.splitlines() if line.startswith(("  URL", "  rule"))]
    assert diagram == [
        "  URL   /page/51",
        "  rule  /page/<int(min=1, max=50):number>",
    ]
    caret = next(line for line in output.splitlines() if "^" in line)
    assert caret.strip().startswith("^" * len("<int(min=1, max=50):number>"))
    assert caret.index("^") == diagram[1].index("<int")


def test_match_command_method_option_and_405() -> None:
    assert _run("/submit", "-X", "POST").exit_code == 0
    refused = _run("/submit")
    assert refused.exit_code == 1
    assert "Allowed methods: OPTIONS, POST" in refused.output


def test_match_command_takes_a_full_url_or_a_host() -> None:
    result = _run("http://example.org:5000/docs", "--json")
    data = json.loads(result.output)
    assert data["host"] == "example.org:5000"
    assert data["redirect_to"] == "http://example.org:5000/docs/"
    assert json.loads(_run("/docs", "--host", "other.net", "--json").output)["host"] == "other.net"


def test_match_command_json_is_the_explanation() -> None:
    result = _run("/usr/7", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["verdict"] == "not_found"
    assert data["suggestions"][0] == {
        "rule": "/user/<int:id>",
        "endpoint": "user_by_id",
        "example": "/user/7",
    }


def test_match_command_suggests_and_hides_unrelated_rules_unless_asked() -> None:
    result = _run("/usr/7")
    assert "Did you mean:" in result.output
    assert "/user/<int:id>  (user_by_id)  e.g. /user/7" in result.output
    assert "--all lists them" in result.output
    assert "/shop/" not in result.output
    assert "/shop/" in _run("/usr/7", "--all").output


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("/" + "a" * 20_000,), "path_too_long"),
        (("/a\x00b",), "invalid_path"),
        (("/a", "-X", "GE T"), "invalid_method"),
        (("/a", "--host", "bad host"), "invalid_host"),
    ],
)
def test_match_command_refuses_bad_input_with_exit_2_and_a_reason(
    args: tuple[str, ...], reason: str
) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert reason in result.output
    assert "Traceback" not in result.output


def test_match_command_runs_from_the_real_flask_cli() -> None:
    env = {**os.environ, "FLASK_APP": "example_app"}
    flask = [sys.executable, "-m", "flask"]
    found = subprocess.run(
        [*flask, "inspect", "match", "/user/7"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stderr
    missed = subprocess.run(
        [*flask, "inspect", "match", "/nope"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missed.returncode == 1
    assert missed.stdout.startswith("404 Not found")


def test_readme_route_explain_example_is_what_the_cli_prints() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = "$ flask --app example_app.app inspect match /calendar/2026-02-30\n"
    shown = readme.split(command, 1)[1].split("```", 1)[0]
    result = _run("/calendar/2026-02-30")
    assert result.exit_code == 1
    assert result.output == shown
