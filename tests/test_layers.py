"""The structure keeps its shape (README: Layout). import-linter (`make lint`, .importlinter)
checks which app may import which; these checks forbid the ways around it and keep the
modules small enough to read."""

import ast
import configparser
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIG = configparser.ConfigParser()
CONFIG.read(ROOT / ".importlinter")
APPS = CONFIG["importlinter"]["root_packages"].split()
MAX_MODULE_LINES = 400
MAX_APP_SHARE = 0.35


def _modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    )


def _project_module(node: ast.Import | ast.ImportFrom) -> str | None:
    if isinstance(node, ast.ImportFrom):
        if node.level:  # a relative import is always our own
            return "." * node.level + (node.module or "")
        names = [node.module or ""]
    else:
        names = [alias.name for alias in node.names]
    for name in names:
        if name.split(".")[0] in APPS:
            return name
    return None


def _function_level_imports(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for function in ast.walk(tree):
        # AppConfig.ready() is where Django wants an app's receivers connected: its models
        # are not loaded when apps.py is imported.
        if (
            isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            and function.name != "ready"
        ):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    module = _project_module(node)
                    if module:
                        found.append((node.lineno, module))
    return found


def _get_model_of_ours(tree: ast.AST) -> list[int]:
    """apps.get_model("<one of our apps>", ...): a model reached without importing it."""
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and str(node.args[0].value).split(".")[0] in APPS
        ):
            lines.append(node.lineno)
    return lines


def test_it_checks_every_app_of_the_project():
    installed = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert installed <= set(APPS), f"add {installed - set(APPS)} to .importlinter"


def test_no_project_import_hides_inside_a_function():
    found = {
        f"{path.relative_to(ROOT)}:{line}": module
        for path in _modules()
        for line, module in _function_level_imports(ast.parse(path.read_text()))
    }
    assert found == {}


def test_no_model_of_ours_is_fetched_by_name():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _modules()
        for line in _get_model_of_ours(ast.parse(path.read_text()))
    ]
    assert found == []


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert long == {}


def test_no_app_holds_more_than_its_share_of_the_code():
    lines = dict.fromkeys(APPS, 0)
    for path in _modules():
        lines[path.relative_to(ROOT).parts[0]] += len(path.read_text().splitlines())
    total = sum(lines.values())
    largest = max(lines, key=lines.get)
    assert lines[largest] / total <= MAX_APP_SHARE, f"{largest}: {lines[largest]} of {total}"


@pytest.mark.parametrize(
    "source, found",
    [
        ("def f():\n    from contacts.models import Kol\n", [(2, "contacts.models")]),
        ("def f():\n    import reviews.models\n", [(2, "reviews.models")]),
        ("def f():\n    from . import tasks\n", [(2, ".")]),
        ("def f():\n    import json\n", []),
        ("def ready(self):\n    from accounts import receivers\n", []),
        ("from contacts.models import Kol\n", []),
    ],
)
def test_the_import_check_sees_what_it_must(source, found):
    assert _function_level_imports(ast.parse(source)) == found


def test_the_get_model_check_sees_what_it_must():
    tree = ast.parse('apps.get_model("reviews", "StageReview")\napps.get_model("auth", "User")')
    assert _get_model_of_ours(tree) == [1]


def _circles(graph) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    order, low, stack, on_stack, circles = {}, {}, [], set(), []

    def visit(module: str) -> None:
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in order:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], order[imported])
        if low[module] == order[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in order:
            visit(module)
    return circles


def test_no_modules_import_each_other_in_a_circle():
    assert _circles(grimp.build_graph(*APPS)) == []


def test_the_circle_check_sees_a_circle():
    graph = grimp.ImportGraph()
    for module in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(module)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.b")
    graph.add_import(importer="a.d", imported="a.b")
    assert _circles(graph) == [["a.b", "a.c"]]
