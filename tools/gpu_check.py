#!/usr/bin/env python
"""One command that checks warmdarts_nb on a GPU in at most about 5 minutes, printing one JSON object and writing it to
`<out>/<DATE>.json` (default `results/gpu`):

a. `gradients`: plain vs fast supernet weight gradients on CUDA at a search-like size (C=16, 5 cells, batch 32,
   32x32 RGB; no AMP, no TF32) for the default layout (NCHW on CUDA) and explicit channels-last, each in float32 and
   in float64 (the oracle: float64 tells a wrong backward from float32 rounding that flips a ReLU); plus the plain
   supernet on channels-last tensors, to tell "channels-last" from "the fast path". `ok`: the default layout right.
b. `search_retrain`: a `tiny` search of `digits` on CUDA and a retraining of its genotype (2 epochs of the `tiny` budget).
c. `paper_stage0`, `paper_stage2`: images/s and peak GPU memory of the `paper` configuration's stage 0 (5 cells, all
   8 ops) and stage 2 (17 cells, 3 ops per edge by an op mask), trained as `search` trains them on the GPU.
d. `cpu16_vs_cpu`: the first epochs of a cold `cpu16` search of `textures` on the GPU and on one CPU thread (run at
   the same time, in another process): is a small configuration slower on a GPU? (`configs.small_search`)

Each part runs in its own process under a time cap (a part that runs out of time records that). The GPU machine has
torch but no fastai: `--install` first installs the wheels of `tools/gpu_wheels.sh` (carried as `gpu_wheels/`) that
are missing there into `.gpu_site/`, without the network; the checkout itself is put on `sys.path` (no install). Without CUDA it says
so and exits 0; `--cpu-smoke` runs parts a-c at tiny sizes on the CPU to test this script's code paths.

    bash tools/gpu_wheels.sh                                  # here, once: fills gpu_wheels/
    python tools/gpu_check.py --install [--out DIR]           # on the GPU machine
    python tools/gpu_check.py --cpu-smoke                     # here: the code paths at tiny sizes
"""
from __future__ import annotations
import argparse, datetime, json, os, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT/'.gpu_site'   # where --install puts the missing wheels (git-ignored), so no system site-packages is written
for _p in (SITE, ROOT):
    if str(_p) not in sys.path: sys.path.insert(0, str(_p))

def install(wheels:Path=ROOT/'gpu_wheels')->dict:
    "pip-install (offline, --no-deps, into `SITE`) the wheels in `wheels` whose distribution is not installed here"
    import importlib.metadata as md
    have, todo = [], []
    for w in sorted(wheels.glob('*.whl')):
        name = w.name.split('-')[0]
        try: md.version(name); have.append(name)
        except md.PackageNotFoundError: todo.append(w)
    r = None
    if todo: r = subprocess.run([sys.executable, '-m', 'pip', 'install', '--no-index', '--no-deps', '--quiet', '--upgrade',
                                 '--target', str(SITE), *map(str, todo)], capture_output=True, text=True)
    import importlib; importlib.invalidate_caches()
    return {'installed': [w.name.split('-')[0] for w in todo], 'already_there': have,
            'rc': 0 if r is None else r.returncode, 'tail': '' if r is None else (r.stdout + r.stderr)[-500:]}

# --- a. gradients ---------------------------------------------------------------------------------------------------
def _grad_diff(device, dtype, fast_kw, C, layers, bs, px, seed=0):
    import torch, torch.nn.functional as F
    from warmdarts_nb.core import set_seed
    from warmdarts_nb.search_space import SuperNet
    kw = dict(C=C, n_classes=10, layers=layers, in_channels=3)
    set_seed(seed); a = SuperNet(fast=False, channels_last=False, **kw)
    with torch.no_grad(): a.alpha_normal.normal_(); a.alpha_reduce.normal_()
    b = SuperNet(**fast_kw, **kw); b.load_state_dict(a.state_dict())
    a, b = a.to(device, dtype), b.to(device, dtype)
    g = torch.Generator().manual_seed(seed + 1)
    x, y = torch.randn(bs, 3, px, px, generator=g), torch.randint(0, 10, (bs,), generator=g)
    x, y = x.to(device, dtype), y.to(device)
    losses = []
    for m in (a, b): l = F.cross_entropy(m(x), y); l.backward(); losses.append(l.item())
    d = [((p.grad - q.grad).abs().max().item(), n, p.grad.abs().max().item())
         for (n, p), q in zip(a.named_parameters(), b.parameters()) if p.grad is not None]
    worst = max(d)
    return {'max_grad_diff': worst[0], 'at': worst[1], 'grad_max_there': worst[2], 'n_over_1e-4': sum(v > 1e-4 for v, *_ in d),
            'n_params': len(d), 'loss_diff': abs(losses[0] - losses[1])}

