__version__ = "0.1.0"

import warnings as _warnings
# fastai.layers calls torch.jit.script when it is imported, which torch >= 2.10 deprecates with a FutureWarning that
# every command (and every docs page) would print: not ours to say. Only that message from that place is silenced.
_warnings.filterwarnings('ignore', message=r'`torch\.jit\.script` is deprecated', category=FutureWarning, module=r'torch\.jit\._script')
