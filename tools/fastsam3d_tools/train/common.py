"""Resumable training plumbing shared by the stage scripts.

A stage's state lives in tools/checkpoints/<stage>.pt: model weights, optimiser, step, the data
sampler's numpy Generator state and torch's RNG state (and the CUDA generator's when training on a GPU). `Trainer.run` trains for a wall-clock budget
(or a step count), checkpoints every few minutes and at the end, and resumes from the file when it
exists, so the same command continues across sessions. Files must stay under 15 MiB: when the full
state is larger, the optimiser moments go to an untracked `<stage>.optim.pt` beside it (the step counter
and RNG state stay in the checkpoint), which the next run on the same machine resumes from; a fresh clone
starts them fresh.

Devices: `select_device` turns the stage scripts' `--device {cpu,cuda,auto}` (flags from
`add_runtime_arguments`, applied by `setup_runtime`) into a torch.device and
`to_device` moves a batch (tensors, or dicts / lists / tuples of them) there — the one home of both.
The Trainer moves its modules to its device; checkpoints always hold CPU tensors (`to_device(x, "cpu")`),
so a checkpoint written on a GPU resumes on a CPU and the reverse. `load_checkpoint` is the one
torch.load of a checkpoint (torch ≥ 2.6 defaults to weights_only=True; loading with it is not needed for
files we wrote ourselves, and it would refuse the ones holding numpy objects).
"""
from __future__ import annotations

import inspect
import io
import json
import shutil
import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Union

import numpy as np
import torch

from ..cli import UsageError, atomic_path, output_dir
from . import data_parallel as dp

TOOLS = Path(__file__).resolve().parents[2]
CHECKPOINTS = TOOLS / "checkpoints"
RUNS = TOOLS / "runs"
# A lent GPU machine takes the repository's tracked files only up to 64 MiB in all, and the checkpoints
# are most of them (tools/README.md, "Training on a GPU machine"); the before-stop check flags files over 20 MB.
MAX_CHECKPOINT_BYTES = 15 * 1024 * 1024


DEVICES = ("cpu", "cuda", "auto")
DeviceLike = Union[str, torch.device]


def setup_threads(n: int = 1) -> None:
    torch.set_num_threads(n)


def select_device(name: str = "cpu") -> torch.device:
    """`--device` → torch.device: 'cpu'; 'cuda' (an error when torch sees no GPU); 'auto' = cuda when
    available, else cpu. On CUDA, fp32 matmuls may use TF32 (as cuDNN convolutions already do)."""
    if name not in DEVICES:
        raise ValueError(f"--device must be one of {', '.join(DEVICES)}, got {name!r}")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":
        if not torch.cuda.is_available():
            raise RuntimeError("CUDA was requested but torch.cuda.is_available() is False; use --device cpu")
        torch.set_float32_matmul_precision("high")
    return torch.device(name)


def add_runtime_arguments(ap) -> None:
    """The training scripts' shared `--threads` and `--device` flags (read back by `setup_runtime`).
    One thread by default: on the 2-core CPU one thread per process measured 2-3x faster per step than
    two (models/mini/MODEL_CARD.md), and two stages can then train side by side (train_on_cpu.sh)."""
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process")
    ap.add_argument("--device", choices=DEVICES, default="cpu",
                    help="where the networks train: cpu, cuda, or auto (cuda when available)")
    ap.add_argument("--procs", type=int, default=1,
                    help="data-parallel CPU processes of --threads threads each, gradients averaged every step "
                         "(effective batch procs × batch; data_parallel.py)")
    ap.add_argument("--allow-fresh-tensors", action="store_true",
                    help="resume although the checkpoint does not fit this network (another --config, a "
                         "changed architecture): the tensors that do not fit start fresh. Without it such a "
                         "resume is refused, since saving would replace the trained weights; with it the "
                         "checkpoint is first copied to <stage>.before-fresh-step<N>.pt")


def launch_if_parallel(main, argv, args) -> bool:
    """Start `args.procs` data-parallel processes of `main` (and return True once they all ended) unless
    this already is one of them or one process was asked for."""
    if args.procs <= 1 or dp.active():
        return False
    if args.device != "cpu":
        raise ValueError("--procs is for CPU training (one GPU is one process); use --device cpu or --procs 1")
    dp.launch(main, argv, args.procs)
    return True


