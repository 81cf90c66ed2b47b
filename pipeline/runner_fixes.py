"""Two work-arounds for Beam's local runner (FnApiRunner), applied before every run.

Eager metrics. FnApiRunner folds each bundle's metrics into its stage's with
`monitoring_infos.consolidate`, which is a generator: the stage's metrics
become a generator over the new bundle's protos chained to the previous
generator, consumed only when the pipeline ends. A batch run has a few hundred
bundles; a streaming watch has one per poll per stage for hours, and holds
every one of them. Measured with heaptrack on bench/streaming_watch.py: the
live C heap (protobuf arenas, outside Python's tracemalloc) grew about
80 KB per commit and was all freed at exit. Consolidating into a list keeps
one set of metrics per stage; the totals are the same.

Lost workers. With one worker process per core (`multi_processing`, our
default for batch runs), a worker that dies mid-bundle (killed for memory, a
crash in native code) made the runner wait forever: the thread reading the
worker's control stream ended on the broken stream without failing the
bundle's pending answer. Dataflow retries such a bundle on another worker;
here a bundle whose worker process is gone is now run again, from the same
input, on a freshly started worker, up to `MAX_BUNDLE_ATTEMPTS` times (Dataflow's
batch limit). The outputs of an attempt reach the downstream buffers only when
it succeeds, so a retried bundle is never counted twice; files it staged
before dying are never committed (the commit takes only the staged files that
reach it as elements). A bundle that kills its worker on every attempt fails
the run with `WorkerLost`.
"""

import contextlib
import itertools
import logging
import shlex

import grpc
from apache_beam.metrics import monitoring_infos
from apache_beam.runners.portability import local_job_service
from apache_beam.runners.portability.fn_api_runner import fn_runner, worker_handlers
from apache_beam.runners.worker import data_plane

MAX_BUNDLE_ATTEMPTS = 4
# After a broken stream, how long the worker's process may take to be seen
# gone before the failure counts as the bundle's own.
_EXIT_GRACE_SECONDS = 10.0

_LOGGER = logging.getLogger(__name__)


class WorkerLost(RuntimeError):
    """A local worker process ended while the runner waited on it."""


def _consolidated(metrics) -> list:
    return list(monitoring_infos.consolidate(metrics))


def consolidate_metrics_eagerly() -> None:
    """Make the local runner merge each bundle's metrics at once (idempotent)."""
    fn_runner.consolidate_monitoring_infos = _consolidated


def _read_control_stream(connection) -> None:
    """ControlConnection._read, failing every pending answer when the stream breaks."""
    try:
        for response in connection._input:
            connection._futures_by_id.pop(response.instruction_id).set(response)
    except grpc.RpcError as error:  # the worker process is gone
        connection.lost = WorkerLost(f"worker's control stream broke ({type(error).__name__})")
        connection.abort(connection.lost)


_original_push = worker_handlers.ControlConnection.push


def _push_unless_lost(connection, request):
    future = _original_push(connection, request)
    lost = getattr(connection, "lost", None)
    if lost is not None and future is not None:
        future.abort(lost)  # nobody will ever answer it
    return future


_original_run_worker = local_job_service.SubprocessSdkWorker.run
# Where worker processes' standard error goes (None: the runner's own).
_worker_log: str | None = None


def send_worker_output_to(path: str | None) -> None:
    """Append every local worker process's standard error to `path`. A worker
    prints each failed bundle's traceback there as well as sending it to the
    runner, which reports the failure itself."""
    global _worker_log
    _worker_log = path


def _run_worker_keeping_its_exit(worker) -> None:
    """SubprocessSdkWorker.run, keeping a non-zero exit for our message instead
    of printing it as an uncaught exception in the runner's thread."""
    if _worker_log and "2>>" not in worker._worker_command_line:
        worker._worker_command_line += f" 2>>{shlex.quote(_worker_log)}"
    try:
        _original_run_worker(worker)
    except RuntimeError as error:  # "Worker subprocess exited with return code N"
        worker.exit_error = error


_original_read_data = data_plane._GrpcDataChannel._read_inputs


def _read_data_stream(channel, elements) -> None:
    """_GrpcDataChannel._read_inputs without the uncaught exception in its thread:
    the broken stream is already recorded on the channel, where the bundle sees it."""
    with contextlib.suppress(grpc.RpcError):  # the worker process is gone
        _original_read_data(channel, elements)


