"""Every error the core raises for people (app.errors.UserError) speaks the interface language.

The guard is static: the sources of app/ (HQ's service, app/hq, answers in English and is left
out) are parsed, and every ``raise <UserError subclass>(...)`` must pass a ``translate(...)``
call with literal context and text (what ``pyside6-lupdate`` collects), its ``.format(...)``,
or a variable bound from one; never a raw English string or an f-string. The slow test then
shows the messages really come out in Chinese under zh_CN (it needs the .ts and .qm updated
with the new strings).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO

APP = REPO / "app"
BASE = "UserError"
# Files whose messages are not translated yet, each with the reason. A file leaves this list
# when its last raw message is wrapped: the strict xfail then fails on purpose, as a reminder.
PENDING: dict[str, str] = {}
# What must stay a UserError (and catchable as it was before).
EXPECTED = {
    "app.inspection.errors": {"WorkbenchError": ()},
    "app.inspection.lock_rules": {"RecordLockedError": ()},
    "app.evaluation.signing": {"SigningError": ()},
    "app.profile.errors": {"ProfileError": (), "ProfileLockedError": (),
                           "ProfileStorageError": (), "ProfileDiskFullError": (),
                           "ProfileReadOnlyError": (), "ProfileBusyError": (),
                           "ProfileCorruptError": ()},
    "app.badge.trust_lists": {"TrustListError": (ValueError,),
                              "RevocationListError": (ValueError,)},
    "app.badge.payload": {"BadgeContentError": (ValueError,)},
    "app.badge.keys": {"BadgeKeyError": ()},
    "app.badge.issue": {"BadgeIssueError": (ValueError,)},
    "app.evaluation.report": {"EvaluationError": (), "EvaluationLockedError": ()},
    "app.inspection.roster.report": {"RosterFileError": ()},
    "app.sync.state": {"SyncError": ()},
    "app.sync.records": {"RecordError": (ValueError,)},
    "app.sync.protocol": {"SignedFileError": ()},
    "app.inspection.checklist": {"ChecklistTemplateError": (LookupError,)},
    "app.cli.common": {"CommandError": ()},
}
_LETTERS = re.compile(r"[A-Za-z]")


# ------------------------------------------------------------------------------ the checker
def _name(node: ast.expr) -> str | None:
    """``X`` or ``module.X`` -> "X"."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


@dataclass
class ErrorClasses:
    """The UserError subclasses of a set of modules, by class name."""

    bases: dict[str, list[str]] = field(default_factory=dict)
    # The classes that define __init__: True when it supplies a translated default message.
    own_init: dict[str, bool] = field(default_factory=dict)
    user: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, trees: Iterable[ast.Module]) -> ErrorClasses:
        found = cls()
        defined: dict[str, int] = {}
        for tree in trees:
            for node in ast.walk(tree):
                if not isinstance(node, ast.ClassDef):
                    continue
                defined[node.name] = defined.get(node.name, 0) + 1
                found.bases[node.name] = [n for n in map(_name, node.bases) if n]
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        found.own_init[node.name] = any(
                            _is_translate_call(n) for n in ast.walk(item))
        found.user = {BASE}
        changed = True
        while changed:
            changed = False
            for name, bases in found.bases.items():
                if name not in found.user and found.user.intersection(bases):
                    found.user.add(name)
                    changed = True
        twice = sorted(n for n in found.user if defined.get(n, 0) > 1)
        assert not twice, f"two classes named {twice}: the check goes by class name"
        return found

    def default_is_translated(self, name: str) -> bool:
        """Raised without a message: the __init__ it runs (its own, else the first one up
        its bases) supplies a translated default. Exception's own takes no default."""
        if name in self.own_init:
            return self.own_init[name]
        return any(self.default_is_translated(base) for base in self.bases.get(name, ())
                   if base in self.user)


