"""Time the benchmark-only scoring that sits inside the `verified` benchmark's CPU costs.

Each selection training of `run_verified_group` also scores its network on fresh draw 4 (1x, the independent pick)
and fresh draw 3 (2x, the benchmark's score), and each full training scores draw 3 (2x). A user's run does neither:
this measures what those scores cost, per target, on one thread, so that 16d can read the cost ratio without them
(post hoc, beside the pre-registered ratio). Run with the cores quiet, from the repo root:

    OMP_NUM_THREADS=1 python tools/verified_score_overhead.py [TARGET ...]

It writes results/benchmark-verified/score_overhead.json: per target with fresh draws, the CPU seconds of generating
each draw (`gen3`, `gen4`) and of scoring an evaluation network on it (`inf3`, `inf4`), for two cells (DARTS-V2 and
the target's first warm-searched cell: inference time depends on the cell's ops, not on its weights, so the
networks are untrained) and their mean (`mean`).
"""
import sys, json, time
from pathlib import Path
import torch
from warmdarts_nb.suite import get_task, has_fresh_draws, fresh_draw, _build_draw
from warmdarts_nb.evaluate import EvalNetwork, RawInput, image_accuracy, get_eval_config
from warmdarts_nb.genotypes import Genotype, DARTS_V2
from warmdarts_nb.verified_bench import load_verified, PLAN
from warmdarts_nb.experiments import machine_info

def cpu(f):
    c = time.process_time(); v = f(); return v, round(time.process_time() - c, 3)

def main(out='results/benchmark-verified', targets=()):
    torch.set_num_threads(1)
    rows = load_verified(out)['rows']
    ecfg = get_eval_config(PLAN['eval_config'])
    res = dict(plan=dict(draw=PLAN['draw'], fresh_mult=PLAN['fresh_mult'], indep_draw=PLAN['indep_draw'], indep_mult=PLAN['indep_mult'],
                         eval_config=PLAN['eval_config']), machine=machine_info(), threads=1, targets={})
    for t in targets or sorted({r['target'] for r in rows}):
        if not has_fresh_draws(t): continue
        task = get_task(t); ch = ecfg.channels or task.channels
        warm = sorted((r for r in rows if r['target'] == t and r['arm'] == 'warm'), key=lambda r: r['seed'])
        per = {}
        for name, g in (('darts_v2', DARTS_V2), ('searched', Genotype.from_dict(warm[0]['genotype']))):
            torch.manual_seed(0)
            m = EvalNetwork(g, task.n_classes, ch, ecfg.C, ecfg.layers, ecfg.auxiliary, ecfg.drop_path,
                            prep=RawInput(torch.zeros(ch), torch.ones(ch), ecfg.image_size, ecfg.channels))
            _build_draw.cache_clear()   # a group's first score generates its draws
            (x3, y3), g3 = cpu(lambda: fresh_draw(t, PLAN['fresh_mult'], PLAN['draw']))
            (x4, y4), g4 = cpu(lambda: fresh_draw(t, PLAN['indep_mult'], PLAN['indep_draw']))
            _, i3 = cpu(lambda: image_accuracy(m, x3, y3)); _, i4 = cpu(lambda: image_accuracy(m, x4, y4))
            per[name] = dict(gen3=g3, gen4=g4, inf3=i3, inf4=i4, n3=len(y3), n4=len(y4))
        per['mean'] = {k: round((per['darts_v2'][k] + per['searched'][k]) / 2, 3) for k in ('gen3', 'gen4', 'inf3', 'inf4')}
        res['targets'][t] = per; print(t, per['mean'], flush=True)
    Path(out, 'score_overhead.json').write_text(json.dumps(res, indent=1) + '\n')

if __name__ == '__main__': main(targets=sys.argv[1:])
