# SPDX-License-Identifier: Apache-2.0
# Convenience wrapper around ./run and CMake, for those who have make:
# `make run` = `./run demo` (the demo); `make test` = `./run test` (every test).
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS       ?= $(shell nproc)
PREFIX     ?= /usr/local
DESTDIR    ?=
DEB_BUILD  ?= build-deb
export BUILD ASAN_BUILD FUZZ_BUILD FUZZ_SECONDS JOBS

.PHONY: all deps build run demo test test-unit test-asan fuzz fuzz-long bench format clean install deb

all: build

deps:
	@scripts/deps.sh test

# the development build: tests included, warnings are errors
build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMDC_TESTS=ON -DMDC_WERROR=ON >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

run demo:
	./run demo

test:
	./run test

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DMDC_SANITIZE=ON -DMDC_WERROR=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang -DMDC_FUZZ=ON -DMDC_WERROR=ON >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

fuzz-long:
	$(MAKE) fuzz FUZZ_SECONDS=3600

bench: build
	bench/run.sh $(BUILD)

# make install PREFIX=/usr DESTDIR=/tmp/root: mdc, mdc-sim, hems-data-collector, the systemd
# units, the example configuration, man pages, the license (cmake/mdc_install.cmake lists them).
# A user's build: no -Werror; a new build directory gets no tests (nor needs cmocka).
install:
	@scripts/deps.sh demo
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX) \
	  $(if $(wildcard $(BUILD)/CMakeCache.txt),,-DMDC_TESTS=OFF) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target mdc mdc-sim
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# make deb: build/mdc_VERSION-1_ARCH.deb, with dpkg-deb only (Debian's hardening flags).
deb:
	@scripts/deps.sh demo
	packaging/mdc-deb.sh $(DEB_BUILD) $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(DEB_BUILD)
