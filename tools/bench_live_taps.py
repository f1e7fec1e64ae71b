"""dwconv with and without dropping dead taps (`dwconv.live_taps`), forward and backward, interleaved, one thread:
`OMP_NUM_THREADS=1 python tools/bench_live_taps.py` (run with nothing else on the machine)."""
import torch, time, statistics
from warmdarts_nb.dwconv import dwconv, _DWConv
torch.set_num_threads(1); torch.manual_seed(0)
cases = [(32, 256, 4, 5, 2), (32, 256, 4, 3, 2), (32, 256, 4, 5, 1), (32, 512, 2, 5, 1), (32, 512, 2, 3, 2), (32, 512, 2, 5, 2), (32, 512, 2, 3, 1)]
for N, C, H, k, d in cases:
    p = d * (k - 1) // 2
    x = torch.randn(N, C, H, H).contiguous(memory_format=torch.channels_last).requires_grad_()
    w = torch.randn(C, 1, k, k, requires_grad=True)
    old = lambda: _DWConv.apply(x, w, (1, 1), (p, p), (d, d)); new = lambda: dwconv(x, w, 1, p, d)
    g = torch.randn_like(old())
    ga, gb = torch.autograd.grad(old(), (x, w), g), torch.autograd.grad(new(), (x, w), g)
    err = max((u - v).abs().max().item() for u, v in zip(ga, gb))
    ts = {'old': [], 'new': []}
    for r in range(7):
        for name, f in (('old', old), ('new', new)):
            t0 = time.perf_counter()
            for _ in range(5): torch.autograd.grad(f(), (x, w), g)
            ts[name].append((time.perf_counter() - t0) / 5 * 1e3)
    a, b = statistics.median(ts['old']), statistics.median(ts['new'])
    print(f"N{N} C{C} {H}x{H} k{k} d{d}: no crop {a:.2f} ms, crop {b:.2f} ms, {a/b:.2f}x (grad diff {err:.1e})", flush=True)
