#!/usr/bin/env python
"""Build the documentation site from the notebooks, offline: `python tools/build_docs.py [--out _site]`.

Quarto (what nbdev_docs uses) does not install here, so the site is made with Sphinx + myst-nb + furo:

1. Pages: nbs/index.ipynb (home), then nbs/[0-9]*.ipynb in numeric order ("Library"), then nbs/tutorials/*.ipynb
   ("Tutorials"); new notebooks are picked up automatically. nbs/ is never modified: each notebook is copied to
   the build folder (`--build`, default _site_build/) and preprocessed there, mapping nbdev's `#|` directives:
   `hide` / `include: false` -> cell removed from the page (still run), `echo: false` -> input removed,
   `output: false` -> output removed, `export`/`exports` -> shown as source (directive lines are stripped), and,
   as nbdev's own docs do, a `show_doc(name)` cell (input hidden) after each exported function or class that the
   notebook does not document itself (unless front matter says `skip_showdoc: true`). Cells flagged with one of
   settings.ini's `tst_flags` (`slow`, `cuda`) or `eval: false`, and every cell of a notebook whose front matter
   says `skip_exec: true`, are shown but not run, with a note saying so (the same cells nbdev_test skips).
2. Every other cell is executed with nbclient (cwd = the notebook's folder in nbs/, as nbdev_test does;
   OMP_NUM_THREADS=1; `--jobs` notebooks at a time; ipywidgets state stored in the notebook). A notebook that
   fails stops the build: it is named with its error, and nothing is rendered. Executed notebooks are kept in
   `--cache` (default docs/executed/, committed: as nbdev's own docs render the outputs committed with the
   notebooks), keyed by what decides their outputs: the notebook's code cells, the package's files, the tracked
   files of each results/ folder its code names (`results/discrimination`, ...) and the Python version. A notebook whose key has an entry there is rendered from it and
   not run again (CI runs every notebook once already, in nbdev_test); any other is executed and its entry
   replaced, so building the site before a commit keeps the committed outputs current (`--no-cache` runs all).
3. Sphinx renders the executed notebooks (myst-nb, execution off) with docs/conf.py into `--out`. require.js
   and @jupyter-widgets/html-manager's embed script come from docs/node_modules (`npm ci` in docs/; run
   automatically when missing) and are served from _static, so widgets render with no CDN.
"""
from __future__ import annotations
import argparse, concurrent.futures as cf, hashlib, json, os, platform, re, shutil, subprocess, sys, time
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT/'docs'
NPM_FILES = {'require.js': 'requirejs/require.js'}   # _static name -> path under docs/node_modules
HTML_MANAGER = 'node_modules/@jupyter-widgets/html-manager/dist'
_ansi = re.compile(r'\x1b\[[0-9;]*[A-Za-z]')
_directive_line = re.compile(r'^\s*#\s*\|')

def _settings():
    cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']

def find_notebooks(nbs:Path)->dict:
    "The site's notebooks in order: {'home': [...], 'Library': [...], 'Tutorials': [...]} (paths relative to `nbs`)"
    ok = lambda p: not p.name.startswith(('_', '.')) and '.ipynb_checkpoints' not in p.parts
    lib = sorted((p for p in nbs.glob('[0-9]*.ipynb') if ok(p)), key=lambda p: (int(re.match(r'\d+', p.name)[0]), p.name))
    tut = sorted(p for p in (nbs/'tutorials').glob('*.ipynb') if ok(p))
    home = nbs/'index.ipynb'
    if not home.exists(): sys.exit(f'build_docs: {home} is missing (the home page)')
    return {'home': [home.relative_to(nbs)], 'Library': [p.relative_to(nbs) for p in lib],
            'Tutorials': [p.relative_to(nbs) for p in tut]}

