"""Where a default search step's time goes: `torch.profiler` over a few batches of the step `search` runs (fastai
learner, `bench._step_learner`), self CPU time per op. `OMP_NUM_THREADS=1 python tools/profile_step.py [LAYERS C SIZE BATCH]`
(default 5 8 16 32), with nothing else running."""
import sys, torch
from torch.profiler import profile, ProfilerActivity
from warmdarts_nb.bench import _bench_dls, _step_learner
L, C, S, B = [int(v) for v in sys.argv[1:5]] if len(sys.argv) > 4 else (5, 8, 16, 32)
torch.set_num_threads(1)
dev = torch.device('cpu')
dls = _bench_dls(L, C, S, 1, B, 10, 6, dev, 0)
learn, clock = _step_learner(dls, C, 10, L, 1, {}, dev)
clock.reset(1, 2); learn.fit(1)   # warm up
clock.reset(1, 4)
with profile(activities=[ProfilerActivity.CPU]) as prof: learn.fit(1)
print('step s (profiled)', (clock.t1 - clock.t0) / 4)
print(prof.key_averages().table(sort_by='self_cpu_time_total', row_limit=30, max_name_column_width=45))