def _calls_translate(node: ast.AST) -> bool:
    """A call of app.i18n.translate or QCoreApplication.translate (not a canvas's)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "translate") or (
        isinstance(func, ast.Attribute) and func.attr == "translate"
        and isinstance(func.value, ast.Name) and func.value.id == "QCoreApplication")


def _is_translate_call(node: ast.AST) -> bool:
    """``translate("Context", "literal text")``: what pyside6-lupdate can collect."""
    return (isinstance(node, ast.Call) and _calls_translate(node)
            and len(node.args) == 2 and not node.keywords
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args))


@dataclass
class Scope:
    """What a function (or the module) assigns, or what an ``except ... as name`` around the
    raise binds its name to."""

    assigned: dict[str, list[ast.expr]] = field(default_factory=dict)
    caught: dict[str, list[list[str]]] = field(default_factory=dict)
    outer: Scope | None = None

    def values(self, name: str) -> list[ast.expr] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.assigned:
                return scope.assigned[name]
            scope = scope.outer
        return None

    def catches(self, name: str) -> list[list[str]] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.caught:
                return scope.caught[name]
            scope = scope.outer
        return None


def _scope(body_owner: ast.AST, outer: Scope | None) -> Scope:
    scope = Scope(outer=outer)
    nested = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
    todo = list(ast.iter_child_nodes(body_owner))
    while todo:
        node = todo.pop()
        if isinstance(node, nested):
            continue  # its own scope
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    scope.assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target,
                                                                            ast.Name):
            if node.value is not None:
                scope.assigned.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.NamedExpr):
            scope.assigned.setdefault(node.target.id, []).append(node.value)
        todo.extend(ast.iter_child_nodes(node))
    return scope


class MessageCheck:
    """Finds the user errors raised with a message that is not translated."""

    def __init__(self, classes: ErrorClasses) -> None:
        self.classes = classes

    def _user_exception(self, name: str, scope: Scope) -> bool:
        """``name`` holds an exception caught as a UserError (its message is translated)."""
        caught = scope.catches(name)
        return bool(caught) and all(kind in self.classes.user for kinds in caught
                                    for kind in kinds)

    def translated(self, expr: ast.expr, scope: Scope, seen: frozenset[str] = frozenset()) -> bool:
        if _is_translate_call(expr):
            return True
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
            if expr.func.attr == "format":
                filled = [*expr.args, *(k.value for k in expr.keywords)]
                return (self.translated(expr.func.value, scope, seen)
                        and not any(self.english(a, scope, seen) for a in filled))
            return False
        if isinstance(expr, ast.IfExp):
            return (self.translated(expr.body, scope, seen)
                    and self.translated(expr.orelse, scope, seen))
        if isinstance(expr, ast.Call) and _name(expr.func) == "str" and len(expr.args) == 1:
            inner = expr.args[0]
            return isinstance(inner, ast.Name) and self._user_exception(inner.id, scope)
        if isinstance(expr, ast.Name):
            if self._user_exception(expr.id, scope):
                return True
            values = scope.values(expr.id)
            if not values or expr.id in seen:
                return False
            return all(self.translated(v, scope, seen | {expr.id}) for v in values)
        return False

    def english(self, expr: ast.expr, scope: Scope, seen: frozenset[str] = frozenset()) -> bool:
        """A value put into a message that is itself English words (a literal, an f-string
        with words, a variable bound from one). Calls, attributes and subscripts are data."""
        if isinstance(expr, ast.Constant):
            return isinstance(expr.value, str) and bool(_LETTERS.search(expr.value))
        if isinstance(expr, ast.JoinedStr):
            return any(isinstance(v, ast.Constant) and _LETTERS.search(str(v.value))
                       for v in expr.values)
        if isinstance(expr, ast.IfExp):
            return self.english(expr.body, scope, seen) or self.english(expr.orelse, scope, seen)
        if isinstance(expr, ast.BoolOp):
            return any(self.english(v, scope, seen) for v in expr.values)
        if isinstance(expr, ast.BinOp):
            return self.english(expr.left, scope, seen) or self.english(expr.right, scope, seen)
        if isinstance(expr, ast.Name) and expr.id not in seen:
            return any(self.english(v, scope, seen | {expr.id})
                       for v in scope.values(expr.id) or ())
        return False

    def problems(self, source: str) -> list[str]:
        """``line: ErrorClass`` for every user error raised without a translated message."""
        tree = ast.parse(source)
        found: list[str] = []
        self._visit(tree, _scope(tree, None), found)
        return sorted(found, key=lambda text: int(text.split(":")[0]))

    def _visit(self, owner: ast.AST, scope: Scope, found: list[str]) -> None:
        for node in ast.iter_child_nodes(owner):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                self._visit(node, _scope(node, scope), found)
                continue
            if isinstance(node, ast.ExceptHandler) and node.name:
                kinds = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                caught = [_name(k) or "?" for k in kinds if k is not None] or ["BaseException"]
                self._visit(node, Scope(caught={node.name: [caught]}, outer=scope), found)
                continue
            if isinstance(node, ast.Raise) and node.exc is not None:
                problem = self._raise_problem(node.exc, scope)
                if problem:
                    found.append(f"{node.lineno}: {problem}")
            self._visit(node, scope, found)

    def _raise_problem(self, exc: ast.expr, scope: Scope) -> str | None:
        call = exc if isinstance(exc, ast.Call) else None
        name = _name(call.func if call else exc)
        if name is None or name not in self.classes.user:
            return None  # not a user error, or an exception object raised again
        message = None
        if call is not None:
            message = call.args[0] if call.args else next(
                (k.value for k in call.keywords if k.arg in ("message", "msg")), None)
        if message is None:
            return None if self.classes.default_is_translated(name) else (
                f"{name}() without a message, and its default is not translated")
        if self.translated(message, scope):
            return None
        return f"{name}({ast.unparse(message)[:70]})"


# ------------------------------------------------------------------------ the sources
def core_files() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py") if "hq" not in p.relative_to(APP).parts[:1])


def _classes() -> ErrorClasses:
    return ErrorClasses.of(ast.parse(p.read_text(encoding="utf-8")) for p in core_files())


def _checker() -> MessageCheck:
    return MessageCheck(_classes())


def _params() -> list:
    params = []
    for path in core_files():
        key = str(path.relative_to(REPO))
        marks = ([pytest.mark.xfail(strict=True, reason=PENDING[key])] if key in PENDING
                 else [])
        params.append(pytest.param(path, marks=marks, id=key))
    return params


# -------------------------------------------------------------------------- the checker's tests
SNIPPET_CLASSES = """
class UserError(Exception): ...
class AError(UserError): ...
class BError(module.AError): ...
class Plain(ValueError): ...
class Locked(AError):
    def __init__(self, message=None):
        super().__init__(message or translate("Ctx", "locked"))