def part_gradients(device='cuda', C=16, layers=5, bs=32, px=32)->dict:
    "Plain vs fast supernet gradients for both layouts, float32 and float64"
    import torch
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    out = {'size': dict(C=C, layers=layers, batch=bs, image_size=px), 'device': str(device)}
    for name, kw in (('default', dict(fast=True)), ('channels_last', dict(fast=True, channels_last=True)),
                     ('plain_channels_last', dict(fast=False, channels_last=True))):
        for dt in ('float32', 'float64'): out[f'{name}_{dt}'] = _grad_diff(device, getattr(torch, dt), kw, C, layers, bs, px)
    f32, f64 = out['default_float32'], out['default_float64']
    out['ok'] = f64['max_grad_diff'] < 1e-8 and f32['max_grad_diff'] < 1e-2
    out['channels_last_ok'] = out['channels_last_float64']['max_grad_diff'] < 1e-8
    return out

# --- b. a short search and a retraining ----------------------------------------------------------------------------
def part_search_retrain(device='cuda', task_name='digits', max_epochs=None, retrain_epochs=None)->dict:
    "A `tiny` search and a retraining of its genotype on a built-in task"
    from warmdarts_nb.suite import get_task
    from warmdarts_nb.search import search
    from warmdarts_nb.evaluate import train_genotype
    from warmdarts_nb.genotypes import Genotype
    task = get_task(task_name)
    t0 = time.perf_counter(); r = search(task, 'tiny', device=device, max_epochs=max_epochs); ts = time.perf_counter() - t0
    geno = r.genotype or Genotype.from_dict(r.stages[-1]['genotype'])
    t0 = time.perf_counter(); e = train_genotype(task, geno, 'tiny', device=device, epochs=retrain_epochs, keep_learner=False)
    te = time.perf_counter() - t0
    return {'task': task_name, 'device': r.device, 'search_seconds': round(ts, 1), 'epochs': len(r.history),
            'alphas_acc': round(float(r.accuracy), 4), 'peak_mem_mb': round(r.cost['peak_mem_mb'], 1),
            'retrain_seconds': round(te, 1), 'test_acc': round(float(getattr(e, 'test_acc', float('nan'))), 4),
            'genotype': geno.to_dict(), 'ok': r.device.startswith(str(device)) and r.accuracy > 0}

