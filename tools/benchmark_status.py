#!/usr/bin/env python
"""Where a benchmark run stands: runs in and missing (by target and kind), the time the rest needs at the measured
unit times, and the figures so far computed with the library's own analysis (`benchmark_report`, `methods_report`).

    python tools/benchmark_status.py [results/benchmark-cpu16] [--workers 2]

The interim figures are not the pre-registered analysis until every run is in (the script says which)."""
import argparse, json, statistics
from collections import Counter
from pathlib import Path
from warmdarts_nb.core import format_table
from warmdarts_nb.experiments import load_results, arm_spec
from warmdarts_nb.benchmark import benchmark_report, methods_report

def kind(arm:str)->str:
    "What a run of `arm` costs: a cold search, a warm search, or only a retraining"
    s = arm_spec(arm)['start']
    return 'retrain' if s == 'none' else 'cold' if s == 'cold' else 'warm'

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out', nargs='?', default='results/benchmark-cpu16')
    ap.add_argument('--workers', type=int, default=2)
    a = ap.parse_args()
    res = load_results(a.out); rows = res['rows']
    dp = Path(a.out)/'distances.json'
    res['distances'] = json.loads(dp.read_text()) if dp.exists() else {}
    print(f"{a.out}: {len(rows)} runs in, {len(res['missing'])} missing")
    print(format_table([dict(target=t, have=sum(r['target'] == t for r in rows), missing=sum(m[0] == t for m in res['missing']))
                        for t in res['targets']]))
    # the measured unit: a run's wall seconds (its search, unless shared, and its retraining), by kind
    timed = {}   # runs that did their own work here (not a shared search, not a reused cold search)
    for r in rows:
        if r.get('wall_seconds') and not r.get('shared_search') and not r.get('reused'): timed.setdefault(kind(r['arm']), []).append(r['wall_seconds'])
    unit = {k: statistics.mean(v) for k, v in timed.items()}
    left = Counter(kind(m[2]) for m in res['missing'])
    core = sum(n * unit.get(k, 0) for k, n in left.items())
    print(f"mean wall seconds per run: {json.dumps({k: round(v, 1) for k, v in unit.items()})}; missing by kind: {dict(left)}")
    print(f"the rest: <= {core / 1e3:.1f}k core-seconds, <= {core / a.workers / 3600:.2f} h on {a.workers} workers (shared searches make it less)")
    if not rows: return
    rep = benchmark_report(res)
    print('\n' + ('PRE-REGISTERED ANALYSIS (every run is in)' if res['complete'] else f"INTERIM ({len(rows)} runs): not the pre-registered analysis"))
    print(format_table(rep['arms_cell_sensitive'])); print(format_table(rep['paired']))
    print('non-inferiority:', json.dumps(rep['non_inferiority'])); print('cost:', json.dumps(rep['cost']))
    print(format_table(rep['spearman'])); print('goals:', rep['goals'])
    if res.get('methods', {}).get('arms') and any(r['arm'] in res['methods']['arms'] for r in rows):
        print('\nmethod arms (added after the first results, not pre-registered):'); print(format_table(methods_report(res)))

if __name__ == '__main__': main()
