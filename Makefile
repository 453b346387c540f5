# hybridmatch-mmpose: two commands do all set-up on a fresh machine.
#   make demo   installs what is missing, generates SynthFace-68, trains and tests on CPU
#   make test   installs what is missing, runs the linter and the test suite
# Both are idempotent: a second run skips what is already done.

VENV        ?= .venv
PY          := $(VENV)/bin/python
SYNTHFACE   ?= data/synthface
DEMO_CONFIG ?= configs/synthface/hybridmatch_synthface-5pct-64x64_cpu.py
DEMO_WORKDIR?= work_dirs/demo
PYTEST_ARGS ?=

export OMP_NUM_THREADS ?= 2
export MKL_NUM_THREADS ?= 2

.PHONY: setup data data-real demo lint test test-fast clean-demo help

help:
	@echo "make demo    set up, generate SynthFace-68, train + test on CPU (NME/FR/AUC table, overlays)"
	@echo "make test    set up, lint, run the test suite"
	@echo "make test-fast  set up, lint, run the tests not marked slow (no training runs)"
	@echo "make lint    set up, run ruff (settings in ruff.toml)"
	@echo "make setup   create/update $(VENV) only"
	@echo "make data    generate SynthFace-68 into $(SYNTHFACE) only"
	@echo "make data-real  link the shared real 300-W faces (AFW, HELEN-train) into data/300w_afw_helen"

setup:
	@bash tools/setup/setup_env.sh

data: setup
	@$(PY) tools/make_synthface.py --out $(SYNTHFACE) --skip-if-exists

# the real 300-W faces of ../shared (or $$HYBRIDMATCH_SHARED): annotation files
# written, photographs linked (research-only: never copied or committed)
data-real: setup
	@$(PY) tools/dataset_converters/prepare_300w_afw_helen.py --out data/300w_afw_helen

demo: data
	@bash tools/demo.sh $(DEMO_CONFIG) $(DEMO_WORKDIR) $(SYNTHFACE)

lint: setup
	@$(VENV)/bin/ruff check .

test: setup lint
	@$(PY) -m pytest tests $(PYTEST_ARGS)

# the tests not marked slow (pytest.ini): no training or tool subprocesses
test-fast: setup lint
	@$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

clean-demo:
	rm -rf $(DEMO_WORKDIR)
