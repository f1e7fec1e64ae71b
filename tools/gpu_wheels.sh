#!/usr/bin/env bash
# Fill gpu_wheels/ (git-ignored) with the wheels `tools/gpu_check.py --install` needs on the GPU machine, which has
# Python 3.12, torch, torchvision, scikit-learn and scikit-image but no fastai and no network. Run here, then carry
# `gpu_wheels` to the device. Pure-python wheels plus the binary ones of fastai's import-time dependencies for
# CPython 3.12 on manylinux x86_64; gpu_check installs only those whose distribution is missing there (--no-deps).
#     bash tools/gpu_wheels.sh        # about 35 MB (29 wheels); prints the list and the total size
set -euo pipefail
cd "$(dirname "$0")/.."
out=gpu_wheels
rm -rf "$out"; mkdir -p "$out"
# what warmdarts_nb.search / evaluate / suite import through fastai (fastai.imports: requests, yaml, matplotlib, pandas,
# scipy; plum: beartype, rich; fastai.learner: cloudpickle); mlxtend for the measures
pkgs=(fastai==2.8.7 fastcore==1.14.5 fastprogress==1.0.3 plum-dispatch==2.9.0 beartype fasttransform==0.0.2 fastdownload mlxtend
      cloudpickle rich markdown-it-py mdurl pygments
      requests urllib3 idna charset-normalizer certifi pyyaml
      matplotlib contourpy cycler fonttools kiwisolver pyparsing python-dateutil six
      pandas tzdata)
pip download --quiet --disable-pip-version-check --only-binary=:all: --python-version 3.12 --implementation cp --abi cp312 \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --no-deps -d "$out" "${pkgs[@]}"
ls -1 "$out"
du -sh "$out"
