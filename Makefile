# Socle: the two commands of the README, and a few more.
#   make run    install what is missing, build, start the server on ./data
#   make test   install, build with ASan+UBSan, run every test
BUILD      ?= build
TEST_BUILD ?= build-test
DATA       ?= ./data
SERVE_ARGS ?=
FUZZ_SECONDS ?= 60

.PHONY: all setup build run test fuzz clean

all: build

setup:
	@sh scripts/setup.sh

build: setup
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) --buildtype=debugoptimized
	@ninja -C $(BUILD)

run: build
	$(BUILD)/socle serve --data $(DATA) $(SERVE_ARGS)

# The test build uses clang so that the same tree also builds the libFuzzer
# targets; every test runs under AddressSanitizer and UndefinedBehaviorSanitizer.
test: setup
	@test -f $(TEST_BUILD)/build.ninja || CC=clang meson setup $(TEST_BUILD) \
		--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true
	@ninja -C $(TEST_BUILD)
	@sh tests/run.sh $(TEST_BUILD)

# Longer fuzzing sessions: make fuzz FUZZ_SECONDS=600
fuzz: setup
	@test -f $(TEST_BUILD)/build.ninja || CC=clang meson setup $(TEST_BUILD) \
		--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true
	@ninja -C $(TEST_BUILD)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(TEST_BUILD)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