# ---------------------------------------------------------------- preprocessing (nbdev directives -> myst-nb tags)
def _front_matter(nb)->dict:
    from nbdev.frontmatter import _fm2dict, _md2dict
    fm = {}
    for c in nb.cells:
        if c.cell_type == 'raw' and c.source and (d := _fm2dict(c.source)): fm.update(d); c.is_fm_ = True
        elif c.cell_type == 'markdown' and 'title' not in fm and c.source and (d := _md2dict(c.source)): fm.update(d)
    return fm

def _strip_directives(src:str)->str:
    lines = src.splitlines(True); i = 0
    while i < len(lines) and (_directive_line.match(lines[i]) or not lines[i].strip()): i += 1
    return ''.join(lines[i:]).rstrip()

def _only_show_doc(src:str)->bool:
    return bool(src.strip()) and all(re.match(r'^show_doc\(.*\)\s*(#.*)?$', l) for l in src.strip().splitlines())

def _showdoc_md(md:str)->str:
    "show_doc's markdown as a cell of the page: its `{target=... style=...}` link attributes as a class, no leading `---`"
    md = re.sub(r'^\s*---\s*\n', '', md)
    return re.sub(r'\]\(([^)]*)\)\{[^}]*float:\s*right[^}]*\}', r'](\1){.showdoc-source}', md)

def postprocess(nb):
    "After execution: each show_doc cell becomes a markdown cell holding its output, so its heading is a real section"
    import nbformat
    cells = []
    for c in nb.cells:
        tags = c.metadata.get('tags', [])
        if c.cell_type == 'code' and 'nbdev-show-doc' in tags and 'remove-cell' not in tags and c.outputs \
                and not any(o.output_type == 'error' for o in c.outputs):
            mds = [o['data']['text/markdown'] for o in c.outputs if 'text/markdown' in o.get('data', {})]
            if mds and len(mds) == len(c.outputs):
                cells += [nbformat.v4.new_markdown_cell(_showdoc_md(m), metadata={'tags': ['nbdev-show-doc']}) for m in mds]
                continue
        cells.append(c)
    nb.cells = cells
    for i, c in enumerate(nb.cells): c['id'] = f'c{i:03d}'
    return nb

def _note(text): return {'cell_type': 'markdown', 'metadata': {}, 'source': f'<p class="not-run-note">{text}</p>'}

def preprocess(src:Path, tst_flags:set)->tuple[dict, dict]:
    "The notebook at `src` as an nbformat dict ready for myst-nb (not executed), and its front matter"
    from nbdev.process import NBProcessor
    from nbdev.processors import add_show_docs
    from fastcore.basics import str2bool
    proc = NBProcessor(src, rm_directives=True)   # parses `#|` directives into cell.directives_
    nb = proc.nb
    fm = _front_matter(nb)
    skip_exec = str2bool(fm.get('skip_exec', False))
    if not str2bool(fm.get('skip_showdoc', False)):
        n = len(nb.cells); proc.procs = [add_show_docs(nb)]; proc.process()
        added = len(nb.cells) > n
    else: added = False
    cells, first_code = [], None
    for c in nb.cells:
        if getattr(c, 'is_fm_', False) or c.source is None: continue
        if c.cell_type != 'code':
            cells.append({'cell_type': c.cell_type, 'metadata': {}, 'source': c.source}); continue
        d = getattr(c, 'directives_', {}) or {}
        src_txt = _strip_directives(c.source)
        if not src_txt: continue
        tags, note = [], None
        if 'hide' in d or d.get('include:') == ['false']: tags.append('remove-cell')
        if d.get('echo:') == ['false'] or getattr(c, 'has_sd', False): tags.append('remove-input')
        if getattr(c, 'has_sd', False) or _only_show_doc(src_txt): tags.append('nbdev-show-doc')
        if d.get('output:') == ['false']: tags.append('remove-output')
        flags = sorted(tst_flags.intersection(d))
        if d.get('eval:') == ['false']: flags.append('eval: false')
        if flags or skip_exec:
            tags += ['skip-execution', 'not-run-on-site']
            if flags and 'remove-cell' not in tags:
                note = _note('Not run when this site was built (' + ', '.join(f'<code>#| {f}</code>' for f in flags) + ').')
        cell = {'cell_type': 'code', 'metadata': {'tags': tags} if tags else {}, 'source': src_txt,
                'outputs': [], 'execution_count': None}
        if first_code is None: first_code = len(cells)
        cells.append(cell)
        if note: cells.append(note)
    if added and not skip_exec:   # show_doc cells were inserted: make sure show_doc is imported
        imp = {'cell_type': 'code', 'metadata': {'tags': ['remove-cell']}, 'source': 'from nbdev.showdoc import show_doc',
               'outputs': [], 'execution_count': None}
        cells.insert(first_code if first_code is not None else len(cells), imp)
    if not any(c['cell_type'] == 'markdown' and re.search(r'^#\s', c['source'], re.M) for c in cells):
        head = f"# {fm.get('title', src.stem)}" + (f"\n> {fm['description']}" if fm.get('description') else '')
        cells.insert(0, {'cell_type': 'markdown', 'metadata': {}, 'source': head})
    if skip_exec:
        title_at = next(i for i, c in enumerate(cells) if c['cell_type'] == 'markdown' and re.search(r'^#\s', c['source'], re.M))
        cells.insert(title_at + 1, _note('The code on this page was not run when this site was built '
                                         '(front matter <code>skip_exec: true</code>).'))
    meta = {'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
            'language_info': {'name': 'python'}}
    import nbformat
    out = nbformat.v4.new_notebook(metadata=meta)
    for c in cells:
        if c['cell_type'] == 'code':
            out.cells.append(nbformat.v4.new_code_cell(c['source'], metadata=c['metadata']))
        elif c['cell_type'] == 'markdown': out.cells.append(nbformat.v4.new_markdown_cell(c['source']))
        else: out.cells.append(nbformat.v4.new_raw_cell(c['source']))
    for i, c in enumerate(out.cells): c['id'] = f'c{i:03d}'
    return out, fm

