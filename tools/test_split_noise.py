"""How much of a retrain's seed-to-seed spread in test accuracy is the model's, and how much the test split's size?

For a generated suite task, build it again with `--mult` times the images per class (the same generator), keep the
weights and alphas splits as large as in the suite task, and put the rest in the test split. Retrain fixed genotypes
(`discrimination.study_genotypes`) at the study's budget (`cpu16`) for several seeds, score each once on the whole large
test split, and cut that split (in one fixed random order, the same for every run) into disjoint subsets of the suite
task's test size. The seed sd on the whole split is the model's; on a subset it adds the noise of a small test split.

    OMP_NUM_THREADS=1 python tools/test_split_noise.py colour_patches_grey --mult 8 --seeds 3 \
        --genotypes darts_v2 random_0 --out results/discrimination/test_split_noise.jsonl
    python tools/test_split_noise.py --summary results/discrimination/test_split_noise.jsonl

Resumable: rows already in `--out` (task, genotype, seed) are skipped. The test split is read once per run, after
training, as in the study."""
import argparse, json, time
from pathlib import Path
import numpy as np, torch

def _build(name:str, mult:int):
    "The suite builder of `name` with `mult` times the images per class (the same generator calls; `mult=1`: the suite task's images)"
    from warmdarts_nb import suite
    # derived tasks start from the float32 images of their parent, as `suite._build` gives them
    if name == 'colour_patches_grey': x, y, c = suite._colour_patches(mult); return suite._grey(x.float()), y, c
    if name == 'textures_noise': x, y, c = suite._textures(mult); return suite._noisy(x.float()), y, c
    if name == 'gratings': return suite._gratings(mult)
    raise SystemExit(f"unknown task {name!r}: choose colour_patches_grey, textures_noise or gratings")

def run(name, mult, genotypes, seeds, out):
    from warmdarts_nb.tasks import Task
    from warmdarts_nb.evaluate import train_genotype
    from warmdarts_nb.discrimination import study_genotypes
    from warmdarts_nb.suite import get_task
    torch.set_num_threads(1)
    G = study_genotypes(); bad = [g for g in genotypes if g not in G]
    if bad: raise SystemExit(f"unknown genotype(s) {bad}; known: {list(G)}")
    out = Path(out); out.parent.mkdir(parents=True, exist_ok=True)
    have = {(r['task'], r['genotype'], r['seed']) for r in map(json.loads, out.read_text().splitlines())} if out.exists() else set()
    ref = get_task(name)   # the suite task: the split sizes to keep
    nd = torch.get_default_dtype(); torch.set_default_dtype(torch.float64)   # as the suite builds its tasks
    try: x, y, c = _build(name, mult)
    finally: torch.set_default_dtype(nd)
    x = x.float().clamp(0, 1)
    tr = ref.split_pcts[0] / mult
    t = Task(x, y, f"{name}_x{mult}", classes=c, split_pcts=(tr, tr, 1 - 2 * tr))
    te, n_sub = t.split_idxs['test'], len(ref.split_idxs['test'])
    order = torch.randperm(len(te), generator=torch.Generator().manual_seed(0))
    print(f"{name} x{mult}: weights {len(t.split_idxs['weights'])} (suite {len(ref.split_idxs['weights'])}), test {len(te)}, subsets of {n_sub}", flush=True)
    for g in genotypes:
        for s in range(seeds):
            if (name, g, s) in have: continue
            e = train_genotype(t, G[g], 'cpu16', seed=s)
            net = e.learner.model.eval()
            with torch.no_grad():
                p = torch.cat([net(t.x[te[i:i + 512]]).argmax(1) for i in range(0, len(te), 512)])
            ok = (p == t.y[te]).float()[order]
            subs = [round(ok[i:i + n_sub].mean().item(), 5) for i in range(0, len(ok) - n_sub + 1, n_sub)]
            row = dict(task=name, mult=mult, genotype=g, seed=s, n_weights=len(t.split_idxs['weights']), n_test=len(te),
                       n_subset=n_sub, test_acc=round(e.test_acc, 5), full_acc=round(ok.mean().item(), 5), subset_accs=subs,
                       seconds=round(e.seconds, 1))
            with out.open('a') as f: f.write(json.dumps(row) + '\n')
            print(f"{g} s{s}: whole test {row['full_acc']:.4f}, subsets sd {np.std(subs):.4f} ({row['seconds']} s)", flush=True)

def summary(path):
    rows = [json.loads(l) for l in Path(path).read_text().splitlines()]
    print("| task | genotype | seeds | whole-split accuracy per seed | seed sd, whole split (n) | seed sd, split of the suite's size (mean over subsets) |")
    print("|---|---|---|---|---|---|")
    for key in dict.fromkeys((r['task'], r['genotype']) for r in rows):
        rs = sorted([r for r in rows if (r['task'], r['genotype']) == key], key=lambda r: r['seed'])
        if len(rs) < 2: continue
        full, S = [r['full_acc'] for r in rs], np.array([r['subset_accs'] for r in rs])
        print(f"| {key[0]} | {key[1]} | {len(rs)} | {' / '.join(f'{100*v:.1f}' for v in full)} | {100*np.std(full, ddof=1):.2f} ({rs[0]['n_test']}) "
              f"| {100*np.std(S, axis=0, ddof=1).mean():.2f} ({rs[0]['n_subset']}, {S.shape[1]} subsets) |")
    print("\n| task | genotypes | spread of the mean accuracies, whole split | mean seed sd, whole split | mean seed sd, splits of the suite's size | discriminates (spread >= 3, sd <= 1), whole / suite-size split |")
    print("|---|---|---|---|---|---|")
    for task in dict.fromkeys(r['task'] for r in rows):
        gs = {}
        for r in rows:
            if r['task'] == task: gs.setdefault(r['genotype'], []).append(r)
        gs = {g: v for g, v in gs.items() if len(v) > 1}
        if len(gs) < 2: continue
        means = [100 * np.mean([r['full_acc'] for r in v]) for v in gs.values()]
        sd_w = np.mean([100 * np.std([r['full_acc'] for r in v], ddof=1) for v in gs.values()])
        sd_s = np.mean([100 * np.std(np.array([r['subset_accs'] for r in v]), axis=0, ddof=1).mean() for v in gs.values()])
        sp = max(means) - min(means)
        print(f"| {task} | {len(gs)} | {sp:.1f} | {sd_w:.2f} | {sd_s:.2f} | {'yes' if sp >= 3 and sd_w <= 1 else 'no'} / {'yes' if sp >= 3 and sd_s <= 1 else 'no'} |")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('task', nargs='?'); ap.add_argument('--mult', type=int, default=8)
    ap.add_argument('--genotypes', nargs='+', default=['darts_v2', 'random_0']); ap.add_argument('--seeds', type=int, default=3)
    ap.add_argument('--out', default='results/discrimination/test_split_noise.jsonl'); ap.add_argument('--summary', default=None)
    a = ap.parse_args()
    if a.summary: summary(a.summary)
    elif a.task: run(a.task, a.mult, a.genotypes, a.seeds, a.out)
    else: ap.error('give a task, or --summary FILE')