# --- c. speed and memory of the paper configuration's stages -------------------------------------------------------
def part_paper(stage=0, device='cuda', batches=10, warmup=3, small=False)->dict:
    "images/s and peak memory of `paper` stage 0 (all ops) or 2 (17 cells, 3 ops per edge), trained by `search`"
    import dataclasses, torch
    from fastai.callback.core import Callback, CancelFitException
    from warmdarts_nb.tasks import Task
    from warmdarts_nb.search import search, full_masks
    from warmdarts_nb.configs import CONFIGS, Stage
    from warmdarts_nb.search_space import prune_mask, channels_last_on
    p = CONFIGS['paper']
    st = p.stages[stage]
    cfg = dataclasses.replace(p, stages=[Stage(st.layers, 1, 2, 0, 0.)], early_stop=False)   # alpha steps from the start
    if small: cfg = dataclasses.replace(cfg, C=4, batch_size=8, image_size=16, stages=[Stage(4 if stage == 0 else 6, 1, 2, 0, 0.)])
    masks = None
    if stage == 2:   # what stage 2 trains: 3 candidates per edge (as left by stage 1's prune)
        g = torch.Generator().manual_seed(0); full = full_masks()
        masks = {k: prune_mask(torch.randn(full[k].shape, generator=g), full[k], 3) for k in full}
    n = int(cfg.batch_size * (warmup + batches) / 0.4) + 2 * cfg.batch_size   # the weights split is 40 % of the task
    g = torch.Generator().manual_seed(0)
    px = cfg.image_size
    task = Task(torch.rand(n, 3, px, px, generator=g), torch.arange(n) % 10, name=f'bench{px}', classes=[str(i) for i in range(10)])
    cuda = torch.device(device).type == 'cuda'
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    class Clock(Callback):
        order = 100
        def before_fit(self): self.n, self.t0 = 0, None
        def after_batch(self):
            if not self.training: return
            self.n += 1
            if self.n == warmup: sync(); self.t0 = time.perf_counter()
            if self.n == warmup + batches: sync(); self.t1 = time.perf_counter(); raise CancelFitException()
    clock = Clock()
    if cuda: torch.cuda.reset_peak_memory_stats()
    search(task, cfg, device=device, callbacks=[clock], init_masks=masks)
    dt = clock.t1 - clock.t0
    return {'config': f'paper stage {stage}' + (' (small)' if small else ''), 'layers': cfg.stages[0].layers, 'C': cfg.C,
            'ops_per_edge': 3 if stage == 2 else 8, 'batch_size': cfg.batch_size, 'image_size': px,
            'amp': ('bf16' if torch.cuda.is_bf16_supported() else 'fp16') if cuda else None,
            'channels_last': channels_last_on(device), 'timed_batches': batches,
            'images_per_s': round(batches * cfg.batch_size / dt, 1), 'step_s': round(dt / batches, 4),
            'peak_gpu_mem_mb': round(torch.cuda.max_memory_allocated() / 2**20, 1) if cuda else None}

# --- d. a small configuration on the GPU and on one CPU thread -----------------------------------------------------
def part_cpu16(device='cuda', task_name='textures', max_epochs=2)->dict:
    "The first `max_epochs` epochs of a cold `cpu16` search on `device` (one thread on the CPU)"
    import torch
    from warmdarts_nb.suite import get_task
    from warmdarts_nb.search import search
    task = get_task(task_name)
    t0 = time.perf_counter()
    r = search(task, 'cpu16', device=device, max_epochs=max_epochs, num_threads=1 if device == 'cpu' else None)
    s = time.perf_counter() - t0
    return {'device': r.device, 'task': task_name, 'epochs': len(r.history), 'seconds': round(s, 1),
            'seconds_per_epoch': round(s / max(len(r.history), 1), 2), 'full_search_epochs': 24}

PARTS = {'gradients': part_gradients, 'search_retrain': part_search_retrain, 'paper_stage0': lambda **k: part_paper(0, **k),
         'paper_stage2': lambda **k: part_paper(2, **k), 'cpu16_gpu': part_cpu16, 'cpu16_cpu': part_cpu16}
SMOKE = {'gradients': dict(device='cpu', C=4, layers=5, bs=4, px=8), 'search_retrain': dict(device='cpu', max_epochs=3, retrain_epochs=1),
         'paper_stage0': dict(device='cpu', batches=2, warmup=1, small=True), 'paper_stage2': dict(device='cpu', batches=2, warmup=1, small=True)}
CAPS = {'gradients': 45, 'search_retrain': 100, 'paper_stage0': 50, 'paper_stage2': 60, 'cpu16_gpu': 60, 'cpu16_cpu': 200}