class _WithoutBrokenStreamReports(logging.Filter):
    """Drops the data plane's report of a broken stream; a lost worker is
    reported once, by the retry."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to read inputs in the data plane")


def _exit_of(handler) -> str:
    error = getattr(getattr(handler, "worker", None), "exit_error", None)
    return str(error) if error else "worker subprocess ended"


def _stage_label(context) -> str:
    """The pipeline steps a fused stage runs, by their top-level labels."""
    labels = {transform.unique_name.split("/")[0] for transform in context.stage.transforms}
    return ", ".join(sorted(labels))


def _worker_is_gone(handler, wait_seconds: float = 0.0) -> bool:
    """True once a subprocess worker has exited (the thread waiting on it ends)."""
    thread = getattr(handler, "worker_thread", None)
    if not isinstance(handler, worker_handlers.SubprocessSdkWorkerHandler) or thread is None:
        return False  # in-process workers die with the runner; nothing to retry
    thread.join(wait_seconds)
    return not thread.is_alive()


def _lost_its_worker(handler, error: Exception) -> bool:
    """A bundle failed because its worker process died, not in its own code
    (a DoFn's error is not retried here: our stages turn bad input into rows)."""
    if _worker_is_gone(handler):
        return True
    broken_stream = isinstance(error, WorkerLost) or "closed prematurely" in str(error)
    return broken_stream and _worker_is_gone(handler, _EXIT_GRACE_SECONDS)


def _replace_gone_workers(context) -> None:
    """Drop the stage's exited workers from the runner's cache; fresh ones start
    when the stage next asks for its workers."""
    gone = [handler for handler in context.worker_handlers if _worker_is_gone(handler)]
    if not gone:
        return
    manager = context.execution_context.worker_handler_manager
    for cached in manager._cached_handlers.values():
        cached[:] = [handler for handler in cached if handler not in gone]
    for handler in gone:
        manager._workers_by_id.pop(handler.worker_id, None)
        try:
            handler.close()
        except Exception:  # its streams are already broken; nothing to flush
            _LOGGER.debug("closing a lost worker failed", exc_info=True)
    context._worker_handlers = None


class _RecordedBuffer:
    """Stands in for a downstream buffer during one attempt: appends are kept
    and applied to the real buffer only if the attempt succeeds."""

    def __init__(self, real, operations: list):
        self._real = real
        self._operations = operations

    @property
    def cleared(self) -> bool:
        return self._real.cleared

    def reset(self) -> None:
        self._operations.append((self._real.reset, ()))

    def append(self, element) -> None:
        self._operations.append((self._real.append, (element,)))


class _AttemptContext:
    """The stage's BundleContextManager, with output buffers recorded."""

    def __init__(self, context):
        self._context = context
        self._operations: list = []

    def __getattr__(self, name):
        return getattr(self._context, name)

    def get_buffer(self, buffer_id, transform_id):
        return _RecordedBuffer(self._context.get_buffer(buffer_id, transform_id), self._operations)

    def apply(self) -> None:
        with fn_runner.BundleManager._lock:
            for operation, arguments in self._operations:
                operation(*arguments)


_original_process_bundle = fn_runner.BundleManager.process_bundle


def _process_bundle_retrying_lost_workers(self, *args, **kwargs):
    context = self.bundle_context_manager
    for attempt in itertools.count(1):
        _replace_gone_workers(context)
        recorded = _AttemptContext(context)
        self.bundle_context_manager = recorded
        try:
            result = _original_process_bundle(self, *args, **kwargs)
        except Exception as error:
            if not _lost_its_worker(self._worker_handler, error):
                raise
            stage, exit = _stage_label(context), _exit_of(self._worker_handler)
            if attempt == MAX_BUNDLE_ATTEMPTS:
                raise WorkerLost(
                    f"a worker process died {attempt} times running one bundle of {stage} "
                    f"({exit}); an input in it may exhaust memory or crash native code"
                ) from error
            _LOGGER.warning(
                "a worker process died running a bundle of %s (%s); running the bundle "
                "again on a new worker (attempt %d of %d)",
                stage,
                exit,
                attempt + 1,
                MAX_BUNDLE_ATTEMPTS,
            )
            continue
        finally:
            self.bundle_context_manager = context
        recorded.apply()
        return result


def retry_bundles_of_lost_workers() -> None:
    """Make the local runner rerun a bundle whose worker process died (idempotent)."""
    local_job_service.SubprocessSdkWorker.run = _run_worker_keeping_its_exit
    data_plane._GrpcDataChannel._read_inputs = _read_data_stream
    data_logger = logging.getLogger(data_plane.__name__)
    if not any(isinstance(f, _WithoutBrokenStreamReports) for f in data_logger.filters):
        data_logger.addFilter(_WithoutBrokenStreamReports())
    worker_handlers.ControlConnection._read = _read_control_stream
    worker_handlers.ControlConnection.push = _push_unless_lost
    fn_runner.BundleManager.process_bundle = _process_bundle_retrying_lost_workers


def apply_all() -> None:
    consolidate_metrics_eagerly()
    retry_bundles_of_lost_workers()
