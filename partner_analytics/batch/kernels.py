"""Kernels for batch reports: launched ahead of need, warmed with the usual imports, lean.

- **Warm imports.** A kernel launched for the next report imports the usual modules
  (`ExecutionOptions.warm_imports`) while the current report runs, silently: no output, no
  history, no names left behind.
- **Lean batch kernels.** No ipykernel debugger (importing debugpy was most of a kernel start),
  no ``rfc3987_syntax`` (its grammar build costs 1.5-1.8 s at every jsonschema import, for an
  IRI format check the notebook schema never uses), history in memory (parallel kernels never
  share a history file), IPC sockets on POSIX (no TCP port to race for).
"""

from __future__ import annotations

import json
import math
import os
import queue
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from .jobs import ExecutionOptions

__all__ = ["Kernel", "KernelStartError", "kill_process_group"]


class KernelStartError(RuntimeError):
    """A kernel that died or did not answer while starting."""


class Kernel:
    """A launched kernel: async manager, a client for the warm-up, and its own log file.

    The manager is asynchronous because nbclient waits for outputs and watches the
    kernel's health concurrently; with a blocking client a kernel that dies mid-cell
    would never be noticed. All coroutines run on the thread's one event loop
    (``jupyter_core.utils.run_sync``), the same one nbclient uses.
    """

    def __init__(self, options: ExecutionOptions, work_dir: str) -> None:
        from jupyter_client import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self.options = options
        self.log = tempfile.TemporaryFile(prefix="pa-kernel-", suffix=".log")
        kwargs: dict[str, Any] = _kernel_spec_kwargs(options, work_dir)
        if os.name == "posix":
            kwargs |= {"transport": "ipc", "ip": os.path.join(work_dir, "k")}
        self.km = AsyncKernelManager(**kwargs)
        env = dict(os.environ) | {"PYDEVD_DISABLE_FILE_VALIDATION": "1"} | dict(options.kernel_env)
        self.launched = time.time()
        run_sync(self.km.start_kernel)(
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            extra_arguments=["--HistoryManager.hist_file=:memory:"],
        )
        self.pid: int | None = getattr(self.km.provisioner, "pid", None)
        self.kc = self.km.client()
        # No heartbeat: liveness comes from the manager, and stopping a heartbeat
        # thread right after starting it can leave it spinning (jupyter_client race).
        self.kc.start_channels(hb=False)
        self._info_id = self.kc.kernel_info()
        self._warm_id = self.kc.execute(_warm_code(options.warm_imports), silent=True, store_history=False)
        self.kernel_start_s = math.nan
        self.imports_s = math.nan

    def wait_ready(self) -> float:
        """Block until the warm-up ran; return the seconds waited. Raise `KernelStartError`."""
        from jupyter_core.utils import run_sync

        t0 = time.perf_counter()
        run_sync(self._wait_ready)()
        return time.perf_counter() - t0

    async def _wait_ready(self) -> None:
        deadline = time.perf_counter() + self.options.start_timeout_s
        pending = {self._info_id, self._warm_id}
        while pending:
            if not await self.km.is_alive():
                raise KernelStartError(f"kernel died while starting: {self.log_tail()}")
            try:
                msg = await self.kc.get_shell_msg(timeout=0.5)
            except queue.Empty:
                if time.perf_counter() > deadline:
                    raise KernelStartError(f"kernel not ready after {self.options.start_timeout_s:g} s") from None
                continue
            parent = msg["parent_header"].get("msg_id")
            if parent == self._info_id:
                self.kernel_start_s = msg["header"]["date"].timestamp() - self.launched
            elif parent == self._warm_id:
                started = msg["metadata"].get("started")
                if isinstance(started, str):
                    started = datetime.fromisoformat(started)
                if isinstance(started, datetime):
                    self.imports_s = msg["header"]["date"].timestamp() - started.timestamp()
            pending.discard(parent)

    def run_silently(self, code: str) -> None:
        """Run `code` in the kernel without output or history; raise on error."""
        from jupyter_core.utils import run_sync

        run_sync(self._run_silently)(code)

    async def _run_silently(self, code: str) -> None:
        msg_id = self.kc.execute(code, silent=True, store_history=False)
        while True:
            msg = await self.kc.get_shell_msg(timeout=self.options.start_timeout_s)
            if msg["parent_header"].get("msg_id") == msg_id:
                if msg["content"]["status"] != "ok":
                    raise KernelStartError(f"kernel set-up failed: {msg['content'].get('evalue')}")
                return

    def release_client(self) -> None:
        """Close the warm-up client (papermill opens its own)."""
        self.kc.stop_channels()

    def log_tail(self, n_chars: int = 2000) -> str:
        """The end of what the kernel process printed (to explain a crash)."""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-n_chars:]

    def cpu_s(self) -> float:
        """CPU seconds the kernel process used so far (Linux; NaN elsewhere)."""
        return _process_cpu_s(self.pid) if self.pid else math.nan

    def kill(self) -> None:
        """Stop the kernel at once (reports are done with it) and free its resources."""
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
        except Exception:
            pass
        if self.km.has_kernel:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:
                if self.pid:
                    kill_process_group(self.pid)
        self.log.close()