def setup_runtime(args, checkpoint_dir: Path = CHECKPOINTS, log_dir: Path = RUNS) -> torch.device:
    """Apply `add_runtime_arguments`' flags: set the torch threads, return the training device. Before
    any work: a bad --threads/--procs/--device, or a checkpoint or log folder that cannot be written, is a
    UsageError (a run would otherwise train for its budget and fail at the first save)."""
    if args.threads < 1 or getattr(args, "procs", 1) < 1:
        raise UsageError(f"--threads {args.threads} / --procs {getattr(args, 'procs', 1)}: each must be 1 or more")
    output_dir(checkpoint_dir, "the checkpoint folder")
    output_dir(log_dir, "the training-log folder")
    setup_threads(args.threads)
    try:
        return select_device(args.device)
    except (RuntimeError, ValueError) as e:
        raise UsageError(str(e)) from None


def to_device(obj: Any, device: DeviceLike) -> Any:
    """Tensors (also inside dicts, lists and tuples, recursively) moved to `device`; anything else as is.
    `to_device(state, "cpu")` is how a checkpoint is made device-independent."""
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return {k: to_device(v, device) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_device(v, device) for v in obj)
    return obj


_LOAD_TAKES_WEIGHTS_ONLY = "weights_only" in inspect.signature(torch.load).parameters


class CheckpointError(UsageError):
    """A checkpoint that cannot be used as it is: one line naming the file and what to do (exit 2)."""


def load_checkpoint(path: Union[str, Path]) -> dict:
    """torch.load of one of our checkpoints, onto the CPU. weights_only=False where torch knows the
    argument (torch ≥ 2.6 defaults it to True and would refuse the numpy RNG state); older torch loads
    full pickles anyway. A file torch cannot read (truncated, garbage, empty) is a CheckpointError
    naming it, not a pickle traceback."""
    try:
        if _LOAD_TAKES_WEIGHTS_ONLY:
            st = torch.load(path, map_location="cpu", weights_only=False)
        else:
            st = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise
    except Exception as e:   # UnpicklingError, EOFError, RuntimeError (zip central directory), …
        hint = ("delete it: the moments start fresh" if str(path).endswith(".optim.pt")
                else "restore it (`git checkout -- <file>` for a committed one) or move it away to start the stage afresh")
        raise CheckpointError(f"{path} is not a readable checkpoint ({type(e).__name__}: {e}); {hint}") from e
    if not isinstance(st, dict):
        raise CheckpointError(f"{path} holds a {type(st).__name__}, not one of this project's checkpoints")
    return st


class Ema:
    """Exponential moving average of the trainable weights — what the exporter ships for the flows.

    Small-batch flow training on a CPU is noisy step to step; the average of the last few hundred steps
    samples much cleaner than the latest weights. Frozen parameters and buffers are copied as they are.
    The effective decay ramps up as min(decay, (1 + n) / (10 + n)) so an EMA started late (or on resume
    from a checkpoint that had none) does not drag old weights in for long.
    """

    def __init__(self, modules: Dict[str, torch.nn.Module], decay: float):
        self.modules, self.decay, self.updates = modules, decay, 0
        self.shadow = {k: {n: v.detach().clone() for n, v in m.state_dict().items()} for k, m in modules.items()}

    @torch.no_grad()
    def update(self) -> None:
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for k, m in self.modules.items():
            trained = {n for n, p in m.named_parameters() if p.requires_grad}
            for n, v in m.state_dict().items():
                sh = self.shadow[k][n]
                if n in trained:
                    sh.mul_(d).add_(v.detach(), alpha=1 - d)
                else:   # frozen weights and buffers: copied, so they stay bit-equal (x·d + x·(1−d) ≠ x in fp32)
                    sh.copy_(v)

    def state_dict(self) -> dict:
        return {"decay": self.decay, "updates": self.updates, "weights": self.shadow}

    def load_state_dict(self, st: dict) -> None:
        self.updates = int(st["updates"])
        for k, w in st["weights"].items():     # modules new since the checkpoint keep their fresh copy
            if k in self.shadow:               # the shadow stays on the modules' device
                for n, v in w.items():         # tensors whose shape changed (a resized module) stay fresh
                    if n in self.shadow[k] and self.shadow[k][n].shape == v.shape:
                        self.shadow[k][n].copy_(v)


