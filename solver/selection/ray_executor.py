"""Judge work on a Ray cluster: the Executor seam (solver.selection.executor) over Ray actors.

    with RayExecutor("ray://head:10001", sandbox="local") as executor:   # None: RAY_ADDRESS, else a local instance
        executor.start()                      # one judge per node; each node reports how it judges
        verdicts = list(executor.map(lambda j, c: j.judge(c.source, c.language, problem), programs, "csim-hidden"))

One actor per node (pinned to it) holds a judge.runner.Judge with that node's own local sandbox and
as many workers as the node has CPUs; it judges a batch of items at a time on those workers. The
items are cut into batches; each goes to an actor with a free slot, and the results come back in
the items' order whichever node judged them. A problem (its tests) is never pickled into the work:
the executor puts each problem into Ray's object store once and ships only its reference; a node
fetches it once and keeps it, so it receives a problem's tests once, not once per program or batch.

Faults: a batch whose actor died (its node killed, its process gone) is sent again to a live
actor; a batch's results are taken once, from the first call that returned them, so nothing is
lost or counted twice. Results never depend on which node, how many nodes or which batch judged
an item. The driver (the caller) alone writes anything down; actors only return results.
"""

from __future__ import annotations

import io
import logging
import math
import os
import pickle
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from contests.errors import DataError
from contests.model import Problem
from judge.interface import Judge

log = logging.getLogger("csim.ray")

T = TypeVar("T")
R = TypeVar("R")

SLOTS_PER_NODE = 2  # batches a node holds at once: one judged while the next one's items arrive
BATCHES_PER_SLOT = 2  # a map is cut into this many batches per slot, so a slow node leaves work to the others
PROBLEMS_KEPT = 64  # problems kept by reference (driver) and deserialised (node); a replay works on one at a time
START_TIMEOUT = 300.0  # seconds for the nodes' judges to start and report


# ------------------------------------------------------------------ shipping problems by reference

class _ByReference:
    """Pickles a function with every Problem it reaches replaced by a key; `problems` collects them."""

    def __init__(self):
        import ray.cloudpickle as cloudpickle

        outer = self
        self.problems: dict[int, Problem] = {}

        class Pickler(cloudpickle.CloudPickler):
            def persistent_id(self, obj):
                if type(obj) is Problem:
                    outer.problems[id(obj)] = obj
                    return ("csim-problem", id(obj))
                return None

        self._pickler = Pickler

    def dumps(self, obj) -> bytes:
        buf = io.BytesIO()
        self._pickler(buf, protocol=5).dump(obj)
        return buf.getvalue()


def _loads(blob: bytes, problems: dict[int, Problem]):
    class Unpickler(pickle.Unpickler):
        def persistent_load(self, pid):
            return problems[pid[1]]

    return Unpickler(io.BytesIO(blob)).load()


# ------------------------------------------------------------------ the per-node actor

def _judge_like_a_local_process() -> int | None:
    """Ray marks its worker processes first in line for the kernel's OOM killer (oom_score_adj 1000),
    and the judge's sandboxes would inherit that: under memory pressure on the node they, not the
    programs, would be killed (IE). Back to the usual 0 where allowed (root); what it is now."""
    path = "/proc/self/oom_score_adj"
    try:
        with open(path, "w") as f:
            f.write("0")
    except OSError:
        pass  # not allowed to lower it: the node reports what it has
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


