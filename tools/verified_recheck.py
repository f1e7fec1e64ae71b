"""Independent recomputation of the pre-registered analysis of the `verified` confirmatory benchmark.

Works only from the raw rows (`runs/*.jsonl`) and units (`units/*.jsonl`) of a results folder, with numpy, scipy
and pandas; it does NOT import `warmdarts_nb` (nor read its code), so its figures can be checked against the
library's `verified_report`. Differences are in points (100 x accuracy), outcome = `score` (fresh-draw accuracy,
or test accuracy for the tasks without draws), paired by (target, seed).

Run from the repo root:
    python tools/verified_recheck.py [RESULTS_DIR] [--json]
RESULTS_DIR defaults to results/benchmark-verified (relative to the repo root); --json prints a JSON dict.
"""
import glob, json, os, sys
import numpy as np, pandas as pd
from scipy import stats

ARMS = ['verified', 'verified_random', 'warm', 'darts_v2', 'cold']


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def load(folder):
    rows, complete = [], 0
    for f in sorted(glob.glob(os.path.join(folder, 'runs', '*.jsonl'))):
        rs = read_jsonl(f)
        complete += set(ARMS) <= {r['arm'] for r in rs}
        rows += rs
    return rows, complete


def paired(df, a, b):
    "d(t, s) = score(a) - score(b) in points, over the (target, seed) pairs holding both arms."
    p = df.pivot_table(index=['target', 'seed'], columns='arm', values='score', aggfunc='first')
    d = (p[a] - p[b]).dropna() * 100
    return d.reset_index(name='d')


def blocked(d, level):
    "OLS of d on target indicators; estimate = equal-weight mean of the target coefficients."
    targets = sorted(d.target.unique())
    X = (np.asarray(d.target, dtype=object)[:, None] == np.array(targets, dtype=object)[None, :]).astype(float)
    y = d.d.values
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    n, T = X.shape
    dof = n - T
    c = np.full(T, 1 / T)
    est = float(c @ beta)
    out = dict(est=est, n=n, targets=T, dof=dof, level=level,
               per_target={t: float(b) for t, b in zip(targets, beta)})
    if dof > 0:
        s2 = float(((y - X @ beta) ** 2).sum() / dof)
        se = float(np.sqrt(s2 * c @ np.linalg.inv(X.T @ X) @ c))
        q = stats.t.ppf(0.5 + level / 2, dof)
        out.update(se=se, lo=est - q * se, hi=est + q * se)
    else:
        out.update(se=None, lo=None, hi=None)
    return out


def as_sample(d, level=0.95):
    "t interval over the per-target mean differences (T - 1 df)."
    m = d.groupby('target').d.mean().values
    T = len(m)
    est = float(m.mean())
    se = float(m.std(ddof=1) / np.sqrt(T)) if T > 1 else float('nan')
    q = stats.t.ppf(0.5 + level / 2, T - 1) if T > 1 else float('nan')
    return dict(est=est, se=se, lo=est - q * se, hi=est + q * se, targets=T, dof=T - 1, level=level)


def cost(df):
    cold, ver = df[df.arm == 'cold'], df[df.arm == 'verified']
    new = cold[cold.new_search.fillna(False).astype(bool)]
    rate = float(new.search_cpu.sum() / new.op_epochs.sum()) if len(new) else None
    reused = cold[~cold.new_search.fillna(False).astype(bool)]
    null = reused[reused.op_epochs.isna()]
    cc = {}
    for _, r in new.iterrows():
        cc[(r.target, r.seed)] = r.search_cpu + r.train_cpu
    for _, r in reused.dropna(subset=['op_epochs']).iterrows():
        if rate is not None:
            cc[(r.target, r.seed)] = r.op_epochs * rate + r.train_cpu
    vc = {(r.target, r.seed): r.cost_cpu for _, r in ver.iterrows() if pd.notna(r.cost_cpu)}
    keys = sorted(set(cc) & set(vc))
    sv, sc = float(sum(vc[k] for k in keys)), float(sum(cc[k] for k in keys))
    return dict(new_cold=len(new), cpu_per_op_epoch=rate, reused_cold=len(reused),
                reused_null_op_epochs=len(null), null_op_epoch_groups=[f'{t}-s{s}' for t, s in zip(null.target, null.seed)],
                pairs=len(keys), sum_verified_cpu=sv, sum_cold_cpu=sc, ratio=sv / sc if sc else None)


def wins(df):
    ver = df[df.arm == 'verified']
    counts, targets = {}, {}
    for _, r in ver.iterrows():
        for w in str(r.winner).split('='):
            counts[w] = counts.get(w, 0) + 1
            targets.setdefault(w, set()).add(r.target)
    n = len(ver)
    ind = ver[ver.indep_winner.notna()] if 'indep_winner' in ver else ver.iloc[:0]
    agree = int(sum(set(str(a).split('=')) == set(str(b).split('=')) for a, b in zip(ind.winner, ind.indep_winner)))
    return dict(groups=n, counts=counts, shares={k: v / n for k, v in counts.items()},
                targets_won={k: len(v) for k, v in targets.items()}, indep_pairs=len(ind), indep_agree=agree)