class Trainer:
    def __init__(self, stage: str, modules: Dict[str, torch.nn.Module], lr: float, seed: int = 0,
                 checkpoint_dir: Path = CHECKPOINTS, weight_decay: float = 0.0, log_dir: Path = RUNS,
                 ema_decay: Optional[float] = None, device: DeviceLike = "cpu",
                 lr_scales: Optional[Dict[str, float]] = None, allow_fresh: bool = False):
        self.stage = stage
        # a resume whose checkpoint does not fit the network loses trained weights at the next save:
        # refused unless asked for (--allow-fresh-tensors, or a deliberate growth such as deeper blocks)
        self.allow_fresh = allow_fresh
        self.device = torch.device(device)
        # on the device before the optimiser exists: its moments (restored or new) follow the parameters
        for m in modules.values():
            m.to(self.device)
        self.modules = modules
        self.ema: Optional[Ema] = None
        # frozen parameters (requires_grad False) are saved with the modules but not optimised
        # lr_scales {"module.name-prefix": factor}: those parameters train at lr × factor (e.g. blocks grown
        # this run at a higher rate than the ones already polished); one optimiser group per factor
        groups: Dict[float, list] = {}
        for key, m in modules.items():
            for name, p in m.named_parameters():
                if p.requires_grad:
                    full = f"{key}.{name}"
                    scale = next((f for pre, f in (lr_scales or {}).items() if full.startswith(pre)), 1.0)
                    groups.setdefault(scale, []).append(p)
        self.opt = torch.optim.AdamW([{"params": ps, "lr_scale": f, "lr": lr * f} for f, ps in groups.items()],
                                     lr=lr, weight_decay=weight_decay, betas=(0.9, 0.99))
        self.lr = lr
        self.step = 0
        self.seconds = 0.0
        self.rng = np.random.default_rng(seed)
        torch.manual_seed(seed)
        self.path = Path(checkpoint_dir) / f"{stage}.pt"
        self.log_path = Path(log_dir) / f"{stage}.log"
        self.history: list = []
        self.extra: dict = {}          # stage outputs the exporter needs (e.g. normalisation statistics)
        self._noted_moments = False    # the log says once per run where the moments went
        saved_ema = None
        if self.path.exists():
            saved_ema = self.load()
        if dp.active():            # data-parallel (data_parallel.py): same weights, a batch stream per process
            dp.broadcast_parameters(modules.values())
            if dp.rank() > 0:
                self.rng = np.random.default_rng([seed, self.step, dp.rank()])
                torch.manual_seed(seed + 7919 * dp.rank() + self.step)
        if ema_decay is not None:
            self.ema = Ema(modules, ema_decay)       # starts from the current (possibly resumed) weights
            if saved_ema is not None:
                self.ema.load_state_dict(saved_ema)

    @staticmethod
    def checkpoint_path(stage: str, checkpoint_dir: Path = CHECKPOINTS) -> Path:
        return Path(checkpoint_dir) / f"{stage}.pt"

    # ---- state -------------------------------------------------------------------------------------
    def state(self, with_optimiser: bool = True) -> dict:
        """Everything a resume needs, as CPU tensors whatever the training device."""
        return to_device({
            "stage": self.stage, "step": self.step, "seconds": self.seconds,
            "models": {k: m.state_dict() for k, m in self.modules.items()},
            "optimiser": self.opt.state_dict() if with_optimiser else None,
            "numpy_rng": self.rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
            "cuda_rng": torch.cuda.get_rng_state(self.device) if self.device.type == "cuda" else None,
            "history": self.history[-200:], "extra": self.extra,
            "ema": self.ema.state_dict() if self.ema is not None else None,
        }, "cpu")

    def save(self) -> Path:
        if dp.rank() > 0:          # one writer: rank 0 holds the same weights
            return self.path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.BytesIO()
        torch.save(self.state(True), buf)
        moments = None
        if buf.tell() > MAX_CHECKPOINT_BYTES:
            buf = io.BytesIO()
            torch.save(self.state(False), buf)
            # kept beside it, untracked: the next chunk on this machine resumes with them; a fresh clone
            # (or a GPU machine) starts its moments fresh, with the warm-up
            moments = io.BytesIO()
            torch.save({"step": self.step, "optimiser": to_device(self.opt.state_dict(), "cpu")}, moments)
            if not self._noted_moments:
                self._noted_moments = True
                self.log({"note": f"optimiser moments kept in {self.moments_path.name} (untracked), not in the "
                                  f"checkpoint: it stays under {MAX_CHECKPOINT_BYTES >> 20} MiB"})
        for path, data in ((self.moments_path, moments), (self.path, buf)):
            if data is None:
                continue
            with atomic_path(path) as tmp:      # a full disk leaves the previous checkpoint, no partial file
                tmp.write_bytes(data.getvalue())
        return self.path

    @property
    def moments_path(self) -> Path:
        """Adam moments of a checkpoint too large to hold them (git-ignored, `*.optim.pt`)."""
        return self.path.with_name(self.path.stem + ".optim.pt")

    def load(self) -> Optional[dict]:
        """Restore the checkpoint; returns its EMA state (None when it has none) for __init__."""
        st = load_checkpoint(self.path)
        if not isinstance(st.get("models"), dict) or "step" not in st:
            raise CheckpointError(f"{self.path} is not a training checkpoint of this project (no models/step); "
                                  f"restore it or move it away to start stage {self.stage!r} afresh")
        misfits = {k: mismatched(m, st["models"][k]) for k, m in self.modules.items() if k in st["models"]}
        misfits = {k: v for k, v in misfits.items() if v[0] or v[1]}
        if misfits and not self.allow_fresh:
            detail = "; ".join(f"{k}: {len(fresh)} tensors would start fresh (e.g. {fresh[:3]}), {len(unused)} of the "
                               f"checkpoint's would be dropped" for k, (fresh, unused) in misfits.items())
            raise CheckpointError(
                f"{self.path} (step {st['step']}) does not fit the network this run builds — {detail}. "
                f"Check --config (and the stage: is this {self.stage!r}'s checkpoint?). Resuming would replace "
                f"its trained weights at the first save; to grow or change the network from it on purpose, pass "
                f"--allow-fresh-tensors (the checkpoint is copied aside first)")
        if misfits:
            backup = self.path.with_name(f"{self.path.stem}.before-fresh-step{st['step']}.pt")
            if not backup.exists() and dp.rank() == 0:
                shutil.copy2(self.path, backup)
            self.log({"note": f"step {st['step']}: {sorted(misfits)} do not fit the checkpoint; it was copied to "
                              f"{backup.name} before fresh tensors start"})
        for k, m in self.modules.items():
            if k in st["models"]:
                fresh = load_matching(m, st["models"][k])
                if fresh:      # the module's architecture changed since (e.g. a deeper encoder)
                    self.log({"note": f"step {st['step']}: module {k!r} changed shape; fresh tensors: {fresh}"})
            else:               # a module added to the stage since (e.g. a training-only head): fresh
                self.log({"note": f"step {st['step']}: module {k!r} not in the checkpoint, starting it fresh"})
        optimiser = st.get("optimiser")
        if optimiser is None and self.moments_path.exists():
            side = load_checkpoint(self.moments_path)
            optimiser = side["optimiser"] if side.get("step") == st["step"] else None   # stale moments: not these
        if optimiser is not None:
            rates = [(g["lr"], g["lr_scale"]) for g in self.opt.param_groups]
            try:
                self.opt.load_state_dict(optimiser)
            except ValueError:   # the set of trained parameters changed (e.g. a module was frozen)
                self.log({"note": f"step {st['step']}: optimiser state not reusable, starting fresh moments"})
            # torch restores the saved groups' rates with the moments: this run's --lr / lr_scales win
            for g, (lr, scale) in zip(self.opt.param_groups, rates):
                g["lr"], g["lr_scale"] = lr, scale
        self.step = int(st["step"])
        self.seconds = float(st.get("seconds", 0.0))
        self.rng.bit_generator.state = st["numpy_rng"]
        torch.set_rng_state(st["torch_rng"])
        if self.device.type == "cuda" and st.get("cuda_rng") is not None:   # absent when written on a CPU
            torch.cuda.set_rng_state(st["cuda_rng"], self.device)
        self.history = list(st.get("history", []))
        self.extra = dict(st.get("extra", {}))
        return st.get("ema")

    # ---- loop --------------------------------------------------------------------------------------
    def log(self, record: dict) -> None:
        if dp.rank() > 0:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "a") as f:
            f.write(json.dumps(record) + "\n")

    def run(self, step_fn: Callable[[np.random.Generator, int], Dict[str, float]], *, minutes: Optional[float] = None,
            steps: Optional[int] = None, checkpoint_every_s: float = 240.0, log_every: int = 10,
            lr_schedule: Optional[Callable[[int], float]] = None) -> None:
        """Call `step_fn(rng, step)` (which computes the loss and returns scalars; the trainer owns
        zero_grad/backward/step through `loss` in the returned dict) until the budget runs out."""
        start = time.time()
        last_ckpt = start
        done = 0
        acc: Dict[str, float] = {}
        acc_n = 0          # steps in `acc`: fewer than log_every in the first record after a resume
        while True:
            if steps is not None and done >= steps:
                break
            if dp.agree(minutes is not None and time.time() - start > minutes * 60):   # all stop together
                break
            for m in self.modules.values():
                m.train()
            if lr_schedule is not None:
                for g in self.opt.param_groups:
                    g["lr"] = self.lr * g.get("lr_scale", 1.0) * lr_schedule(self.step)
            t0 = time.time()
            out = step_fn(self.rng, self.step)
            loss = out.pop("loss")
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            dp.average_gradients(p for g in self.opt.param_groups for p in g["params"])
            torch.nn.utils.clip_grad_norm_([p for g in self.opt.param_groups for p in g["params"]], 1.0)
            self.opt.step()
            if self.ema is not None:
                self.ema.update()
            self.step += 1
            done += 1
            self.seconds += time.time() - t0
            out["loss"] = float(loss.detach())
            for k, v in out.items():
                acc[k] = acc.get(k, 0.0) + float(v)
            acc_n += 1
            if self.step % log_every == 0:
                rec = {"step": self.step, "seconds": round(self.seconds, 1), **{k: v / acc_n for k, v in acc.items()}}
                self.history.append(rec)
                self.log(rec)
                if dp.rank() == 0:
                    print(json.dumps(rec), flush=True)
                acc, acc_n = {}, 0
            if time.time() - last_ckpt > checkpoint_every_s:
                self.save()
                last_ckpt = time.time()
        self.save()