class JudgeService:
    """Runs on one node (as a Ray actor): its own judge, its own sandbox. DESCRIBE(judge) -> dict says
    what decides its verdicts (sandbox layers, toolchains, judge code); the driver compares nodes by it."""

    def __init__(self, sandbox: str, workers: int | None, describe: Callable[[Any], dict] | None):
        from judge.runner import Judge, JudgeConfig

        self.oom_score_adj = _judge_like_a_local_process()
        self.judge = Judge(JudgeConfig(sandbox=sandbox, workers=workers))
        self.describe = describe
        self._problems: OrderedDict[str, Problem] = OrderedDict()
        self._lock = threading.Lock()

    def report(self) -> dict:
        import ray

        layers = [{"name": layer.name, "active": layer.active, "detail": getattr(layer, "detail", "")}
                  for layer in self.judge.layers]
        return {"node_id": ray.get_runtime_context().get_node_id(), "host": os.uname().nodename,
                "pid": os.getpid(), "workers": self.judge.workers, "layers": layers,
                "oom_score_adj": self.oom_score_adj,
                "description": self.describe(self.judge) if self.describe else None}

    def _problem(self, ref) -> Problem:
        import ray

        key = ref.hex()
        with self._lock:
            if key in self._problems:
                self._problems.move_to_end(key)
                return self._problems[key]
        problem = ray.get(ref)  # from this node's object store; fetched to it once
        with self._lock:
            self._problems[key] = problem
            while len(self._problems) > PROBLEMS_KEPT:
                self._problems.popitem(last=False)
        return problem

    def run(self, fn_blob: bytes, batch_blob: bytes, problem_refs: list, name: str) -> bytes:
        """The results of fn(judge, item) for the batch's items, pickled (their size is what comes back)."""
        import ray.cloudpickle as cloudpickle

        from solver.selection.executor import LocalExecutor

        problems = {pid: self._problem(ref) for pid, ref in problem_refs}
        fn = _loads(fn_blob, problems)
        items = cloudpickle.loads(batch_blob)
        return cloudpickle.dumps(list(LocalExecutor(self.judge).map(fn, items, name)))

    def close(self) -> None:
        self.judge.close()


# ------------------------------------------------------------------ the driver side

@dataclass
class _Node:
    node_id: str
    actor: Any
    report: dict
    busy: int = 0
    problems: set = field(default_factory=set)  # problems (object ref hex) this node was sent


@dataclass
class ShippingStats:
    """What the driver sent and got back, in pickled bytes (a problem counted once per node it went to)."""

    items: int = 0
    batches: int = 0
    resubmitted: int = 0  # batches sent again after their node or actor died
    function_bytes: int = 0
    item_bytes: int = 0
    problem_bytes: int = 0
    result_bytes: int = 0

    @property
    def sent_bytes(self) -> int:
        return self.function_bytes + self.item_bytes + self.problem_bytes