def warm_cost(df, folder):
    units = {}
    for f in glob.glob(os.path.join(folder, 'units', '*.jsonl')):
        name = os.path.basename(f)[:-len('.jsonl')]
        units[name] = {u['key']: u for u in read_jsonl(f)}  # last line of a key wins
    costs, missing = [], []
    for _, r in df[df.arm == 'warm'].iterrows():
        u = units.get(f'{r.target}-s{r.seed}', {})
        keys = ['ranking', f'search/{r.source_id}', 'full/' + json.dumps(r.genotype, sort_keys=True)]
        if all(k in u for k in keys):
            costs.append(u['ranking']['cpu_seconds'] + u['ranking'].get('embed_seconds', 0)
                         + u[keys[1]]['cpu_seconds'] + u[keys[2]]['cpu_seconds'])
        else:
            missing.append(f'{r.target}-s{r.seed}')
    return dict(rows=int((df.arm == 'warm').sum()), reconstructed=len(costs),
                mean_cpu=float(np.mean(costs)) if costs else None, missing=missing)


def analyse(folder):
    rows, complete = load(folder)
    df = pd.DataFrame(rows)
    out = dict(counts=dict(groups_complete=complete, rows=len(df), targets=int(df.target.nunique()),
                           seeds=sorted(int(s) for s in df.seed.unique())))
    vc, vd, vr, wc = (paired(df, *p) for p in [('verified', 'cold'), ('verified', 'darts_v2'),
                                                ('verified', 'verified_random'), ('warm', 'cold')])
    vd95 = blocked(vd, 0.95)
    low = min(vd95['per_target'].items(), key=lambda kv: kv[1])
    out['blocked'] = {'verified-cold 90%': blocked(vc, 0.90), 'verified-cold 95%': blocked(vc, 0.95),
                      'verified-darts_v2 95%': vd95, 'verified-verified_random 95%': blocked(vr, 0.95),
                      'warm-cold 90%': blocked(wc, 0.90)}
    out['darts_v2_lowest_target'] = dict(target=low[0], mean=low[1])
    out['targets_as_sample'] = {'verified-cold 95%': as_sample(vc), 'verified-darts_v2 95%': as_sample(vd),
                                'verified-verified_random 95%': as_sample(vr)}
    out['cost'] = cost(df)
    out['wins'] = wins(df)
    out['warm_cost'] = warm_cost(df, folder)
    return out


def f2(x):
    return 'n/a' if x is None or (isinstance(x, float) and np.isnan(x)) else f'{x:.2f}'


def show(o):
    c = o['counts']
    print(f"groups complete {c['groups_complete']}, rows {c['rows']}, targets {c['targets']}, seeds {c['seeds']}")
    print('Blocked by target (OLS, target fixed effect), points:')
    for k, b in o['blocked'].items():
        print(f"  {k:30s} est {f2(b['est'])}  se {f2(b['se'])}  [{f2(b['lo'])}, {f2(b['hi'])}]  N={b['n']} T={b['targets']} df={b['dof']}")
    print('  verified-darts_v2 per-target means: '
          + ', '.join(f'{t} {f2(v)}' for t, v in o['blocked']['verified-darts_v2 95%']['per_target'].items()))
    lo = o['darts_v2_lowest_target']
    print(f"  lowest: {lo['target']} {f2(lo['mean'])}")
    print('Targets as a sample (t over per-target means, T-1 df), 95%:')
    for k, b in o['targets_as_sample'].items():
        print(f"  {k:30s} est {f2(b['est'])}  se {f2(b['se'])}  [{f2(b['lo'])}, {f2(b['hi'])}]  T={b['targets']}")
    k = o['cost']
    print(f"Cost: {k['new_cold']} new cold searches, {f2(k['cpu_per_op_epoch'] and k['cpu_per_op_epoch'] * 1000)} CPU-ms per op-epoch "
          f"(pooled); {k['reused_cold']} reused, {k['reused_null_op_epochs']} with null op_epochs left out "
          f"{k['null_op_epoch_groups']}")
    print(f"  over {k['pairs']} pairs: sum verified {f2(k['sum_verified_cpu'])} / sum cold {f2(k['sum_cold_cpu'])} = ratio {k['ratio']:.4f}")
    w = o['wins']
    print(f"Wins over {w['groups']} groups: " + ', '.join(
        f"{n} {w['counts'][n]} ({100 * w['shares'][n]:.2f} %, {w['targets_won'][n]} targets)" for n in sorted(w['counts'])))
    print(f"  winner == indep_winner in {w['indep_agree']} of {w['indep_pairs']}")
    m = o['warm_cost']
    print(f"Warm arm CPU per run: mean {f2(m['mean_cpu'])} s over {m['reconstructed']} of {m['rows']} rows; missing {m['missing']}")


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--json']
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    folder = args[0] if args else os.path.join(root, 'results', 'benchmark-verified')
    res = analyse(folder)
    print(json.dumps(res, indent=1, default=str)) if '--json' in sys.argv else show(res)