def _process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used by process `pid`, from /proc; NaN if unknown."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return math.nan


_BATCH_KERNEL_NAME = "partner-analytics-batch"
_LEAN_LAUNCH = (
    "import sys; sys.modules['debugpy'] = None; sys.modules.setdefault('rfc3987_syntax', None)\n"
    "if sys.path and sys.path[0] == '': del sys.path[0]\n"
    "from ipykernel import kernelapp; kernelapp.launch_new_instance()"
)


def _kernel_spec_kwargs(options: ExecutionOptions, work_dir: str) -> dict[str, Any]:
    """Return the KernelManager arguments naming the kernel to start.

    For a lean kernel, an ipykernel spec (``python -m ipykernel_launcher ...``) is
    copied into `work_dir` with a launch line that blocks ``debugpy`` and
    ``rfc3987_syntax``; any other kernel spec is used as it is.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    if not options.lean_kernel:
        return {"kernel_name": options.kernel_name}
    spec_dir = Path(work_dir) / "kernels" / _BATCH_KERNEL_NAME
    if not (spec_dir / "kernel.json").exists():
        spec = KernelSpecManager().get_kernel_spec(options.kernel_name)
        if spec.argv[1:3] != ["-m", "ipykernel_launcher"]:
            return {"kernel_name": options.kernel_name}
        spec_json = spec.to_dict() | {
            "argv": [spec.argv[0], "-c", _LEAN_LAUNCH, *spec.argv[3:]],
            "metadata": {k: v for k, v in spec.metadata.items() if k != "debugger"},
        }
        spec_dir.mkdir(parents=True, exist_ok=True)
        (spec_dir / "kernel.json").write_text(json.dumps(spec_json), encoding="utf-8")
    return {
        "kernel_name": _BATCH_KERNEL_NAME,
        "kernel_spec_manager": KernelSpecManager(kernel_dirs=[str(spec_dir.parent)]),
    }


def _warm_code(modules: Sequence[str]) -> str:
    """Code that imports `modules` in a kernel and leaves no name behind.

    plotly imports most of itself, and loads its default template, only when the
    first figure is built (about 0.2-0.4 s): when plotly is among the modules, an
    empty figure is built and serialised too, so that the notebook's first chart
    does not pay for it.
    """
    return (
        "def _pa_warm(names):\n"
        "    import importlib\n"
        "    for name in names:\n"
        "        try:\n"
        "            module = importlib.import_module(name)\n"
        "        except ImportError:\n"
        "            continue\n"
        "        if name == 'plotly.graph_objects':\n"
        "            module.Figure().to_json(validate=False)\n"
        f"_pa_warm({list(modules)!r})\n"
        "del _pa_warm\n"
    )


def kill_process_group(pgid: int) -> None:
    """Kill process group `pgid` at once (gone already, or not ours: nothing to do)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
