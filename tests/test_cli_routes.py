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
    assert "Match order: # is the order Werkzeug tries these rules in, 1 first." in output


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
    assert _run("--filter", "no-such-thing").splitlines() == [
        "No routes match.",
        f"The panel's own {_panel_rule_count()} rules are not listed (--all lists them).",
    ]
    assert "flask_inspect.api_match" in _run("--filter", "api_match", "--all")


def test_json_output_is_the_api_contract() -> None:
    payload = json.loads(_run("--json", "--all"))
    assert payload["routes"] == [route.to_dict() for route in describe_routes(create_app())]
    # By default the panel's own rules are left out of the JSON as of the table.
    default = json.loads(_run("--json"))["routes"]
    assert default == [r for r in payload["routes"] if r["blueprint"] != "flask_inspect"]
    assert len(default) < len(payload["routes"])


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


def _numbers(output: str) -> list[int]:
    return [int(number) for number in _column(output, "#")]


def test_panel_rules_are_hidden_by_default_and_all_lists_them() -> None:
    app = create_app()
    panel = [r for r in describe_routes(app) if r.blueprint == "flask_inspect"]
    output = _run()
    assert not any(e.startswith("flask_inspect.") for e in _column(output, "Endpoint"))
    assert f"the panel's own {len(panel)} are not listed (--all lists them)" in output
    every = _run("--all")
    assert "flask_inspect.api_routes" in _column(every, "Endpoint")
    assert "not listed" not in every
    assert len(_rows(every)) == len(_rows(output)) + len(panel)


def test_numbers_run_from_1_without_gaps_and_survive_filters() -> None:
    output = _run()
    count = len(describe_routes(create_app())) - _panel_rule_count()
    assert _numbers(output) == list(range(1, count + 1))
    assert f"\n{count} rules; " in output
    full = dict(zip(_column(output, "Endpoint"), _numbers(output), strict=True))
    filtered = _run("--filter", "user")
    assert dict(zip(_column(filtered, "Endpoint"), _numbers(filtered), strict=True)) == {
        "user_by_id": full["user_by_id"],
        "username": full["username"],
    }
    assert f"2 of {count} rules shown" in filtered
    every = _run("--all")
    assert _numbers(every) == list(range(1, len(_rows(every)) + 1))
    by_rule = _run("--sort", "rule")
    assert "Sorted by rule; # is still the order Werkzeug tries these rules in" in by_rule
    assert sorted(_numbers(by_rule)) == list(range(1, count + 1))


def test_method_option_keeps_rules_accepting_that_method() -> None:
    output = _run("--method", "delete")
    assert _column(output, "Endpoint") == ["items"]
    assert _column(output, "Rule") == ["/api/items/<int:item_id>"]
    posts = _column(_run("--method", "POST"), "Endpoint")
    assert sorted(posts) == ["items", "submit"]


def test_blueprint_option_takes_nested_blueprints_and_the_app_itself() -> None:
    assert _column(_run("--blueprint", "shop"), "Endpoint") == [
        "shop.catalogue",
        "shop.item",
        "shop.admin.dashboard",
    ]
    assert _column(_run("--blueprint", "shop.admin"), "Endpoint") == ["shop.admin.dashboard"]
    own = _column(_run("--blueprint", "-"), "Endpoint")
    assert "user_by_id" in own
    assert not any("." in endpoint for endpoint in own)
    result = create_app().test_cli_runner().invoke(args=["inspect", "routes", "--blueprint", "x"])
    assert result.exit_code == 2
    assert "no blueprint 'x'" in result.output
    assert "shop.admin" in result.output


def _run_at(width: int, *args: str) -> str:
    result = (
        create_app()
        .test_cli_runner()
        .invoke(args=["inspect", "routes", *args], env={"COLUMNS": str(width)})
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_table_fits_columns_by_shortening_then_dropping_the_view() -> None:
    wide = _run_at(300, "--all")
    assert ".venv" in wide or "site-packages" in wide or "flask/app.py" in wide
    assert f"example_app/app.py:{_user_by_id_line()}" in wide
    narrower = max(len(line) for line in wide.split("\n\n")[0].splitlines()) - 10
    shortened = _run_at(narrower, "--all")
    assert shortened.splitlines()[0].split()[-1] == "View"
    table = shortened.split("\n\n")[0].splitlines()
    assert max(len(line) for line in table) <= narrower
    assert f" app.py:{_user_by_id_line()}" in shortened  # the file name, without its folder
    assert "example_app/app.py" not in shortened
    dropped = _run_at(100)
    table = dropped.split("\n\n")[0].splitlines()
    assert "View" not in table[0]
    assert max(len(line) for line in table) <= 100
    assert "Arguments" in table[0]
    tight = _run_at(70)
    table = tight.split("\n\n")[0].splitlines()
    assert table[0].split() == ["#", "Methods", "Rule", "Endpoint"]


def test_lint_notes_and_footer_wrap_to_columns() -> None:
    output = _run_at(72)
    after_table = output.split("\n\n", 1)[1]
    assert "Lint:" in after_table
    assert all(len(line) <= 72 for line in after_table.splitlines())
    assert "[warn] /calendar/<date:day>" in after_table
    # Continuation lines are indented under the note they belong to.
    lint = after_table.split("Lint:\n", 1)[1].splitlines()
    assert len(lint) > 2
    assert all(line.startswith(("  [", "      ")) for line in lint)


def test_piped_output_is_not_cut_to_a_width() -> None:
    result = create_app().test_cli_runner().invoke(args=["inspect", "routes"], env={"COLUMNS": ""})
    assert f"example_app/app.py:{_user_by_id_line()}" in result.output
    assert any(len(line) > 120 for line in result.output.splitlines())


def _panel_rule_count() -> int:
    app = create_app()
    return sum(1 for rule in app.url_map.iter_rules() if rule.endpoint.startswith("flask_inspect."))


def _user_by_id_line() -> int:
    """Where the teaching app's ``user_by_id`` view is defined (the line the CLI shows)."""
    route = next(r for r in describe_routes(create_app()) if r.endpoint == "user_by_id")
    assert route.view is not None
    assert route.view.line is not None
    return route.view.line
