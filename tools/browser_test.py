#!/usr/bin/env python
"""Check the built documentation site in a real browser: `python tools/browser_test.py [--site _site] [--shots _site_shots]`.

Serves the site on localhost (http.server in a thread) and drives Debian's /usr/bin/chromium with Playwright
(no `playwright install`: the system browser is used; any request that leaves localhost is blocked and reported,
so the site is shown to work offline, with no CDN). Checks:

- every page loads with no console error, page error, failed request or HTTP error (each listed with its page);
- the home page shows the quick start (the README's `pip install -e . && warmdarts search digits`);
- an API page shows a rendered `show_doc` block (the search page: `search`'s signature and its docs);
- a matplotlib plot (a loaded PNG <img> in a cell output) is on some page;
- the explorer page (nbs/17_widgets) renders ipywidgets (visible .widget-slider / .widget-dropdown / ... elements);
- Sphinx search (search.html?q=DartsCallback) finds DartsCallback.

Screenshots of the home page, an API page, a plot, a tutorial, the explorer and the search results go to
`--shots`. Exits 1 with the list of failures.
"""
from __future__ import annotations
import argparse, functools, http.server, re, sys, threading, time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync']
QUICK_START = 'pip install -e . && warmdarts search digits'
WIDGET_SEL = '.widget-slider, .widget-dropdown, .widget-button, .widget-toggle-buttons, .widget-checkbox, .widget-select'

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass

