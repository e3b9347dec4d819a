"""The house rules that can be checked mechanically: one-way imports, one public surface,
no side effects at import, no asserts on caller input."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import ibm_engine

SRC = Path(ibm_engine.__file__).parent

#: layer of every subpackage / module; imports may only point to the same or a lower layer
LAYERS = {
    "errors": 0,
    "_typing": 0,
    "_tolerances": 0,
    "domain": 1,
    "data": 1,
    "tables": 2,
    "budget": 3,
    "priorities": 3,
    "solve": 4,
    "allocation": 5,
    "region": 6,
    "metrics": 7,
    "scenarios": 8,
    "report": 9,
    "io": 10,
    "scale": 11,
    "cli": 12,
    "__main__": 12,  # python -m ibm_engine: runs the command line
}

#: the public surface; a name appearing or vanishing must be announced (CHANGELOG) and here
PUBLIC = [
    "AllocationResult",
    "Baseline",
    "CarryOver",
    "Catalogue",
    "CostedPlanBudget",
    "ExtraMoney",
    "FlatBudget",
    "IbmEngineError",
    "IbmEngineWarning",
    "InputError",
    "ItemAllocation",
    "LIMITS",
    "MECHANISMS",
    "MERGES",
    "NeedLevelBudget",
    "NotApplicableError",
    "POLICIES",
    "Participant",
    "ParticipantAllocation",
    "ParticipantView",
    "PeriodsResult",
    "Plan",
    "PlanItem",
    "PointsBudget",
    "PotCalibrated",
    "PotGroups",
    "REASONS",
    "RankMerge",
    "Reason",
    "Record",
    "RegionResult",
    "RegressionBudget",
    "RepartitionWarning",
    "Reproduction",
    "RunArchive",
    "Scenario",
    "ScenarioRun",
    "Service",
    "SolverError",
    "SolverWarning",
    "Source",
    "Status",
    "TraditionalResult",
    "TransitionProtected",
    "UnknownMunicipalityWarning",
    "DatasetResult",
    "ZEMGALE_MUNICIPALITIES",
    "__version__",
    "allocate",
    "allocate_dataset",
    "allocate_plan",
    "allocate_region",
    "allocate_region_dataset",
    "at_budget_change",
    "compare",
    "compare_mechanisms",
    "covid_2020_disruptions",
    "default_catalogue",
    "explain_frame",
    "explain_summary",
    "explain_text",
    "fit_regression",
    "json_schemas",
    "kpis",
    "plan_delivery",
    "prefinancing",
    "read_table",
    "read_tables",
    "reproduce",
    "result_html",
    "run_mechanisms",
    "run_periods",
    "run_scenario",
    "run_scenarios",
    "simulate_delivery",
    "smallest_budget_for",
    "sweep",
    "synthetic_dataset",
    "synthetic_zemgale",
    "traditional",
    "waiting_list",
    "what_extra_money_buys",
    "winners_losers",
    "with_assessment",
    "with_family_ranking",
    "write_dataset",
    "write_excel_report",
    "write_json_schemas",
    "write_tables",
]


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "ibm_engine" or len(parts) < 2:
        return None
    return LAYERS.get(parts[1])


def _module_level_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of imports outside functions (including TYPE_CHECKING blocks)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module and not inside:
                found.append((child.lineno, child.module))
            elif isinstance(child, ast.Import) and not inside:
                found.extend((child.lineno, a.name) for a in child.names)
            visit(child, inside)

    visit(tree, False)
    return found


#: the one sanctioned upward import (STYLE.md): a result's ``_repr_html_`` may import its
#: HTML builder from ``report`` inside the method
DISPLAY_EXCEPTION = ("_repr_html_", "ibm_engine.report")


def _all_imports(source: str) -> list[tuple[int, str, str | None]]:
    """(line, module, innermost enclosing function or None) of every import of a module."""
    found: list[tuple[int, str, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = (
                child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else None
            )
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.append((child.lineno, child.module, function))
            elif isinstance(child, ast.Import):
                found.extend((child.lineno, a.name, function) for a in child.names)
            visit(child, inner or function)

    visit(ast.parse(source), None)
    return found


def _sanctioned(module: str, function: str | None) -> bool:
    name, target = DISPLAY_EXCEPTION
    return function == name and (module == target or module.startswith(target + "."))


def upward_imports(source: str, own: int, where: str = "<source>") -> list[str]:
    """Imports of ``source`` (at module level or inside functions) that point up the layers,
    except the display exception."""
    wrong = []
    for line, module, function in _all_imports(source):
        target = _layer(module)
        if target is not None and target > own and not _sanctioned(module, function):
            inside = f" in {function}()" if function else ""
            wrong.append(f"{where}:{line} imports {module}{inside} (layer {target} > {own})")
    return wrong


def test_imports_point_one_way() -> None:
    wrong = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC)
        if rel.name == "__init__.py" and len(rel.parts) == 1:
            continue  # the package facade re-exports everything
        own = LAYERS.get(rel.parts[0].removesuffix(".py"))
        assert own is not None, f"{rel} is in no layer: add it to LAYERS"
        wrong += upward_imports(path.read_text(encoding="utf-8"), own, str(rel))
    assert not wrong, "imports pointing up the layers:\n" + "\n".join(wrong)


def test_the_display_exception_is_exactly_repr_html_importing_report() -> None:
    allocation = LAYERS["allocation"]
    ok = "class R:\n    def _repr_html_(self):\n        from ibm_engine.report import result_html\n"
    assert upward_imports(ok, allocation) == []
    nested = "def _repr_html_():\n    import ibm_engine.report._html\n"
    assert upward_imports(nested, allocation) == []
    for bad in (
        "from ibm_engine.report import result_html\n",  # at module level
        "def show():\n    from ibm_engine.report import result_html\n",  # another function
        "def _repr_html_():\n    from ibm_engine.io import write_tables\n",  # another layer
        "def _repr_html_():\n    import ibm_engine.scenarios\n",  # a layer other than report
        "def _repr_html_():\n    def inner():\n        import ibm_engine.metrics\n",
    ):
        assert len(upward_imports(bad, allocation)) == 1, bad


def test_solve_knows_nothing_of_pandas_or_pydantic() -> None:
    for path in (SRC / "solve").rglob("*.py"):
        mods = {m.split(".")[0] for _, m in _module_level_imports(path)}
        assert not mods & {"pandas", "pydantic"}, path


def test_public_surface_is_announced() -> None:
    assert sorted(ibm_engine.__all__) == sorted(PUBLIC)
    for name in ibm_engine.__all__:
        assert getattr(ibm_engine, name) is not None


def test_allocate_is_the_function() -> None:
    import ibm_engine.allocation._allocate  # importing a submodule must not rebind the name

    assert callable(ibm_engine.allocate)
    assert ibm_engine.allocate.__name__ == "allocate"


def test_no_heavy_imports_or_handlers_at_import() -> None:
    # pyarrow is left out: pandas itself imports it when it is installed (string dtype)
    code = (
        "import sys, logging; import ibm_engine; "
        "heavy = [m for m in ('matplotlib', 'openpyxl', 'ortools', 'dask', 'distributed', "
        "'hypothesis', 'scipy', 'duckdb', 'psycopg', 'numba') if m in sys.modules]; "
        "handlers = [type(h).__name__ for h in logging.getLogger('ibm_engine').handlers]; "
        "print(heavy, handlers)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] ['NullHandler']"


def test_no_assert_in_library_code() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assert):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders, offenders


#: the one home of every tolerance (STYLE.md rule 17)
TOLERANCES_MODULE = "_tolerances.py"

#: files allowed a small float literal outside ``_tolerances.py``, each with its reason; every
#: entry is a debt to pay, not a licence (the test fails when an entry no longer needs it)
SMALL_LITERAL_EXCEPTIONS: dict[str, str] = {}


def small_float_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every float literal in scientific notation below 1e-3 in ``source``.

    Literals inside strings and comments (docstrings quoting the contract) do not count.

    >>> small_float_literals("x = 1e-9  # 1e-12\\ny = 'a 1e-7'\\nz = 1e-3 + 2.5E-10\\n")
    [(1, '1e-9'), (3, '2.5E-10')]
    """
    found = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NUMBER and "e" in tok.string.lower():
            text = tok.string.replace("_", "").lower().rstrip("j")
            if "x" not in text and abs(float(text)) < 1e-3:
                found.append((tok.start[0], tok.string))
    return found


