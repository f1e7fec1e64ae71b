// Loaded after require.js and before @jupyter-widgets/html-manager's embed-amd.js (see docs/conf.py).
// The embed script defines named AMD modules (@jupyter-widgets/base, .../controls, ...) and loads its icon fonts
// relative to where require.js thinks those modules live: point them all at this _static folder, where
// tools/build_docs.py copies the fonts, so nothing is fetched from a CDN or from a wrong path.
(function () {
  var src = document.currentScript && document.currentScript.src;
  if (!src || typeof require === 'undefined') return;
  var base = src.slice(0, src.lastIndexOf('/') + 1), paths = {};
  ['@jupyter-widgets/base', '@jupyter-widgets/controls', '@jupyter-widgets/base7', '@jupyter-widgets/controls7',
   '@jupyter-widgets/output', '@jupyter-widgets/html-manager', '@jupyter-widgets/html-manager/dist/libembed-amd']
    .forEach(function (name) { paths[name] = base + name.replace(/[@\/]/g, '_'); });
  require.config({paths: paths});
  window.__jupyter_widgets_assets_path__ = base;
})();