# ---------------------------------------------------------------- execution
def _kernel_env(build:Path)->str:
    "A kernelspec for this interpreter (so the kernel is the venv's Python whatever `python3` is); returns its name"
    kdir = build/'jupyter'/'kernels'/'warmdarts-docs'; kdir.mkdir(parents=True, exist_ok=True)
    (kdir/'kernel.json').write_text(json.dumps({'argv': [sys.executable, '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
                                                'display_name': 'warmdarts docs', 'language': 'python'}))
    os.environ['JUPYTER_PATH'] = os.pathsep.join([str(build/'jupyter')] + [p for p in os.environ.get('JUPYTER_PATH', '').split(os.pathsep) if p])
    return 'warmdarts-docs'

def _execute(path:str, cwd:str, kernel:str, timeout:int)->tuple[bool, str, float, float]:
    "Run the notebook at `path` in place (in a worker process); (ok, error text, seconds, kernel CPU seconds)"
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    t0 = time.time()
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, resources={'metadata': {'path': cwd}},
                            store_widget_state=True, skip_cells_with_tag='skip-execution', allow_errors=False, record_timing=False,
                            extra_arguments=['--IPKernelApp.log_level=ERROR'])
    cpu = [0.]
    def _cpu(**kw):   # the kernel's CPU time so far (wall time says little on a shared machine)
        try:
            import psutil
            t = psutil.Process(client.km.provisioner.pid).cpu_times()
            cpu[0] = t.user + t.system + t.children_user + t.children_system
        except Exception: pass
    client.on_cell_executed = _cpu
    try: client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e: err = _ansi.sub('', str(e))
    except Exception as e: err = f'{type(e).__name__}: {e}'
    else: err = None
    for c in nb.cells:   # the execution counts are noise on a site
        if c.cell_type == 'code':
            c.execution_count = None
            for o in c.outputs:
                if 'execution_count' in o: o['execution_count'] = None
    if err is not None:   # keep what ran, under a warning (rendered only with --keep-going)
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(
            '```{warning}\nThis notebook failed when the site was built; the outputs below stop at the failing cell.\n```'))
        for i, c in enumerate(nb.cells): c['id'] = f'c{i:03d}'
    nbformat.write(nb, path)
    return err is None, err or '', time.time() - t0, cpu[0]

