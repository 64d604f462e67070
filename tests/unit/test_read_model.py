"""The read model's shape: analytics/ returns typed results and points down."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import typing
from pathlib import Path

import shortener.analytics as analytics
from shortener.analytics import feed, kpis, overview, queries, results

ANALYTICS = Path(analytics.__file__).parent
UPPER_LAYERS = ("shortener.web", "shortener.api", "shortener.dashboard", "shortener.cli")


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_analytics_imports_nothing_from_the_layers_above():
    for path in ANALYTICS.glob("*.py"):
        above = {name for name in imported(path)
                 if any(name == layer or name.startswith(layer + ".") for layer in UPPER_LAYERS)}
        assert not above, f"{path.name} imports {above}"


def test_every_result_is_a_frozen_dataclass():
    for _, kind in inspect.getmembers(results, inspect.isclass):
        if kind.__module__ == results.__name__:
            assert dataclasses.is_dataclass(kind), kind
            assert kind.__dataclass_params__.frozen, kind


def test_the_read_functions_return_results_not_dicts():
    public = [queries.get_stats, queries.get_link_stats, queries.get_campaign_stats,
              queries.get_advocate_stats, kpis.get_campaign_kpis, kpis.get_campaign_report,
              kpis.list_top_advocates, overview.get_overview, overview.get_overview_page,
              overview.get_campaign_page, overview.list_leaders, overview.narrowed,
              overview.get_advocate_progress, feed.list_latest_clicks]
    for function in public:
        returned = str(typing.get_type_hints(function)["return"])
        assert "dict[str, typing.Any]" not in returned and "Any" not in returned, \
            f"{function.__name__} returns {returned}"
