"""Data-parallel training on the CPU: N processes of one torch thread each, gradients averaged every step.

Why: on the 2-core training machine one torch thread per process runs 2-3× faster per step than two
threads in one process (the small matrices of these networks do not split well across threads), so the
only way to give a stage both cores is two processes. Each process draws its own batch, the gradients
are averaged with one all-reduce (gloo, over loopback), and every process then takes the same optimiser
step, so the weights stay identical: the effective batch is N × --batch. Rank 0 owns the checkpoint
and the logs; the others never write.

    python -m fastsam3d_tools.train.ss_flow --procs 2 --batch 16 --minutes 20     (effective batch 32)

Stage scripts call `launch(main, argv, procs)` when `--procs` > 1; the Trainer (common.py) reads the
process group through the helpers below and does the rest.
"""
from __future__ import annotations

import socket
import sys
from typing import Callable, List, Optional

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if active() else 0


def world() -> int:
    return dist.get_world_size() if active() else 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _entry(r: int, main: Callable, argv: List[str], procs: int, port: int) -> None:
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=r, world_size=procs)
    try:
        main(argv)
    finally:
        dist.destroy_process_group()


def launch(main: Callable, argv: Optional[List[str]], procs: int) -> None:
    """Run `main(argv)` in `procs` processes joined into one process group (blocks until all end)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        mp.spawn(_entry, args=(main, argv, procs, _free_port()), nprocs=procs, join=True)
    except mp.ProcessExitedException as e:     # a process ended on an `error:` line (printed above) or a signal
        from ..cli import ToolError
        code = e.exit_code if isinstance(e.exit_code, int) and e.exit_code > 0 else 1
        raise ToolError(f"data-parallel process {e.error_index} of {procs} stopped with exit code {e.exit_code} "
                        "(its error is printed above); the others were stopped", exit_code=code) from None


def broadcast_parameters(modules) -> None:
    """Rank 0's weights and buffers everywhere (a fresh module is initialised from each process's RNG)."""
    if not active():
        return
    for m in modules:
        for t in m.state_dict().values():
            dist.broadcast(t.data if isinstance(t, torch.nn.Parameter) else t, src=0)


def average_gradients(params) -> None:
    """Mean of every parameter's gradient over the processes, in one flat all-reduce (a missing gradient
    counts as zero, so a parameter unused in one process's batch still gets the others' share)."""
    if not active():
        return
    params = list(params)
    flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1) for p in params])
    dist.all_reduce(flat)
    flat /= world()
    o = 0
    for p in params:
        n = p.numel()
        g = flat[o:o + n].view_as(p)
        if p.grad is None:
            p.grad = g.clone()
        else:
            p.grad.copy_(g)
        o += n


def agree(flag: bool) -> bool:
    """True in every process when it is true in any (e.g. rank 0's clock says the budget is spent)."""
    if not active():
        return flag
    t = torch.tensor([1.0 if flag else 0.0])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return bool(t.item() > 0)


def total(values: np.ndarray) -> np.ndarray:
    """The element-wise sum of `values` over the processes (float64): statistics of data that each
    process holds a share of (dataset.load_cache's `part`)."""
    t = torch.as_tensor(np.asarray(values, np.float64))
    if active():
        dist.all_reduce(t)
    return t.numpy()