_results_ref = re.compile(r'results/([\w.-]+)')

def results_read(path:Path)->list:
    "The results/ folders the notebook at `path` names in its code cells, other than exported ones (whose code is the package's)"
    import nbformat
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == 'code'
            and not re.match(r'^\s*#\s*\|\s*export', c.source)]
    return sorted({m for src in code for m in _results_ref.findall(src)})

def _exec_key(libh:str, nb, results:list=())->str:
    "What decides a notebook's outputs: its code cells (and which are skipped), the package, the `results` folders it reads"
    h = hashlib.sha256(libh.encode())
    for c in nb.cells:
        h.update(c.cell_type.encode())
        if c.cell_type == 'code': h.update(c.source.encode() + str('skip-execution' in c.metadata.get('tags', [])).encode())
    for d in results:
        for p in _tracked(f'results/{d}'): h.update(str(p.relative_to(ROOT)).encode()); h.update(p.read_bytes())
    return h.hexdigest()[:20]

def _tracked(folder:str)->list:
    "The files under `folder` that git tracks (every file there when this is not a git checkout)"
    r = subprocess.run(['git', 'ls-files', '-z', '--', folder], cwd=ROOT, capture_output=True)
    if r.returncode == 0: return sorted(ROOT/f for f in r.stdout.decode().split('\0') if f and (ROOT/f).is_file())
    return sorted(p for p in (ROOT/folder).rglob('*') if p.is_file() and '__pycache__' not in p.parts)

def _lib_hash()->str:
    "What every notebook's outputs depend on: the Python version and the package's files"
    h = hashlib.sha256(platform.python_version().encode())
    files = _tracked(_settings().get('lib_path', 'warmdarts_nb'))
    for p in files: h.update(str(p.relative_to(ROOT)).encode()); h.update(p.read_bytes())
    return h.hexdigest()

# ---------------------------------------------------------------- static files, sphinx
def npm_assets(static:Path):
    "Copy require.js and the widgets embed script (with the fonts it loads next to itself) into `static`"
    nm = DOCS/'node_modules'
    if not all(p.exists() for p in (DOCS/HTML_MANAGER/'embed-amd.js', nm/NPM_FILES['require.js'], nm/'mathjax'/'es5')):
        print('build_docs: docs/node_modules missing: running `npm ci` in docs/', flush=True)
        r = subprocess.run(['npm', 'ci', '--ignore-scripts', '--no-audit', '--no-fund'], cwd=DOCS)
        if r.returncode: sys.exit('build_docs: `npm ci` in docs/ failed: widgets cannot render without require.js and '
                                  '@jupyter-widgets/html-manager')
    for name, rel in NPM_FILES.items(): shutil.copy2(nm/rel, static/name)
    for p in (DOCS/HTML_MANAGER).iterdir():
        if p.name == 'embed-amd.js' or p.suffix in ('.woff', '.woff2', '.ttf', '.eot', '.svg'): shutil.copy2(p, static/p.name)
    mj = nm/'mathjax'/'es5'   # MathJax 3: the combined TeX/MathML bundle and what it loads lazily (fonts, extensions)
    shutil.copytree(mj, static/'mathjax', ignore=lambda d, names: [n for n in names if Path(d) == mj and
                    (n == 'sre' or (n.endswith('.js') and n not in ('tex-mml-chtml.js', 'startup.js')))])

