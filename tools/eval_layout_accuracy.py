#!/usr/bin/env python
"""Does channels-last training change what the evaluation network learns? (issue 38)

`python tools/eval_layout_accuracy.py --tasks shapes gratings --seeds 0 1 2 --out results/speed/FILE.jsonl`

Trains DARTS-V2's evaluation network at the `cpu16` budget on each task and seed, once NCHW and once channels-last
(`evaluate.train_genotype(channels_last=...)`), and scores each on fresh draw 3 of the task's generator (2x the
test split's size; never read by anything else here) and on the test split. One JSON line per training, appended as
it ends; a rerun skips the trainings already in the file. Accuracy is what is compared here, not time."""
import argparse, json, os, time
from pathlib import Path

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--tasks', nargs='+', default=['shapes', 'gratings'])
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--config', default='cpu16')
    p.add_argument('--draw', type=int, default=3); p.add_argument('--mult', type=int, default=2)
    p.add_argument('--out', required=True)
    a = p.parse_args(argv)
    import torch
    from warmdarts_nb.suite import get_task, has_fresh_draws, fresh_draw
    from warmdarts_nb.evaluate import train_genotype, image_accuracy
    from warmdarts_nb.genotypes import DARTS_V2
    torch.set_num_threads(1)
    out = Path(a.out); out.parent.mkdir(parents=True, exist_ok=True)
    done = {(r['task'], r['seed'], r['layout']) for r in map(json.loads, out.read_text().splitlines())} if out.exists() else set()
    for t in a.tasks:
        if not has_fresh_draws(t): raise SystemExit(f"{t}: no fresh draws (choose a synthetic suite task)")
    for t in a.tasks:
        task, (x, y) = get_task(t), fresh_draw(t, a.mult, a.draw)
        for s in a.seeds:
            for layout, cl in (('nchw', False), ('channels_last', True)):
                if (t, s, layout) in done: continue
                c0 = time.process_time()
                e = train_genotype(task, DARTS_V2, a.config, seed=s, device='cpu', num_threads=1, channels_last=cl)
                row = dict(task=t, seed=s, layout=layout, config=a.config, fresh_acc=round(image_accuracy(e.learner.model, x, y), 5),
                           test_acc=round(e.test_acc, 5), seconds=round(e.seconds, 2), cpu_seconds=round(time.process_time() - c0, 2),
                           n_fresh=len(y), draw=a.draw)
                with out.open('a') as f: f.write(json.dumps(row) + '\n')
                print(json.dumps(row), flush=True)

if __name__ == '__main__': main()
