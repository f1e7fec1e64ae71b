#!/usr/bin/env python3
"""Convert between nbdev notebooks and a plain "percent" script, so notebooks can be written without Jupyter.

    python tools/nbpy.py to-nb  nbs/02_tasks.py  [nbs/02_tasks.ipynb]
    python tools/nbpy.py to-py  nbs/02_tasks.ipynb [out.py]

Script format: cells start with a line `# %%` (code) or `# %% [markdown]` (markdown; each line
starts with `# `, which is removed). Only the .ipynb is committed; run `nbdev_clean` afterwards.
"""
import hashlib, json, sys
from pathlib import Path

def _cell(kind, lines):
    while lines and not lines[-1].strip(): lines.pop()
    while lines and not lines[0].strip(): lines.pop(0)
    if kind == 'markdown':
        lines = [l[2:] if l.startswith('# ') else l[1:] if l.startswith('#') else l for l in lines]
    src = '\n'.join(lines)
    c = {'cell_type': kind, 'metadata': {}, 'source': src.splitlines(keepends=True)}
    if kind == 'code': c.update(execution_count=None, outputs=[])
    return c

def py_to_nb(text):
    cells, kind, buf = [], None, []
    for line in text.splitlines():
        if line.startswith('# %%'):
            if kind is not None: cells.append(_cell(kind, buf))
            kind, buf = ('markdown' if '[markdown]' in line else 'code'), []
        elif kind is not None: buf.append(line)
    if kind is not None: cells.append(_cell(kind, buf))
    seen = set()
    for c in cells:  # deterministic cell ids, so re-converting an unchanged cell changes nothing downstream
        h = hashlib.sha1(''.join(c['source']).encode()).hexdigest()
        cid = next(h[i:i+8] for i in range(0, 33) if h[i:i+8] not in seen)
        seen.add(cid); c['id'] = cid
    return {'cells': cells, 'metadata': {'kernelspec': {'display_name': 'python3', 'language': 'python', 'name': 'python3'}},
            'nbformat': 4, 'nbformat_minor': 5}

def nb_to_py(nb):
    out = []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':
            out.append('# %% [markdown]\n' + '\n'.join(('# ' + l) if l else '#' for l in src.splitlines()))
        else: out.append('# %%\n' + src)
    return '\n\n'.join(out) + '\n'

if __name__ == '__main__':
    cmd, src = sys.argv[1], Path(sys.argv[2])
    if cmd == 'to-nb':
        dst = Path(sys.argv[3]) if len(sys.argv) > 3 else src.with_suffix('.ipynb')
        dst.write_text(json.dumps(py_to_nb(src.read_text()), indent=1, ensure_ascii=False) + '\n')
    elif cmd == 'to-py':
        dst = Path(sys.argv[3]) if len(sys.argv) > 3 else src.with_suffix('.py')
        dst.write_text(nb_to_py(json.loads(src.read_text())))
    else: sys.exit(f"unknown command {cmd!r}: use to-nb or to-py")