def _toctree(caption, docs):
    return '```{toctree}\n:caption: ' + caption + '\n:maxdepth: 1\n:hidden:\n\n' + '\n'.join(docs) + '\n```'

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default='_site', help='the HTML site (default _site/; replaced)')
    ap.add_argument('--build', default='_site_build', help='work folder: preprocessed and executed notebooks, cache')
    ap.add_argument('--jobs', type=int, default=min(2, os.cpu_count() or 1),
                    help='notebooks executed at once (default 2: a kernel can hold several GB)')
    ap.add_argument('--timeout', type=int, default=1800, help='seconds a cell may run')
    ap.add_argument('--cache', default='docs/executed', help='executed notebooks, by key (default docs/executed/, committed)')
    ap.add_argument('--no-cache', action='store_true', help='execute every notebook even if it and the package are unchanged')
    ap.add_argument('--no-exec', action='store_true', help='render the notebooks without running them (layout checks only)')
    ap.add_argument('--keep-going', action='store_true',
                    help='render the site even if notebooks fail (shown up to the failing cell); still exits 1')
    args = ap.parse_args(argv)
    t0 = time.time()
    os.chdir(ROOT)
    s = _settings()
    nbs = ROOT/s.get('nbs_path', 'nbs')
    tst_flags = set(s.get('tst_flags', '').split())
    out, build = (ROOT/args.out).resolve(), (ROOT/args.build).resolve()
    if out.exists() and any(out.iterdir()) and not (out/'.buildinfo').exists():
        sys.exit(f'build_docs: {out} exists and is not a site this script built; not replacing it')
    # The kernels: one thread each (torch with 2 threads is far slower on shared cores); inline plots.
    for k in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'): os.environ[k] = '1'
    os.environ.pop('MPLBACKEND', None)
    os.environ.setdefault('PYDEVD_DISABLE_FILE_VALIDATION', '1')

    groups = find_notebooks(nbs)
    src = build/'src'
    if src.exists(): shutil.rmtree(src)
    (src/'_static').mkdir(parents=True)
    cache = (ROOT/args.cache).resolve(); cache.mkdir(parents=True, exist_ok=True)
    kernel = _kernel_env(build)
    libh = _lib_hash()

    import nbformat
    from fastcore.basics import str2bool
    jobs, docnames = [], {}
    for group, paths in groups.items():
        for rel in paths:
            nb, fm = preprocess(nbs/rel, tst_flags)
            if group == 'home':
                home_nb, home_rel = nb, rel   # its toctree is added once every docname is known
            docnames.setdefault(group, []).append(rel.with_suffix('').as_posix())
            dst = src/rel; dst.parent.mkdir(parents=True, exist_ok=True)
            if group != 'home': _write(nb, dst)
            jobs.append((rel, nb, dst, str2bool(fm.get('skip_exec', False))))
    tocs = [_toctree(g, docnames[g]) for g in ('Library', 'Tutorials') if docnames.get(g)]
    home_nb.cells.append(nbformat.v4.new_markdown_cell('\n\n'.join(tocs), id='toctree'))
    _write(home_nb, src/home_rel)
    for p in nbs.rglob('*'):   # images the notebooks' markdown may refer to
        if p.suffix.lower() in ('.png', '.jpg', '.jpeg', '.gif', '.svg') and '.ipynb_checkpoints' not in p.parts:
            (src/p.relative_to(nbs)).parent.mkdir(parents=True, exist_ok=True); shutil.copy2(p, src/p.relative_to(nbs))

    # ---- execute (cached by notebook + package contents)
    todo, times = [], {}
    for rel, nb, dst, skip in jobs:
        if skip: continue   # skip_exec: shown as written, no kernel started
        key = _exec_key(libh, nb, results_read(nbs/rel))
        cached = cache/(rel.as_posix().replace('/', '__') + f'.{key}.ipynb')
        if not args.no_exec and not args.no_cache and cached.exists():
            old = nbformat.read(cached, as_version=4)   # same code; take the display tags of this preprocessing
            for a, b in zip(old.cells, nb.cells): a.metadata['tags'] = b.metadata.get('tags', [])
            for a, b in zip(old.cells, nb.cells):
                if a.cell_type == 'markdown': a.source = b.source
            _write(old, dst); times[rel] = 'cached'
        elif not args.no_exec: todo.append((rel, dst, cached))
    failed, cpu_total = [], 0.
    tfile = build/'times.json'   # the longest notebooks start first (last build's times; else the biggest files)
    last = json.loads(tfile.read_text()) if tfile.exists() else {}
    todo.sort(key=lambda t: (-last.get(t[0].as_posix(), 0), -(nbs/t[0]).stat().st_size))
    if todo:
        print(f'build_docs: executing {len(todo)} notebook(s), {args.jobs} at a time '
              f'({sum(t == "cached" for t in times.values())} from cache, {sum(j[3] for j in jobs)} skip_exec)', flush=True)
        with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as ex:
            futs = {ex.submit(_execute, str(dst), str((nbs/rel).parent), kernel, args.timeout): (rel, dst, cached)
                    for rel, dst, cached in todo}
            for f in cf.as_completed(futs):
                rel, dst, cached = futs[f]
                try: ok, err, secs, cpu = f.result()
                except Exception as e: ok, err, secs, cpu = False, f'{type(e).__name__}: {e}', 0., 0.
                times[rel] = f'{secs:.0f} s'; last[rel.as_posix()] = round(secs, 1); cpu_total += cpu
                print(f'  {"ok    " if ok else "FAILED"} {(nbs/rel).relative_to(ROOT)} ({secs:.0f} s, kernel CPU {cpu:.0f} s)', flush=True)
                if ok:
                    for old in cache.glob(rel.as_posix().replace('/', '__') + '.*.ipynb'): old.unlink()
                    shutil.copy2(dst, cached)
                else: failed.append((rel, err))
    tfile.write_text(json.dumps(last, indent=1))
    n_cached = sum(t == 'cached' for t in times.values())
    print(f'build_docs: {n_cached} notebook(s) rendered from {cache.relative_to(ROOT) if cache.is_relative_to(ROOT) else cache} '
          f'(their code, the package and the results they read unchanged since they ran), {len(todo)} executed', flush=True)
    if failed:
        print('\nbuild_docs: FAILED: these notebooks raised while executing' +
              ('' if args.keep_going else '; the site was not built') + ':', file=sys.stderr)
        for rel, err in failed:
            print(f'\n=== {(nbs/rel).relative_to(ROOT)} ===\n' + '\n'.join(err.strip().splitlines()[-40:]), file=sys.stderr)
        print('\nbuild_docs: failed notebooks: ' + ', '.join(str((nbs/r).relative_to(ROOT)) for r, _ in failed), file=sys.stderr)
        if not args.keep_going: return 1
    t_exec = time.time() - t0
    for rel, nb, dst, _ in jobs: _write(postprocess(nbformat.read(dst, as_version=4)), dst)

    # ---- render
    for p in (DOCS/'_static').iterdir(): shutil.copy2(p, src/'_static'/p.name)
    npm_assets(src/'_static')
    shutil.copy2(DOCS/'conf.py', src/'conf.py'); shutil.copy2(ROOT/'settings.ini', src/'settings.ini')
    html = build/'html'   # myst-nb writes jupyter_execute/ next to Sphinx's output folder: keep it in the build folder
    if html.exists(): shutil.rmtree(html)
    r = subprocess.run([sys.executable, '-m', 'sphinx', '-b', 'html', '-q', '-E', '-d', str(build/'doctrees'),
                        str(src), str(html)])
    if r.returncode: print('build_docs: FAILED: sphinx-build exited with', r.returncode, file=sys.stderr); return 1
    if out.exists(): shutil.rmtree(out)
    shutil.copytree(html, out)
    (out/'.nojekyll').touch()
    n = sum(len(v) for v in groups.values())
    print(f'build_docs: {n} pages -> {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} '
          f'(execute {t_exec:.0f} s with kernels using {cpu_total:.0f} CPU s; total {time.time() - t0:.0f} s)')
    if failed: print(f'build_docs: FAILED: {len(failed)} notebook(s) failed (rendered anyway: --keep-going)', file=sys.stderr)
    return 1 if failed else 0

def _write(nb, path):
    import nbformat
    nbformat.validate(nb); nbformat.write(nb, path)

if __name__ == '__main__': sys.exit(main())