def _start(name:str, kw:dict)->subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(SITE)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
    if kw.get('device') == 'cpu' and name.startswith('cpu16'): env.update(OMP_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    return subprocess.Popen([sys.executable, __file__, '--part', name, '--kw', json.dumps(kw)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

def _finish(name:str, p:subprocess.Popen, t0:float, cap:float)->dict:
    try: out, _ = p.communicate(timeout=max(1., cap - (time.perf_counter() - t0)))
    except subprocess.TimeoutExpired:
        p.kill(); out, _ = p.communicate()
        return {'timed_out': True, 'cap_s': round(cap), 'tail': out.strip().splitlines()[-3:]}
    lines = out.strip().splitlines()
    if p.returncode == 0 and lines and lines[-1].startswith('{'):
        res = json.loads(lines[-1]); res['seconds_total'] = round(time.perf_counter() - t0, 1); return res
    return {'error': f'rc {p.returncode}', 'tail': lines[-6:]}

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--install', action='store_true', help='first install the missing wheels of gpu_wheels/ (offline)')
    ap.add_argument('--cpu-smoke', action='store_true', help='run parts a-c at tiny sizes on the CPU (tests this script)')
    ap.add_argument('--out', default=None, help='folder for <DATE>.json (default results/gpu; with --cpu-smoke: none)')
    ap.add_argument('--budget', type=float, default=None, help='seconds for all parts together (default 290; --cpu-smoke 1200)')
    ap.add_argument('--skip', default='', help='comma-separated parts to skip: ' + ','.join(PARTS))
    ap.add_argument('--part', help=argparse.SUPPRESS); ap.add_argument('--kw', default='{}', help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.part:   # a child process: one part, its JSON on the last line
        print(json.dumps(PARTS[args.part](**json.loads(args.kw)))); return 0
    t_start = time.perf_counter()
    out = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}
    if args.install: out['install'] = install()
    import torch
    out.update(torch=torch.__version__, cuda=torch.cuda.is_available())
    if not torch.cuda.is_available() and not args.cpu_smoke:
        out['message'] = 'no CUDA GPU here: nothing checked (run tools/gpu_check.py on a machine with a GPU, or --cpu-smoke)'
        print(json.dumps(out)); return 0
    if args.cpu_smoke: plan = {k: dict(v) for k, v in SMOKE.items()}
    else:
        out['gpu'] = torch.cuda.get_device_name(0)
        plan = {'gradients': {}, 'paper_stage0': {}, 'paper_stage2': {}, 'cpu16_gpu': {}, 'search_retrain': dict(retrain_epochs=2),
                'cpu16_cpu': dict(device='cpu')}   # most important first: a part that the budget cuts records 'out of time'
    for k in filter(None, args.skip.split(',')): plan.pop(k, None)
    deadline = t_start + (args.budget or (1200. if args.cpu_smoke else 290.))
    caps = {k: v * (5 if args.cpu_smoke else 1) for k, v in CAPS.items()}   # a loaded 2-core CPU imports torch in 30 s
    bg = {}
    if 'cpu16_cpu' in plan: bg['cpu16_cpu'] = (_start('cpu16_cpu', plan.pop('cpu16_cpu')), time.perf_counter())   # beside the GPU parts
    for name, kw in plan.items():
        left = deadline - time.perf_counter()
        if left < 5: out[name] = {'skipped': 'out of time'}; continue
        t0 = time.perf_counter(); out[name] = _finish(name, _start(name, kw), t0, min(caps[name], left))
    for name, (p, t0) in bg.items(): out[name] = _finish(name, p, t0, max(5., min(caps[name], deadline - t0)))
    g, c = out.get('cpu16_gpu', {}), out.get('cpu16_cpu', {})
    if 'seconds_per_epoch' in g and 'seconds_per_epoch' in c:
        out['cpu16_vs_cpu'] = {'gpu_s_per_epoch': g['seconds_per_epoch'], 'cpu1_s_per_epoch': c['seconds_per_epoch'],
                               'gpu_faster': g['seconds_per_epoch'] < c['seconds_per_epoch']}
    out['seconds'] = round(time.perf_counter() - t_start, 1)
    out['ok'] = all(isinstance(v, dict) and v.get('ok', True) and not ({'error', 'timed_out', 'skipped'} & set(v))
                    for k, v in out.items() if k in PARTS)
    text = json.dumps(out)
    folder = args.out or (None if args.cpu_smoke else ROOT/'results'/'gpu')
    if folder is not None:
        f = Path(folder)/f"{'cpu-smoke-' if args.cpu_smoke else ''}{out['date'][:10]}.json"
        f.parent.mkdir(parents=True, exist_ok=True); f.write_text(json.dumps(out, indent=1) + '\n'); out['written'] = str(f)
    print(text)
    return 0 if out['ok'] else 1

if __name__ == '__main__': sys.exit(main())
