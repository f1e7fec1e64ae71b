"""What the gradients nobody uses cost: the alpha pass with and without the weights requiring grad, the weight pass
with and without the alphas requiring grad (the default supernet, random data, interleaved, one thread).
`OMP_NUM_THREADS=1 python tools/bench_frozen_grads.py LAYERS C SIZE BATCH [ROUNDS [plain]]`, e.g. `3 4 8 64 7` and `5 8 16 32 5`,
with nothing else running. (`architect.alpha_grads_first_order` and `DartsCallback` now freeze them; this uses `architect.grads_only_for`.)"""
import torch, time, statistics, sys
import torch.nn.functional as F
from warmdarts_nb.search_space import SuperNet
from warmdarts_nb.architect import grads_only_for
torch.set_num_threads(1); torch.manual_seed(0)
L, C, S, B = [int(v) for v in sys.argv[1:5]]
m = SuperNet(C, 10, L, in_channels=1, fast=not (len(sys.argv) > 6 and sys.argv[6] == 'plain'))
x, y = torch.randn(B, 1, S, S), torch.randint(0, 10, (B,))
W, A = m.weights(), m.alphas()
def alpha(freeze):
    with grads_only_for(A, W if freeze else []): return torch.autograd.grad(F.cross_entropy(m(x), y), A)
def weight(freeze):
    with grads_only_for(W, A if freeze else []):
        F.cross_entropy(m(x), y).backward()
        for p in W + A: p.grad = None
ga, gb = alpha(False), alpha(True)
print('alpha grads max diff', max((u - v).abs().max().item() for u, v in zip(ga, gb)), 'equal', all(torch.equal(u, v) for u, v in zip(ga, gb)))
fs = {'alpha': lambda: alpha(False), 'alpha_frozen_w': lambda: alpha(True), 'weight': lambda: weight(False), 'weight_frozen_a': lambda: weight(True)}
for f in fs.values(): f()
ts = {k: [] for k in fs}
for r in range(int(sys.argv[5]) if len(sys.argv) > 5 else 5):
    for k, f in fs.items():
        t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
md = {k: statistics.median(v) for k, v in ts.items()}
print({k: round(v * 1e3, 1) for k, v in md.items()}, 'alpha x', round(md['alpha'] / md['alpha_frozen_w'], 3), 'weight x', round(md['weight'] / md['weight_frozen_a'], 3),
      'step x', round((md['alpha'] + md['weight']) / (md['alpha_frozen_w'] + md['weight_frozen_a']), 3))