def serve(site:Path):
    "Serve `site` on an ephemeral localhost port in a daemon thread; returns (server, base url)"
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_address[1]}/'

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--site', default='_site', help='the built site (python tools/build_docs.py)')
    ap.add_argument('--shots', default='_site_shots', help='folder for the screenshots')
    ap.add_argument('--chromium', default='/usr/bin/chromium', help='the browser executable')
    ap.add_argument('--timeout', type=float, default=30., help='seconds to wait for a page, widgets or search results')
    args = ap.parse_args(argv)
    site, shots = (ROOT/args.site).resolve(), (ROOT/args.shots).resolve()
    if not (site/'index.html').exists(): sys.exit(f'browser_test: no site at {site} (run python tools/build_docs.py)')
    if not Path(args.chromium).exists(): sys.exit(f'browser_test: no browser at {args.chromium} (apt-get install -y chromium)')
    shots.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright
    srv, base = serve(site)
    fails, notes = [], []
    fail = lambda msg: (fails.append(msg), print('  FAIL', msg, flush=True))
    ok = lambda msg: print('  ok  ', msg, flush=True)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html') if '_static' not in p.parts)
    t0 = time.time()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True)
        ctx = browser.new_context(viewport={'width': 1280, 'height': 900}, service_workers='block')
        ctx.set_default_timeout(args.timeout * 1000)
        host = urlparse(base).netloc
        def route(r):
            if urlparse(r.request.url).netloc == host: return r.continue_()
            problems.append(f'request outside the site blocked: {r.request.url}'); r.abort()
        ctx.route('**/*', route)
        page = ctx.new_page()
        problems = []
        page.on('console', lambda m: m.type == 'error' and problems.append(f'console error: {m.text}'))
        page.on('pageerror', lambda e: problems.append(f'page error: {e}'))
        page.on('requestfailed', lambda r: problems.append(f'request failed: {r.url} ({r.failure})'))
        page.on('response', lambda r: r.status >= 400 and problems.append(f'HTTP {r.status}: {r.url}'))

        def visit(rel, query=''):
            problems.clear()
            page.goto(base + rel + query, wait_until='load')
            try: page.wait_for_load_state('networkidle', timeout=args.timeout * 1000)
            except Exception: pass
            return page

        # 1. every page loads cleanly
        print(f'browser_test: {len(pages)} pages at {base} in {browser.version}', flush=True)
        plot_page = None
        for rel in pages:
            visit(rel)
            if page.locator(WIDGET_SEL).count() == 0 and page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count():
                page.wait_for_timeout(1500)   # widgets render after load: let their errors, if any, surface
            if problems: fail(f'{rel}: ' + '; '.join(dict.fromkeys(problems)))
            if plot_page is None and page.evaluate("""() => [...document.querySelectorAll('.cell_output img')]
                    .some(i => i.complete && i.naturalWidth > 0 && /\\.png($|\\?)/.test(i.getAttribute('src')))"""):
                plot_page = rel
        if not any(f.split(':')[0] in pages for f in fails): ok(f'all {len(pages)} pages load with no console error')

        # 2. home page: the quick start
        visit('index.html')
        body = page.inner_text('body')
        if QUICK_START in body: ok('home page shows the quick start')
        else: fail(f'home page: the quick start `{QUICK_START}` is not on it')
        for h in ('Install', 'Quick start'):
            if page.locator(f'h2:has-text("{h}")').count() == 0: fail(f'home page: no "{h}" section')
        nav = page.locator('.sidebar-tree a.reference').all_inner_texts()
        if len(nav) < 5: fail(f'home page: the sidebar lists {len(nav)} pages')
        else: ok(f'sidebar lists {len(nav)} pages')
        page.screenshot(path=str(shots/'home.png'))

        # 3. an API page: show_doc of `search` (signature + docstring) on the search page
        api = next((p for p in pages if p.endswith('_search.html')), None)
        if api is None: fail('no API page for the search module (nbs/*_search.ipynb)')
        else:
            visit(api)
            # show_doc's block: a heading `search` whose section starts with the signature `def search(` and the docs
            found = page.evaluate("""() => {
                for (const h of document.querySelectorAll('article h2, article h3, article h4')) {
                    if (!/^\\s*search\\W*$/.test(h.innerText)) continue;
                    const sec = h.closest('section'), pre = sec && sec.querySelector('pre');
                    if (pre && /^\\s*def search\\(/.test(pre.innerText)) {
                        h.id = h.id || 'showdoc-search'; h.setAttribute('data-showdoc', '1');
                        const em = sec.querySelector('p > em');   // show_doc writes the docstring in italics
                        return {sig: pre.innerText, doc: em ? em.innerText : '', text: sec.innerText.slice(0, 2000)};
                    }
                }
                return null; }""")
            if not found: fail(f'{api}: no rendered show_doc block for `search` (heading + `def search(` signature)')
            else:
                if 'task' in found['sig'] and 'config' in found['sig'] and found['doc'].strip():
                    ok(f'{api}: show_doc of `search` rendered (signature and docstring)')
                else: fail(f'{api}: the show_doc block of `search` lacks its parameters or docstring: {found["text"][:300]!r}')
                page.locator('[data-showdoc="1"]').scroll_into_view_if_needed(); page.evaluate('window.scrollBy(0, -60)')
                page.screenshot(path=str(shots/'api_search.png'))

        # 4. a plot
        if plot_page is None: fail('no page shows a loaded PNG plot in a cell output')
        else:
            visit(plot_page)
            img = page.locator('.cell_output img[src$=".png"]').first
            img.scroll_into_view_if_needed(); page.evaluate('window.scrollBy(0, -120)')
            page.screenshot(path=str(shots/'plot.png')); ok(f'plot image on {plot_page}')

        # 5. a tutorial
        tuts = [p for p in pages if p.startswith('tutorials/')]
        if tuts:
            visit(tuts[0]); page.screenshot(path=str(shots/'tutorial.png')); ok(f'tutorial page {tuts[0]}')
        else: notes.append('no tutorial pages in the site (nbs/tutorials/*.ipynb)')

        # 6. the explorer: ipywidgets rendered from the stored state by the embed script in _static
        exp = next((p for p in pages if Path(p).name.startswith('17_')), None)
        if exp is None: fail('no explorer page (nbs/17_widgets.ipynb) in the site')
        else:
            visit(exp)
            try:
                page.wait_for_selector(WIDGET_SEL, state='visible', timeout=args.timeout * 1000)
                kinds = page.evaluate(f"""() => [...document.querySelectorAll('{WIDGET_SEL}')].filter(e => e.offsetParent !== null)
                    .map(e => [...e.classList].find(c => '{WIDGET_SEL}'.includes('.' + c + ',') || '{WIDGET_SEL}'.endsWith('.' + c)))""")
                ok(f'{exp}: {len(kinds)} widgets visible ({", ".join(sorted(set(kinds)))})')
                page.locator(WIDGET_SEL).first.scroll_into_view_if_needed(); page.evaluate('window.scrollBy(0, -150)')
                page.wait_for_timeout(500)
            except Exception as e: fail(f'{exp}: no ipywidgets rendered ({type(e).__name__})')
            if problems: fail(f'{exp} (after widgets rendered): ' + '; '.join(dict.fromkeys(problems)))
            page.screenshot(path=str(shots/'explorer.png'))

        # 7. search
        visit('search.html', '?q=DartsCallback')
        try:
            page.wait_for_selector('#search-results ul.search li', timeout=args.timeout * 1000)
            page.wait_for_function("() => !document.querySelector('#search-results .search-summary') || "
                                   "document.querySelector('#search-results .search-summary').innerText.length > 0")
            res = page.locator('#search-results ul.search li').all_inner_texts()
            if any('DartsCallback' in r for r in res) or 'DartsCallback' in page.inner_text('#search-results'):
                ok(f'search for DartsCallback: {len(res)} results')
            else: fail(f'search for DartsCallback: results do not mention it: {res[:5]}')
        except Exception as e: fail(f'search for DartsCallback found nothing ({type(e).__name__})')
        if problems: fail('search.html: ' + '; '.join(dict.fromkeys(problems)))
        page.screenshot(path=str(shots/'search.png'))
        browser.close()
    srv.shutdown()
    for n in notes: print('  note', n)
    print(f'browser_test: screenshots in {shots} ({time.time() - t0:.0f} s)')
    if fails:
        print(f'browser_test: FAILED ({len(fails)}):\n' + '\n'.join(f'  - {f}' for f in fails), file=sys.stderr)
        return 1
    print('browser_test: all checks passed')
    return 0

if __name__ == '__main__': sys.exit(main())