def test_tolerances_live_in_one_module() -> None:
    """A tolerance such as ``1e-9`` is defined once, in ``_tolerances.py``, with its meaning."""
    offenders, used = [], set()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel == TOLERANCES_MODULE:
            continue
        hits = small_float_literals(path.read_text(encoding="utf-8"))
        if hits and rel in SMALL_LITERAL_EXCEPTIONS:
            used.add(rel)
            continue
        offenders += [f"{rel}:{line}: {text}" for line, text in hits]
    assert not offenders, (
        "float literals below 1e-3 outside ibm_engine/_tolerances.py (name them there, with "
        "their meaning and unit):\n" + "\n".join(offenders)
    )
    assert used == set(SMALL_LITERAL_EXCEPTIONS), "stale exceptions: drop them from the list"


def test_every_tolerance_is_documented() -> None:
    """Each name in ``_tolerances.__all__`` has a ``#:`` comment saying its unit and meaning."""
    from ibm_engine import _tolerances

    source = (SRC / TOLERANCES_MODULE).read_text(encoding="utf-8").splitlines()
    documented = set()
    for k, line in enumerate(source):
        name = line.split(":", 1)[0].strip()
        if name in _tolerances.__all__ and k > 0 and source[k - 1].startswith("#: "):
            documented.add(name)
    assert documented == set(_tolerances.__all__)
    assert _tolerances.__all__ == sorted(_tolerances.__all__)
