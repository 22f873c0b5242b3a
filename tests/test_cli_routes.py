"""``flask inspect routes``: a better ``flask routes``, table and JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from example_app import create_app
from flask_inspect import describe_routes

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> str:
    app = create_app()
    result = app.test_cli_runner().invoke(args=["inspect", "routes", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _rows(output: str) -> list[str]:
    """The table's body: after the header and rule, up to the first blank line."""
    rows = []
    for line in output.splitlines()[2:]:
        if not line.strip():
            break
        rows.append(line)
    return rows


def _column(output: str, name: str) -> list[str]:
    """One column of the table, cut at the header's positions (rules may hold spaces)."""
    header = output.splitlines()[0]
    names = header.split()
    starts = [header.index(f" {n}") + 1 if i else 0 for i, n in enumerate(names)]
    index = names.index(name)
    end = starts[index + 1] if index + 1 < len(starts) else None
    return [row[starts[index] : end].strip() for row in _rows(output)]


def test_table_lists_rules_in_match_order_with_converter_types() -> None:
    output = _run()
    lines = output.splitlines()
    assert lines[0].split() == ["#", "Methods", "Rule", "Arguments", "Endpoint", "View"]
    body = "\n".join(lines)
    assert "id:int" in body
    assert "order_id:uuid.UUID" in body
    assert "day:datetime.date" in body
    by_id = next(i for i, line in enumerate(lines) if " user_by_id " in line)
    by_name = next(i for i, line in enumerate(lines) if " username " in line)
    assert by_id < by_name
    assert "example_app/app.py:" in lines[by_id]
    assert "Order: match priority" in output


def test_automatic_methods_are_left_out_of_the_table() -> None:
    line = next(line for line in _run().splitlines() if " submit " in line)
    assert line.split()[1] == "POST"


def test_sort_by_rule_and_by_endpoint() -> None:
    rules = _column(_run("--sort", "rule"), "Rule")
    assert rules == sorted(rules)
    endpoints = _column(_run("--sort", "endpoint"), "Endpoint")
    assert "demos.async_view" in endpoints
    assert endpoints == sorted(endpoints)


def test_filter_keeps_matching_rules_only() -> None:
    lines = _rows(_run("--filter", "shop"))
    assert len(lines) == 3
    assert all("/shop/" in line for line in lines)
    assert "No routes match." in _run("--filter", "no-such-thing")


def test_json_output_is_the_api_contract() -> None:
    payload = json.loads(_run("--json"))
    assert payload["routes"] == [route.to_dict() for route in describe_routes(create_app())]


def test_json_output_respects_filter_and_sort() -> None:
    payload = json.loads(_run("--json", "--filter", "calendar", "--sort", "endpoint"))
    assert [route["endpoint"] for route in payload["routes"]] == ["calendar_day", "calendar_named"]


def test_the_real_flask_command_line_has_the_inspect_group() -> None:
    env = {**os.environ, "FLASK_APP": "example_app.app"}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "inspect", "routes", "--filter", "price"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "/price/<float:amount>" in result.stdout
    assert "amount:float" in result.stdout