class RayExecutor:
    """Executor over the nodes of a Ray cluster at ADDRESS (None: RAY_ADDRESS, else a local instance).

    WORKERS: judge workers per node (None: the node's CPUs). DESCRIBE(judge) -> dict runs on each node;
    `start` refuses a cluster whose nodes' descriptions differ (their verdicts would not be comparable)
    and later leaves out a node that joins with a different one."""

    def __init__(self, address: str | None = None, *, sandbox: str = "local", workers: int | None = None,
                 describe: Callable[[Any], dict] | None = None, init_options: dict | None = None):
        self.address = address
        self.sandbox, self.workers, self.describe = sandbox, workers, describe
        self.init_options = dict(init_options or {})
        self.nodes: dict[str, _Node] = {}
        self.description: dict | None = None  # what every node reported, fixed at start
        self.stats = ShippingStats()
        self._problem_refs: OrderedDict[int, tuple[Problem, Any, int]] = OrderedDict()
        self._connected_here = False
        self._started = False
        self._lock = threading.Lock()  # map may be called from several threads

    # -------------------------------------------------------------- life cycle

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> list[dict]:
        """Connect, start one judge per alive node with CPUs, and return their reports."""
        import ray

        if not ray.is_initialized():
            options = {"log_to_driver": False, "include_dashboard": False, **self.init_options}
            address = self.address or os.environ.get("RAY_ADDRESS")
            try:
                ray.init(address=address, **options)
            except (ConnectionError, RuntimeError, ValueError) as e:
                raise DataError("--ray-address", None, f"cannot connect to the Ray cluster at {address} "
                                f"({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
            self._connected_here = True
        self._add_nodes()
        if not self.nodes:
            raise DataError("--ray-address", None, "the Ray cluster has no alive node with CPUs that can judge")
        return [n.report for n in self.nodes.values()]

    def _add_nodes(self) -> None:
        """An actor on every alive node with CPUs that has none."""
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        service = ray.remote(JudgeService)
        started = {}
        for node in ray.nodes():
            cpus = int(node.get("Resources", {}).get("CPU", 0))
            if not node.get("Alive") or cpus < 1 or node["NodeID"] in self.nodes:
                continue
            # num_cpus=0: the actor reserves nothing, its judge's workers use the node's CPUs
            actor = service.options(
                num_cpus=0, max_restarts=0, max_concurrency=SLOTS_PER_NODE + 1,
                scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
            ).remote(self.sandbox, self.workers or cpus, self.describe)
            started[node["NodeID"]] = (actor, actor.report.remote())
        for node_id, (actor, report_ref) in started.items():
            try:
                report = ray.get(report_ref, timeout=START_TIMEOUT)
            except Exception as e:  # a node that cannot start a judge judges nothing; the others go on
                log.warning("ray: node %s could not start a judge: %s", node_id[:12],
                            str(e).splitlines()[0] if str(e) else type(e).__name__)
                ray.kill(actor)
                continue
            if self.description is None:
                self.description = report["description"]
            elif report["description"] != self.description:
                theirs, ours = report["description"] or {}, self.description or {}
                differs = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
                message = (f"node {node_id[:12]} ({report['host']}) judges differently from the others "
                           f"({', '.join(differs)} differ), so its verdicts would not be comparable; "
                           f"give every node the same sandbox layers, toolchains and csim")
                if not self._started:  # at start: refuse the cluster
                    for other, _ in started.values():
                        ray.kill(other)
                    self.nodes.clear()
                    raise DataError("--executor ray", None, message)
                ray.kill(actor)  # a node that joined later: left out
                log.warning("ray: %s; left out", message)
                continue
            self.nodes[node_id] = _Node(node_id, actor, report)
        self._started = True

    def close(self) -> None:
        """Stop the nodes' judges (their sandboxes closed) and disconnect if we connected."""
        import ray

        if ray.is_initialized():
            for node in list(self.nodes.values()):
                try:
                    ray.get(node.actor.close.remote(), timeout=60)
                except Exception:  # a dead node has nothing left to close
                    pass
                ray.kill(node.actor)
        self.nodes.clear()
        self._problem_refs.clear()
        if self._connected_here and ray.is_initialized():
            ray.shutdown()
        self._connected_here = False

    @property
    def workers_total(self) -> int:
        return sum(n.report["workers"] for n in list(self.nodes.values()))

    def in_flight(self) -> dict[str, int]:
        """Batches being judged now, per node id."""
        return {node_id: n.busy for node_id, n in list(self.nodes.items())}

    # -------------------------------------------------------------- work

    def _refs_for(self, problems: dict[int, Problem]) -> list[tuple[int, Any, int]]:
        """(key, object ref, pickled size) of each problem, put into the object store once per problem."""
        import ray
        import ray.cloudpickle as cloudpickle

        out = []
        for pid, problem in problems.items():
            known = self._problem_refs.get(pid)
            if known is None or known[0] is not problem:  # (an id is reused only once its object is gone)
                known = (problem, ray.put(problem), len(cloudpickle.dumps(problem)))
                self._problem_refs[pid] = known
                while len(self._problem_refs) > PROBLEMS_KEPT:
                    self._problem_refs.popitem(last=False)
            self._problem_refs.move_to_end(pid)
            out.append((pid, known[1], known[2]))
        return out

    def map(self, fn: Callable[[Judge, T], R], items: Sequence[T], name: str) -> Iterator[R]:
        import ray
        import ray.cloudpickle as cloudpickle
        from ray.exceptions import ObjectLostError, RayActorError, RayTaskError

        items = list(items)
        if not items:
            return
        pickler = _ByReference()
        fn_blob = pickler.dumps(fn)
        with self._lock:
            if not self.nodes:
                raise RuntimeError("the Ray executor is not started (or every node died)")
            problems = self._refs_for(pickler.problems)
            slots = len(self.nodes) * SLOTS_PER_NODE
            self.stats.items += len(items)
        size = max(1, math.ceil(len(items) / (slots * BATCHES_PER_SLOT)))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        batches = [cloudpickle.dumps(chunk) for chunk in chunks]
        refs = [(pid, ref) for pid, ref, _ in problems]
        pending = deque(range(len(batches)))
        results: dict[int, list] = {}
        flying: dict[Any, tuple[int, _Node]] = {}
        next_out = 0
        try:
            while next_out < len(batches):
                with self._lock:
                    self._dispatch(pending, flying, batches, fn_blob, refs, problems, name)
                    if not flying and pending:
                        self._add_nodes()  # every node died: did any join since?
                        if not self.nodes:
                            raise RuntimeError(f"{name}: every Ray node died; {len(pending)} batches left unjudged")
                        continue
                ready, _ = ray.wait(list(flying), num_returns=1)
                for ref in ready:
                    b, node = flying.pop(ref)
                    with self._lock:
                        node.busy -= 1
                    try:
                        blob = ray.get(ref)
                    except RayTaskError as e:  # the work itself failed: a bug, not a fault; said as itself
                        raise e.as_instanceof_cause() from None
                    except (RayActorError, ObjectLostError) as e:  # the node or its actor died: elsewhere
                        with self._lock:
                            self._drop(node, e)
                            self.stats.resubmitted += 1
                        pending.appendleft(b)
                        continue
                    if b not in results:  # a batch's results are taken once
                        results[b] = cloudpickle.loads(blob)
                        if len(results[b]) != len(chunks[b]):
                            raise RuntimeError(f"{name}: a node returned {len(results[b])} results for "
                                               f"{len(chunks[b])} items")
                        with self._lock:
                            self.stats.result_bytes += len(blob)
                while next_out in results:
                    yield from results.pop(next_out)
                    next_out += 1
        finally:
            for ref, (_, node) in flying.items():  # abandoned (the caller stopped early): free the slots
                ray.cancel(ref)
                with self._lock:
                    node.busy -= 1

    def _dispatch(self, pending, flying, batches, fn_blob, refs, problems, name) -> None:
        while pending:
            free = [n for n in self.nodes.values() if n.busy < SLOTS_PER_NODE]
            if not free:
                return
            node = min(free, key=lambda n: (n.busy, n.node_id))
            b = pending.popleft()
            flying[node.actor.run.remote(fn_blob, batches[b], refs, name)] = (b, node)
            node.busy += 1
            self.stats.batches += 1
            self.stats.function_bytes += len(fn_blob)
            self.stats.item_bytes += len(batches[b])
            for _, ref, size in problems:
                if ref.hex() not in node.problems:
                    node.problems.add(ref.hex())
                    self.stats.problem_bytes += size

    def _drop(self, node: _Node, error: Exception) -> None:
        if self.nodes.pop(node.node_id, None) is not None:
            log.warning("ray: node %s lost (%s); its batches go to the other nodes", node.node_id[:12],
                        type(error).__name__)


class ExecutorJudge:
    """A Judge whose every call runs through an executor, one program at a time: for callers that
    judge programs one by one (the replay's submissions, the reference solver) while the judges
    live elsewhere."""

    def __init__(self, executor, workers: int):
        self.executor = executor
        self.workers = workers

    def judge(self, source, language, problem, *, all_tests=False, tests=None):
        call = lambda j, _: j.judge(source, language, problem, all_tests=all_tests, tests=tests)  # noqa: E731
        return list(self.executor.map(call, [None], "csim-judge"))[0]

    def execute(self, source, language, inputs, *, time_limit, memory_limit):
        call = lambda j, _: j.execute(source, language, inputs, time_limit=time_limit,  # noqa: E731
                                      memory_limit=memory_limit)
        return list(self.executor.map(call, [None], "csim-execute"))[0]
