#!/usr/bin/env python
"""One command that checks warmdarts_nb on a GPU (about 5 minutes on one GPU), printing one JSON object:

1. runs the notebooks that hold `#| cuda` cells with `nbdev_test --flags cuda` (those cells never run on CPU CI);
2. benchmarks the `paper` search configuration's first stage (5 cells, 16 channels, all 8 ops, batch 96, 84x84
   RGB) through `search` itself, so with what a GPU search uses (bf16/fp16 AMP, channels-last): images/s and
   peak GPU memory;
3. runs a short search (`tiny`) and retrains its genotype (`tiny` evaluation budget) on the built-in `digits`.

On a machine without CUDA it says so and exits 0 without doing anything.

    python tools/gpu_check.py [--skip-notebooks] [--timeout 240]
"""
from __future__ import annotations
import argparse, json, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def cuda_cells(nbs:Path=ROOT/'nbs')->list:
    "Every `#| cuda` cell of the notebooks in `nbs`: [{'notebook', 'cell', 'first_line'}]"
    out = []
    for nb in sorted(nbs.glob('*.ipynb')):
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        for i, c in enumerate(cells):
            src = ''.join(c.get('source', []))
            if c['cell_type'] == 'code' and any(l.strip().replace(' ', '') == '#|cuda' for l in src.splitlines()):
                out.append({'notebook': nb.name, 'cell': i, 'first_line': next((l for l in src.splitlines() if not l.startswith('#|')), '')})
    return out

def run_notebooks(names:list, timeout:int)->list:
    "Run each notebook with its `#| cuda` cells on (in parallel), returning rc, seconds and the tail of the output"
    procs = {n: (time.perf_counter(), subprocess.Popen(['nbdev_test', '--path', str(ROOT/'nbs'/n), '--flags', 'cuda'], cwd=ROOT,
                                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)) for n in names}
    res = []
    for n, (t0, p) in procs.items():
        try: out, _ = p.communicate(timeout=max(1, timeout - (time.perf_counter() - t0)))
        except subprocess.TimeoutExpired: p.kill(); out, _ = p.communicate(); out += '\n(timed out)'
        res.append({'notebook': n, 'rc': p.returncode, 'seconds': round(time.perf_counter() - t0, 1), 'ok': p.returncode == 0,
                    'tail': out.strip().splitlines()[-3:]})
    return res

def bench_paper(batches:int=20, warmup:int=3)->dict:
    "images/s and peak GPU memory of the `paper` configuration's first stage, as `search` trains it on the GPU"
    import dataclasses, torch
    from fastai.callback.core import Callback, CancelFitException
    from warmdarts_nb.tasks import Task
    from warmdarts_nb.search import CONFIGS, Stage, search
    p = CONFIGS['paper']
    cfg = dataclasses.replace(p, stages=[Stage(p.stages[0].layers, 1, 2, 0, 0.)], early_stop=False)   # alpha steps from the start
    n = int(cfg.batch_size * (warmup + batches) / 0.4) + 2 * cfg.batch_size   # the weights split is 40 % of the task
    g = torch.Generator().manual_seed(0)
    task = Task(torch.rand(n, 3, 84, 84, generator=g), torch.arange(n) % 10, name='bench84', classes=[str(i) for i in range(10)])
    class Clock(Callback):
        order = 100
        def before_fit(self): self.n, self.t0 = 0, None
        def after_batch(self):
            if not self.training: return
            self.n += 1
            if self.n == warmup: torch.cuda.synchronize(); self.t0 = time.perf_counter()
            if self.n == warmup + batches:
                torch.cuda.synchronize(); self.t1 = time.perf_counter(); raise CancelFitException()
    clock = Clock()
    r = search(task, cfg, device='cuda', callbacks=[clock])
    dt = clock.t1 - clock.t0
    return {'config': 'paper stage 0', 'layers': cfg.stages[0].layers, 'C': cfg.C, 'batch_size': cfg.batch_size, 'image_size': cfg.image_size,
            'amp': 'bf16' if torch.cuda.is_bf16_supported() else 'fp16', 'channels_last': True, 'timed_batches': batches,
            'images_per_s': round(batches * cfg.batch_size / dt, 1), 'step_s': round(dt / batches, 4),
            'peak_gpu_mem_mb': round(torch.cuda.max_memory_allocated() / 2**20, 1)}

def search_and_retrain(task_name:str='digits')->dict:
    "A short search and a retraining of its genotype on a built-in task, on the GPU"
    from warmdarts_nb.suite import get_task
    from warmdarts_nb.search import search
    from warmdarts_nb.evaluate import train_genotype
    task = get_task(task_name)
    t0 = time.perf_counter(); r = search(task, 'tiny', device='cuda'); ts = time.perf_counter() - t0
    t0 = time.perf_counter(); e = train_genotype(task, r.genotype, 'tiny', device='cuda', keep_learner=False); te = time.perf_counter() - t0
    return {'task': task_name, 'search_seconds': round(ts, 1), 'alphas_acc': round(float(r.accuracy), 4), 'device': r.device,
            'peak_gpu_mem_mb': round(r.cost['peak_mem_mb'], 1), 'retrain_seconds': round(te, 1),
            'test_acc': round(float(getattr(e, 'test_acc', float('nan'))), 4), 'genotype': r.genotype.to_dict()}

def main(argv=None)->int:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--skip-notebooks', action='store_true', help='do not run the #| cuda notebooks')
    ap.add_argument('--timeout', type=int, default=240, help='seconds for the notebooks (run in parallel)')
    args = ap.parse_args(argv)
    cells = cuda_cells()
    import torch
    if not torch.cuda.is_available():
        print(json.dumps({'cuda': False, 'message': 'no CUDA GPU here: nothing checked (run tools/gpu_check.py on a machine with a GPU)',
                          'cuda_cells': len(cells), 'notebooks': sorted({c['notebook'] for c in cells})}))
        return 0
    out = {'cuda': True, 'gpu': torch.cuda.get_device_name(0), 'torch': torch.__version__, 'cuda_cells': len(cells)}
    t0 = time.perf_counter()
    if not args.skip_notebooks: out['notebooks'] = run_notebooks(sorted({c['notebook'] for c in cells}), args.timeout)
    for k, f in (('bench', bench_paper), ('search_retrain', search_and_retrain)):
        try: out[k] = f()
        except Exception as e: out[k] = {'error': f"{type(e).__name__}: {e}"}
    out['seconds'] = round(time.perf_counter() - t0, 1)
    out['ok'] = all(n['ok'] for n in out.get('notebooks', [])) and not any('error' in out[k] for k in ('bench', 'search_retrain'))
    print(json.dumps(out))
    return 0 if out['ok'] else 1

if __name__ == '__main__': sys.exit(main())