def mismatched(module: torch.nn.Module, state: dict) -> tuple:
    """(the module's tensors `state` has no fitting tensor for, `state`'s tensors the module has no place
    for): both empty when the checkpoint fits."""
    own = module.state_dict()
    fresh = sorted(n for n, v in own.items() if n not in state or state[n].shape != v.shape)
    unused = sorted(n for n, v in state.items() if n not in own or own[n].shape != v.shape)
    return fresh, unused


def load_matching(module: torch.nn.Module, state: dict) -> list:
    """Load every tensor of `state` whose name and shape match `module`'s; returns the names of the
    module's tensors left as they were (empty: an exact load)."""
    own = module.state_dict()
    same = {n: v for n, v in state.items() if n in own and own[n].shape == v.shape}
    module.load_state_dict(same, strict=False)
    return sorted(set(own) - set(same))


def copy_weights(trainer: "Trainer", key: str, weights: dict) -> None:
    """Put `weights` (all or part of module `key`'s state) into the module and its EMA shadow: one stage
    taking another's network (a pretrained or synced condition encoder)."""
    trainer.modules[key].load_state_dict(weights, strict=False)
    if trainer.ema is not None:
        for k, v in weights.items():
            trainer.ema.shadow[key][k].copy_(v)


def stage_weights(st: dict, key: str, ema: bool = True) -> dict:
    """State dict of module `key` in a loaded checkpoint: the EMA weights when the stage keeps them."""
    if ema and st.get("ema") is not None and key in st["ema"]["weights"]:
        return st["ema"]["weights"][key]
    return st["models"][key]


def load_weights(stage: str, modules: Dict[str, torch.nn.Module], checkpoint_dir: Path = CHECKPOINTS,
                 ema: bool = True) -> dict:
    """Load the weights of a finished (or in-progress) stage into `modules` (its EMA weights when it
    keeps an EMA, unless ema=False); returns the checkpoint."""
    path = Path(checkpoint_dir) / f"{stage}.pt"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: train stage {stage!r} first")
    st = load_checkpoint(path)
    for k, m in modules.items():
        m.load_state_dict(stage_weights(st, k, ema))
    return st