class Unlocked(AError):
    def __init__(self, message="raw default"):
        super().__init__(message)
"""


def _snippet_problems(body: str) -> list[str]:
    classes = ErrorClasses.of([ast.parse(SNIPPET_CLASSES)])
    return MessageCheck(classes).problems(textwrap.dedent(body))


@pytest.mark.parametrize("body", [
    'raise AError("raw English")',
    'raise BError(f"no event {event_id}")',
    'raise module.AError("raw")',
    'raise AError(message="raw")',
    'raise AError(translate("Ctx", "a {x}").format(x=f"issuer {index}"))',
    'raise AError(translate("Ctx", "a {x}").format(x="English words"))',
    'raise AError(translate(context, "text"))',
    'raise AError(translate("Ctx", f"text {x}"))',
    'raise AError(translate("Ctx", "a") + " and more")',
    'raise AError("raw".format(x))',
    'raise Unlocked()',
    'raise Unlocked',
    'def f():\n    text = f"issuer {i}"\n    raise AError(text)',
    'def f(flag):\n    text = translate("C", "a")\n    if flag:\n        text = "raw"\n'
    '    raise AError(text)',
    'def f():\n    what = "bundle"\n    raise AError(translate("C", "a {w}").format(w=what))',
    'def f(message):\n    raise AError(message)',
    'try:\n    pass\nexcept ValueError as exc:\n    raise AError(str(exc))',
    'try:\n    pass\nexcept (AError, ValueError) as exc:\n    raise AError(str(exc))',
    'def f():\n    try:\n        pass\n    except AError as exc:\n        pass\n'
    '    try:\n        pass\n    except OSError as exc:\n        raise AError(str(exc))',
])
def test_the_checker_catches_untranslated_messages(body: str) -> None:
    assert len(_snippet_problems(body)) == 1, body


@pytest.mark.parametrize("body", [
    'raise AError(translate("Ctx", "text"))',
    'raise BError(translate("Ctx", "no event {id}").format(id=event_id)) from None',
    'raise AError(translate("Ctx", "{a}: {b}").format(a=path, b=exc.strerror or exc))',
    'raise AError(translate("Ctx", "{f}").format(f=", ".join(fields), g=repr(x)))',
    'raise AError(translate("C", "a") if flag else translate("C", "b"))',
    'raise Locked()',
    'raise Locked(translate("C", "other"))',
    'raise Plain("English is fine here: not a user error")',
    'raise ValueError(f"program fault {x}")',
    'raise',
    'def f():\n    text = translate("C", "a")\n    raise AError(text.format(x=1))',
    'def f():\n    what = translate("C", "b") if x else translate("C", "c")\n'
    '    raise AError(translate("C", "a {w}").format(w=what))',
    'try:\n    pass\nexcept AError as exc:\n    raise BError(str(exc)) from exc',
    'try:\n    pass\nexcept AError as error:\n    raise error',
    'def f():\n    try:\n        pass\n    except AError as exc:\n        raise BError(str(exc))\n'
    '    try:\n        pass\n    except OSError as exc:\n        raise ValueError(str(exc))',
])
def test_the_checker_accepts_translated_messages(body: str) -> None:
    assert _snippet_problems(body) == [], body


def test_the_checker_knows_the_user_errors() -> None:
    classes = ErrorClasses.of([ast.parse(SNIPPET_CLASSES)])
    assert classes.user == {"UserError", "AError", "BError", "Locked", "Unlocked"}
    assert classes.default_is_translated("Locked")
    assert not classes.default_is_translated("Unlocked")


# ---------------------------------------------------------------------------- the guard
def test_the_user_errors_are_all_found() -> None:
    expected = {name for names in EXPECTED.values() for name in names}
    missing = expected - _classes().user
    assert not missing, f"no longer UserError subclasses: {sorted(missing)}"


def test_the_user_errors_stay_catchable_as_before() -> None:
    import importlib

    from app.errors import UserError

    for module_name, classes in EXPECTED.items():
        module = importlib.import_module(module_name)
        for class_name, also in classes.items():
            cls = getattr(module, class_name)
            assert issubclass(cls, UserError), class_name
            for base in also:
                assert issubclass(cls, base), f"{class_name} is no longer a {base.__name__}"


@pytest.mark.parametrize("path", _params())
def test_user_errors_are_raised_with_translated_messages(path: Path) -> None:
    problems = _checker().problems(path.read_text(encoding="utf-8"))
    assert problems == [], (
        f"{path.relative_to(REPO)} raises user errors with untranslated text (wrap them in "
        f"translate('<Context>', 'literal').format(...)):\n  " + "\n  ".join(problems))


def test_translate_calls_have_literal_context_and_text() -> None:
    """pyside6-lupdate only collects literals: anything else is never translated."""
    wrong = []
    for path in core_files():
        if path.name == "i18n.py":  # the helper itself hands its arguments on
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _calls_translate(node) and not _is_translate_call(node):
                wrong.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert wrong == []


def test_english_stays_the_source_text() -> None:
    """Without a translator (the tests' default) the messages are the English they were."""
    from app.evaluation.report import EvaluationLockedError
    from app.sync.protocol import BUNDLE_FORMAT, SignedFileError, read_signed

    assert str(EvaluationLockedError()) == ("the evaluation is signed and can no longer be "
                                            "changed: start a new version to correct it")
    with pytest.raises(SignedFileError) as info:
        read_signed(b"junk", BUNDLE_FORMAT, lambda _signer: None)
    assert str(info.value) == ("this is not a bundle file (it is not compressed JSON, or it "
                               "was cut short)")


# ------------------------------------------------------------------------------ in Chinese
SAMPLES = r"""
import json, sys, tempfile
from datetime import date
from pathlib import Path

from app.i18n import core_application

core_application(sys.argv[1])
folder = Path(tempfile.mkdtemp())
missing = folder / "missing"
said = {}


def sample(name, action):
    try:
        action()
    except Exception as exc:  # the message is what is looked at
        said[name] = f"{type(exc).__name__}: {exc}"
    else:
        said[name] = "no error"


from app.badge import payload as badge
from app.badge import trust_lists


from app.badge import keys as badge_keys


from app.inspection import checklist


from app.cli import common as cli_common


from app.evaluation import report as evaluation


from app.evaluation import signing


from app.sync import protocol as sync_protocol
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

sample("signing", lambda: signing.load_signer(missing, b"x"))
sample("trust list", lambda: trust_lists.load_trust_list(missing))
sample("revocations", lambda: trust_lists.load_revocations(missing))
sample("badge key", lambda: badge_keys.load_private_key(missing, b"x"))
key = Ed25519PrivateKey.generate()
payload = badge.BadgePayload(cert_no="辽334107653877", name="", company="某公司", licence_no="",
                             issued_on=date(2025, 1, 1), expires_on=date(2025, 12, 31),
                             photo_hash=None, kid=badge.key_id(badge.raw_public_key(key)))
sample("badge content", lambda: badge.encode_payload(payload, key))


def locked():
    raise evaluation.EvaluationLockedError()


sample("evaluation locked", locked)
sample("signature", lambda: evaluation._check_png(b""))
sample("package", lambda: sync_protocol.read_signed(b"junk", sync_protocol.PACKAGE_FORMAT,
                                                    lambda _signer: None))
sample("template", lambda: checklist.template_document("no-such-template"))
sample("secret file", lambda: cli_common.read_secret(str(missing), ""))
print(json.dumps(said, ensure_ascii=False))
"""


def _samples(lang: str) -> dict[str, str]:
    done = subprocess.run([sys.executable, "-c", SAMPLES, lang], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_core_errors_come_out_in_chinese() -> None:
    english, chinese = _samples("en"), _samples("zh_CN")
    assert english.keys() == chinese.keys()
    for name, text in english.items():
        assert text != "no error" and re.search(r"[A-Za-z]{4}", text.split(": ", 1)[1]), name
    not_chinese = {name: text for name, text in chinese.items()
                   if not re.search(r"[\u4e00-\u9fff]", text.split(": ", 1)[1])
                   or text == english[name]}
    assert not_chinese == {}, "untranslated under zh_CN (update the .ts and .qm?)"
