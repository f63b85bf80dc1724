# Runs once in the Pyodide child process after the interpreter loads: closes the doors to the
# JavaScript side that Python can name, and defines _portflow_run, which the child calls per job.
# The real boundary is the child process itself (no code generation from strings, Node's
# permission model, no environment, no network); this file makes the obvious doors fail with a
# clear message and keeps one job from changing what the next one sees.
import builtins
import inspect
import json
import os
import sys
import traceback
import types

_BLOCKED_ROOTS = frozenset(
    {
        "js",
        "pyodide_js",
        "pyodide",
        "_pyodide",
        "_pyodide_core",
        "micropip",
        "pyodide_http",
        "socket",
        "_socket",
        "ssl",
        "_ssl",
        "select",
        "selectors",
        "ctypes",
        "_ctypes",
        "webbrowser",
    }
)
_BLOCKED_NAMES = frozenset({"urllib.request", "http.client", "ftplib", "smtplib", "poplib", "imaplib"})


def _not_available(name):
    root = name.split(".")[0]
    return ModuleNotFoundError(f"package '{root}' is not available in the sandbox", name=name)


class _BlockedFinder:
    """First on sys.meta_path: refuses the modules that reach JavaScript or the network."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split(".")[0] in _BLOCKED_ROOTS or name in _BLOCKED_NAMES:
            raise _not_available(name)
        return None


class _MissingFinder:
    """Last on sys.meta_path: a top-level package nothing else found is not installed here."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if "." not in name:
            raise _not_available(name)
        return None


for _name in list(sys.modules):
    if _name.split(".")[0] in _BLOCKED_ROOTS or _name in _BLOCKED_NAMES:
        del sys.modules[_name]
for _finder in list(sys.meta_path):
    # Pyodide's finder serves `js` and `pyodide_js` from its own table of JavaScript objects
    if type(_finder).__name__ == "JsFinder":
        getattr(_finder, "jsproxies", {}).clear()
        sys.meta_path.remove(_finder)
sys.meta_path.insert(0, _BlockedFinder)
sys.meta_path.append(_MissingFinder)
# Emscripten sets "_" and sys.executable to the host path of the child's entry file.
os.environ.pop("_", None)
sys.executable = ""
# An audit hook could never be removed again and would watch every later job.
del sys.addaudithook

_loads = json.loads
_dumps = json.dumps
_ModuleType = types.ModuleType


def _snapshot():
    modules = {}
    for name, module in list(sys.modules.items()):
        if isinstance(module, _ModuleType):
            modules[name] = (module, dict(vars(module)))
    hooks = (list(sys.meta_path), list(sys.path_hooks), list(sys.path))
    return modules, hooks


def _tainted(baseline):
    """Whether this job changed a module, an import hook or a tracer that later jobs would use."""
    modules, hooks = baseline
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    if (list(sys.meta_path), list(sys.path_hooks), list(sys.path)) != hooks:
        return True
    for name, (module, saved) in modules.items():
        if sys.modules.get(name) is not module:
            return True
        current = vars(module)
        for key, value in saved.items():
            if current.get(key, _snapshot) is not value:
                return True
        if len(current) != len(saved):
            for key, value in current.items():
                # importing a submodule sets it on its package: that is not a change to the package
                if key not in saved and not isinstance(value, _ModuleType):
                    return True
    return False


def _arguments(main, inputs):
    """All inputs for main(**inputs); only the named ones for main(a, b)."""
    try:
        parameters = inspect.signature(main).parameters.values()
    except (TypeError, ValueError):
        return inputs
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return inputs
    names = {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    return {k: v for k, v in inputs.items() if k in names}


def _user_line(error):
    if isinstance(error, SyntaxError) and error.filename == "<code>":
        return error.lineno
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<code>":
            line = frame.lineno
    return line


def _describe(error):
    line = _user_line(error)
    if isinstance(error, SyntaxError):
        text = f"{type(error).__name__}: {error.msg}"
    else:
        text = f"{type(error).__name__}: {error}"
    reply = {"ok": False, "code": "CODE_ERROR", "message": f"line {line}: {text}" if line else text}
    if line:
        reply["line"] = line
    return reply


def _call(code, inputs_json):
    inputs = _loads(inputs_json)
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    exec(compile(code, "<code>", "exec"), namespace)
    main = namespace.get("main")
    if not callable(main):
        raise TypeError("the code must define def main(...)")
    result = main(**_arguments(main, inputs))
    if not isinstance(result, dict):
        raise TypeError(f"main() must return a dict of outputs, got {type(result).__name__}")
    try:
        return _dumps(result, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"main() must return JSON values: {error}") from None


def _portflow_run(code, inputs_json):
    try:
        reply = {"ok": True, "value": _call(code, inputs_json)}
    except MemoryError:
        reply = {"ok": False, "code": "SANDBOX_MEMORY", "message": "out of memory"}
    except OverflowError as error:
        # a size beyond the 32-bit address space ('a' * 10**10) is an allocation that cannot succeed
        if "index-sized" in str(error):
            reply = {"ok": False, "code": "SANDBOX_MEMORY", "message": "out of memory"}
        else:
            reply = _describe(error)
    except BaseException as error:  # noqa: BLE001 - user code may raise anything, SystemExit included
        try:
            reply = _describe(error)
        except MemoryError:
            reply = {"ok": False, "code": "SANDBOX_MEMORY", "message": "out of memory"}
    for name in list(sys.modules):
        if name not in _BASELINE[0]:
            del sys.modules[name]
    reply["tainted"] = _tainted(_BASELINE)
    return _dumps(reply)


_BASELINE = _snapshot()
