# hwhealth: one build.  `make` builds the daemon, the CLI and the plugins into
# build/ (build-san/ with SANITIZE=1); nothing needs installing to run them.
#
#   make            build everything
#   make deps       install the Debian packages the build, tests and demo need
#   make check      deps + build + unit and integration tests (SANITIZE=1: ASan+UBSan)
#   make demo       a simulated node going bad and back, no hardware needed (root or userns)
#   make bench      benchmarks; figures go to bench/RESULTS.md and RESULTS-rules.md
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make install    PREFIX, DESTDIR honoured

VERSION     := 0.1.0
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
SBINDIR     ?= $(PREFIX)/sbin
LIBDIR      ?= $(PREFIX)/lib
DATADIR     ?= $(PREFIX)/share
MANDIR      ?= $(DATADIR)/man
SYSCONFDIR  ?= /etc
LOCALSTATEDIR ?= /var
RUNSTATEDIR ?= /run
SYSTEMDUNITDIR ?= $(LIBDIR)/systemd/system
DESTDIR     ?=

CC          ?= cc
PKG_CONFIG  ?= pkg-config

ifeq ($(SANITIZE),1)
BUILD       := build-san
SANFLAGS    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CPPFLAGS    += -DHWH_SANITIZE=1
else
BUILD       := build
SANFLAGS    :=
endif

CORE_PKGS   := json-c libsystemd zlib
WARN        := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
               -Wformat=2 -Wno-format-nonliteral
CPPFLAGS    += -D_GNU_SOURCE -Iinclude -Iagent \
               -DHWH_VERSION='"$(VERSION)"' -DSYSCONFDIR='"$(SYSCONFDIR)"' \
               -DLOCALSTATEDIR='"$(LOCALSTATEDIR)"' -DRUNSTATEDIR='"$(RUNSTATEDIR)"' \
               -DLIBDIR='"$(LIBDIR)"' -DDATADIR='"$(DATADIR)"'
CFLAGS      ?= -O2 -g
CFLAGS      += -std=gnu11 $(WARN) -pthread -fPIC $(SANFLAGS)
LDFLAGS     += -pthread $(SANFLAGS)

CORE_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS   := $(shell $(PKG_CONFIG) --libs $(CORE_PKGS) 2>/dev/null) -ldl -lm
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS  := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
# libsensors ships no .pc file on Debian 12: fall back to the plain library.
SENSORS_LIBS := $(shell $(PKG_CONFIG) --libs libsensors 2>/dev/null || echo -lsensors)
IPMI_LIBS   := $(shell $(PKG_CONFIG) --libs libipmimonitoring libfreeipmi 2>/dev/null)

# The core: everything the daemon is made of but main().
CORE_SRCS   := agent/config.c agent/config_lex.c agent/log.c agent/util.c agent/history.c agent/metrics.c agent/watch.c \
               agent/plugin.c agent/source.c agent/control.c agent/health.c agent/daemon.c \
               agent/prepare.c agent/prepare_actions.c agent/config_policy.c agent/actuator.c agent/actlog.c agent/silence.c agent/policy.c agent/policy_req.c agent/daemon_actions.c agent/service.c agent/host_none.c agent/daemon_services.c agent/commands_actions.c agent/commands.c agent/commands_rules.c agent/commands_devices.c agent/events.c agent/window.c agent/trend.c \
               agent/rules_lex.c agent/rules_parse.c agent/rules_match.c agent/rules_expr.c agent/rules_load.c \
               agent/eval.c agent/render.c \
               agent/engine.c agent/state.c agent/pstate.c agent/statefile.c agent/trace.c agent/persist.c agent/replay.c

CLI_SRCS    := agent/hwhealth.c agent/cli_actions.c agent/client.c agent/cli_format.c agent/cli_format_rules.c \
               agent/cli_format_smart.c agent/cli_format_actions.c
PLUGINS     := sensors ipmi edac smart watchdog slurm exec pacemaker snmp
TEST_PLUGINS := badabi sleepy echo probe actrec svcrec

CORE_OBJS   := $(CORE_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS    := $(CLI_SRCS:%.c=$(BUILD)/%.o)
TEST_SRCS   := $(wildcard tests/unit/*.c tests/integration/*.c) tests/main.c tests/testlib.c \
               tests/ipmisim.c tests/fakewd_ctl.c tests/pcmk.c tests/pcmk_proc.c \
               tests/pcmk3.c tests/slurm.c tests/actlib.c tests/actrig.c tests/fmtlib.c tests/snmpd.c
TEST_OBJS   := $(TEST_SRCS:%.c=$(BUILD)/%.o)

DAEMON      := $(BUILD)/hwhealthd
CLI         := $(BUILD)/hwhealth
PLUGIN_SOS  := $(PLUGINS:%=$(BUILD)/plugins/%.so)
TEST_PLUGIN_SOS := $(TEST_PLUGINS:%=$(BUILD)/tests/plugins/%.so)
TEST_RUNNER := $(BUILD)/tests/check_hwhealth

.PHONY: all deps check unit integration demo bench fuzz install clean format format-check
all: $(DAEMON) $(CLI) $(PLUGIN_SOS)

$(BUILD)/libhwcore.a: $(CORE_OBJS)
	ar rcs $@ $^

$(DAEMON): $(BUILD)/agent/hwhealthd.o $(BUILD)/libhwcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

# The CLI links the core for "replay", which runs the rules engine itself.
$(CLI): $(CLI_OBJS) $(BUILD)/libhwcore.a
	$(CC) $(LDFLAGS) -o $@ $^ $(CORE_LIBS)

# The configured paths are compiled in: record them, so that a different
# PREFIX (say, `make install PREFIX=/usr` after a plain `make`) rebuilds.
PATHS_STAMP := $(BUILD)/paths.stamp
PATHS_NOW   := $(VERSION) $(SYSCONFDIR) $(LOCALSTATEDIR) $(RUNSTATEDIR) $(LIBDIR) $(DATADIR)
$(shell mkdir -p $(BUILD) && echo '$(PATHS_NOW)' | cmp -s - $(PATHS_STAMP) || \
	echo '$(PATHS_NOW)' > $(PATHS_STAMP))

$(BUILD)/%.o: %.c $(PATHS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CORE_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

# Helpers every plugin needs (plugins link no core code): plugin_util.o.
$(BUILD)/plugins/sensors.so: $(BUILD)/plugins/sensors.o $(BUILD)/plugins/sensors_discover.o \
                              $(BUILD)/plugins/sensors_read.o $(BUILD)/plugins/sensors_value.o \
                              $(BUILD)/plugins/plugin_util.o
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(SENSORS_LIBS) -lm

IPMI_OBJS   := $(addprefix $(BUILD)/plugins/,ipmi.o ipmi_opts.o ipmi_values.o ipmi_read.o \
                 ipmi_sel.o ipmi_class.o plugin_util.o)
$(BUILD)/plugins/ipmi.so: $(IPMI_OBJS)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(IPMI_LIBS) -lm

$(BUILD)/plugins/edac.so: $(BUILD)/plugins/edac.o $(BUILD)/plugins/edac_value.o \
                          $(BUILD)/plugins/plugin_util.o
	$(CC) $(LDFLAGS) -shared -o $@ $^

# smart: json-c for smartctl's --json output (the core's pkg-config flags).
SMART_PURE  := $(addprefix $(BUILD)/plugins/,smart_parse.o smart_opts.o smart_scan.o \
                 smart_outcome.o smart_emit.o)
SMART_OBJS  := $(BUILD)/plugins/smart.o $(BUILD)/plugins/smart_run.o $(SMART_PURE) \
               $(BUILD)/plugins/plugin_util.o
JSONC_LIBS  := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null)
$(BUILD)/plugins/smart.so: $(SMART_OBJS)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(JSONC_LIBS) -lm

# The stand-in smartctl of the smart tests (tests/smartctl_standin.c).
$(BUILD)/tests/smartctl-standin: tests/smartctl_standin.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CORE_CFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(JSONC_LIBS)

WATCHDOG_OBJS := $(addprefix $(BUILD)/plugins/,watchdog.o watchdog_logic.o watchdog_sys.o \
                   plugin_util.o)
$(BUILD)/plugins/watchdog.so: $(WATCHDOG_OBJS)
	$(CC) $(LDFLAGS) -shared -o $@ $^

# Actuators: tools run through plugin_run.o (pu_run).  slurm's options and
# sinfo reading are pure C, unit-tested in the runner (SLURM_PURE).
SLURM_PURE  := $(addprefix $(BUILD)/plugins/,slurm_parse.o slurm_opts.o)
$(BUILD)/plugins/slurm.so: $(BUILD)/plugins/slurm.o $(SLURM_PURE) \
                           $(BUILD)/plugins/plugin_util.o $(BUILD)/plugins/plugin_run.o
	$(CC) $(LDFLAGS) -shared -o $@ $^

$(BUILD)/plugins/exec.so: $(BUILD)/plugins/exec.o $(BUILD)/plugins/plugin_util.o \
                          $(BUILD)/plugins/plugin_run.o
	$(CC) $(LDFLAGS) -shared -o $@ $^

# pacemaker: libxml2 for crm_mon's XML.  Its options, decisions and XML
# reading are pure (PACEMAKER_PURE), unit-tested in the runner.
XML_CFLAGS  := $(shell $(PKG_CONFIG) --cflags libxml-2.0 2>/dev/null)
XML_LIBS    := $(shell $(PKG_CONFIG) --libs libxml-2.0 2>/dev/null)
PACEMAKER_PURE := $(addprefix $(BUILD)/plugins/,pacemaker_logic.o pacemaker_xml.o)
PACEMAKER_OBJS := $(BUILD)/plugins/pacemaker.o $(PACEMAKER_PURE) \
                  $(addprefix $(BUILD)/plugins/,plugin_util.o plugin_run.o)
$(BUILD)/plugins/pacemaker.o $(PACEMAKER_PURE) $(BUILD)/tests/unit/check_pacemaker.o: \
    CFLAGS += $(XML_CFLAGS)
$(BUILD)/plugins/pacemaker.so: $(PACEMAKER_OBJS)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(XML_LIBS)

# snmp: the AgentX subagent (plugins/snmp.c, net-snmp).  What it serves and
# sends is pure C over json-c (SNMP_PURE: the MIB view from the daemon's
# replies, the notifications from two of them; the plugin's options and its
# view cache over hwh_query()), unit-tested in the runner; snmp.so links
# SNMP_PURE and $(JSONC_LIBS).
# Only snmp_agent.c includes net-snmp, and the agent library and its base are
# all snmp.so links: `net-snmp-config --agent-libs` would add libnetsnmpmibs,
# libsensors, libpci and libwrap, which a subagent does not use.
SNMP_PURE   := $(addprefix $(BUILD)/plugins/,snmp_view.o snmp_view_conv.o snmp_view_json.o \
                 snmp_notify.o snmp_opts.o snmp_feed.o)
SNMP_LIBS   := -lnetsnmpagent -lnetsnmp
SNMP_OBJS   := $(addprefix $(BUILD)/plugins/,snmp.o snmp_agent.o snmp_conn.o plugin_util.o) \
               $(SNMP_PURE)
$(BUILD)/plugins/snmp.so: $(SNMP_OBJS)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(SNMP_LIBS) $(JSONC_LIBS)

# The fake watchdog the watchdog tests drive: a FUSE file (libfuse3).
FUSE_CFLAGS := $(shell $(PKG_CONFIG) --cflags fuse3 2>/dev/null)
FUSE_LIBS   := $(shell $(PKG_CONFIG) --libs fuse3 2>/dev/null)
FAKEWD      := $(BUILD)/tests/fakewd
$(FAKEWD): tests/fakewd.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(FUSE_CFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) $(FUSE_LIBS)

$(BUILD)/tests/plugins/%.so: $(BUILD)/tests/plugins/%.o
	$(CC) $(LDFLAGS) -shared -o $@ $^ -lm

# Every "Suite *name_suite(void)" in the test sources goes into the runner.
$(BUILD)/tests/suites.inc: $(filter-out tests/main.c tests/testlib.c tests/ipmisim.c \
                                         tests/fakewd_ctl.c tests/pcmk.c tests/pcmk_proc.c \
                                         tests/pcmk3.c tests/slurm.c tests/actlib.c tests/actrig.c tests/fmtlib.c tests/snmpd.c,$(TEST_SRCS))
	@mkdir -p $(dir $@)
	sed -n 's/^Suite \*\([a-z0-9_]*_suite\)(void)$$/SUITE(\1)/p' $^ > $@

$(BUILD)/tests/main.o: tests/main.c $(BUILD)/tests/suites.inc
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -I$(BUILD)/tests $(CORE_CFLAGS) $(CHECK_CFLAGS) $(CFLAGS) -c -o $@ $<

# Suite functions are found by the runner through suites.inc, not a header.
$(TEST_OBJS): CFLAGS += -Wno-missing-prototypes -Wno-format-truncation
$(TEST_OBJS): CPPFLAGS += -Itests -DHWH_BUILD_DIR='"$(abspath $(BUILD))"' -DHWH_SRC_DIR='"$(abspath .)"'
# The IPMI plugin's option parser and SEL classifier, the EDAC plugin's
# value parser and naming, the smart plugin's parsers, options, naming
# and outcome rules, and the watchdog plugin's options, decision and
# sysfs/proc readers, the pacemaker plugin's options and crm_mon XML
# reader (libxml2, linked here too), and the snmp plugin's MIB view and
# notifications (SNMP_PURE) are pure C: unit-tested in the runner, which does not
# link libipmimonitoring.  smart_run.o spawns only what it is given (the
# stand-in smartctl, built with the runner, in the tests).
$(TEST_RUNNER): $(TEST_OBJS) $(BUILD)/agent/client.o $(BUILD)/agent/cli_format.o \
                $(BUILD)/agent/cli_format_rules.o $(BUILD)/agent/cli_format_smart.o \
                $(BUILD)/agent/cli_format_actions.o $(BUILD)/plugins/ipmi_opts.o \
                $(BUILD)/plugins/ipmi_values.o $(BUILD)/plugins/ipmi_class.o \
                $(BUILD)/plugins/plugin_util.o $(BUILD)/plugins/plugin_run.o $(BUILD)/plugins/edac_value.o \
                $(SMART_PURE) $(BUILD)/plugins/smart_run.o $(BUILD)/plugins/watchdog_logic.o \
                $(SLURM_PURE) \
                $(BUILD)/plugins/watchdog_sys.o $(PACEMAKER_PURE) $(SNMP_PURE) $(BUILD)/libhwcore.a \
                | $(BUILD)/tests/smartctl-standin
	$(CC) $(LDFLAGS) -o $@ $^ $(CHECK_LIBS) $(CORE_LIBS) $(XML_LIBS)

deps:
	@./contrib/deps.sh

# The test command of the README.  Unit and integration suites run in one
# check runner, so the last line is check's summary.
check: deps
	$(MAKE) all $(TEST_PLUGIN_SOS) $(TEST_RUNNER) $(FAKEWD)
	$(MAKE) fuzz-smoke
	CK_DEFAULT_TIMEOUT=60 $(TEST_RUNNER)

unit: all $(TEST_PLUGIN_SOS) $(TEST_RUNNER) $(FAKEWD)
	CK_RUN_SUITE=$(SUITE) $(TEST_RUNNER)

demo: all
	./contrib/demo.sh $(BUILD)

# The rules benchmark links the core like a test does.
$(BUILD)/rules_bench: bench/rules_bench.c $(BUILD)/libhwcore.a
	$(CC) $(CPPFLAGS) $(CORE_CFLAGS) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(CORE_LIBS)

# The SMART parse benchmark links the plugin's pure parser alone.
$(BUILD)/smart_parse_bench: bench/smart_parse_bench.c $(BUILD)/plugins/smart_parse.o
	$(CC) $(CPPFLAGS) -Iplugins $(CORE_CFLAGS) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(CORE_LIBS)

# The SNMP view benchmark links the view alone (SNMP_PURE).
$(BUILD)/snmp_view_bench: bench/snmp_view_bench.c $(SNMP_PURE)
	$(CC) $(CPPFLAGS) -Iplugins $(CORE_CFLAGS) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(JSONC_LIBS) -lm

bench: all $(BUILD)/rules_bench $(BUILD)/smart_parse_bench $(BUILD)/snmp_view_bench \
       $(BUILD)/tests/smartctl-standin $(BUILD)/tests/plugins/echo.so
	./bench/sensors_bench.sh $(BUILD)
	./bench/rules_bench.sh $(BUILD)
	./bench/ipmi_bench.sh $(BUILD)
	./bench/smart_bench.sh $(BUILD)
	$(BUILD)/snmp_view_bench
	./bench/act_latency_pcmk.sh $(BUILD)
	./bench/act_latency_slurm.sh $(BUILD)
	./bench/snmp_walk.sh $(BUILD)

# Fuzzers need clang's libFuzzer; they are built apart from the gcc build.
FUZZ_TARGETS := fuzz_config fuzz_request fuzz_sysfs_value fuzz_cli_format fuzz_rules \
                fuzz_trace fuzz_statefile fuzz_state fuzz_ipmi_opts fuzz_edac_value \
                fuzz_smart_parse fuzz_smart_opts fuzz_policy_state \
                fuzz_pacemaker_xml fuzz_slurm_parse fuzz_actuator_opts fuzz_snmp_view
FUZZ_BUILD  := build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined $(CPPFLAGS) $(CORE_CFLAGS)
$(FUZZ_BUILD)/%: tests/fuzz/%.c $(CORE_SRCS)
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(CORE_LIBS)

$(FUZZ_BUILD)/fuzz_sysfs_value: tests/fuzz/fuzz_sysfs_value.c plugins/sensors_value.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^ -lm
$(FUZZ_BUILD)/fuzz_edac_value: tests/fuzz/fuzz_edac_value.c plugins/edac_value.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^
$(FUZZ_BUILD)/fuzz_smart_parse: tests/fuzz/fuzz_smart_parse.c plugins/smart_parse.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^ $(CORE_LIBS)
$(FUZZ_BUILD)/fuzz_smart_opts: tests/fuzz/fuzz_smart_opts.c plugins/smart_opts.c \
                                plugins/smart_scan.c plugins/plugin_util.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^ $(CORE_LIBS)
$(FUZZ_BUILD)/fuzz_pacemaker_xml: tests/fuzz/fuzz_pacemaker_xml.c plugins/pacemaker_xml.c \
                                  plugins/pacemaker_logic.c plugins/plugin_util.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) $(XML_CFLAGS) -Iplugins -o $@ $^ $(XML_LIBS)
$(FUZZ_BUILD)/fuzz_slurm_parse: tests/fuzz/fuzz_slurm_parse.c plugins/slurm_parse.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^
$(FUZZ_BUILD)/fuzz_snmp_view: tests/fuzz/fuzz_snmp_view.c plugins/snmp_view.c \
                               plugins/snmp_view_conv.c plugins/snmp_view_json.c \
                               plugins/snmp_notify.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^ $(CORE_LIBS)
$(FUZZ_BUILD)/fuzz_actuator_opts: tests/fuzz/fuzz_actuator_opts.c plugins/pacemaker_logic.c \
                                  plugins/slurm_opts.c plugins/exec.c plugins/plugin_util.c \
                                  plugins/plugin_run.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^
$(FUZZ_BUILD)/fuzz_ipmi_opts: tests/fuzz/fuzz_ipmi_opts.c plugins/ipmi_opts.c plugins/ipmi_values.c \
                               plugins/ipmi_class.c plugins/plugin_util.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -Iplugins -o $@ $^ -lm
$(FUZZ_BUILD)/fuzz_cli_format: tests/fuzz/fuzz_cli_format.c agent/cli_format.c \
                                agent/cli_format_rules.c agent/cli_format_smart.c \
                                agent/cli_format_actions.c
	@mkdir -p $(FUZZ_BUILD)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(CORE_LIBS)

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
	@for t in $(FUZZ_TARGETS); do mkdir -p $(FUZZ_BUILD)/corpus-$$t; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/$$t- \
	    $(FUZZ_BUILD)/corpus-$$t tests/fuzz/corpus/$$t >$(FUZZ_BUILD)/$$t.log 2>&1 \
	    || { tail -40 $(FUZZ_BUILD)/$$t.log; exit 1; }; \
	  grep -E '^stat::number_of_executed_units' $(FUZZ_BUILD)/$$t.log; done

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=10

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR)/hwhealth/plugins \
	  $(DESTDIR)$(DATADIR)/hwhealth/rules $(DESTDIR)$(SYSCONFDIR)/hwhealth/rules.d \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	  $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(PREFIX)/include/hwhealth \
	  $(DESTDIR)$(DATADIR)/snmp/mibs
	install -m 755 $(DAEMON) $(DESTDIR)$(SBINDIR)/hwhealthd
	install -m 755 $(CLI) $(DESTDIR)$(BINDIR)/hwhealth
	install -m 644 $(PLUGIN_SOS) $(DESTDIR)$(LIBDIR)/hwhealth/plugins/
	install -m 644 include/hwhealth/plugin.h $(DESTDIR)$(PREFIX)/include/hwhealth/
	install -m 644 docs/hwhealth.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/hwhealth.conf.5 docs/hwhealth.rules.5 docs/hwhealth-trace.5 \
	  $(DESTDIR)$(MANDIR)/man5/
	install -m 644 rules/*.rules $(DESTDIR)$(DATADIR)/hwhealth/rules/
	install -m 644 mibs/HWHEALTH-MIB.txt $(DESTDIR)$(DATADIR)/snmp/mibs/
	install -m 644 docs/hwhealthd.8 $(DESTDIR)$(MANDIR)/man8/
	sed 's|@SBINDIR@|$(SBINDIR)|g' contrib/hwhealthd.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/hwhealthd.service
	test -e $(DESTDIR)$(SYSCONFDIR)/hwhealth/hwhealth.conf || \
	  install -m 644 contrib/hwhealth.conf.example $(DESTDIR)$(SYSCONFDIR)/hwhealth/hwhealth.conf

# Every C file follows .clang-format.
FORMAT_FILES = $(wildcard agent/*.[ch] include/hwhealth/*.h plugins/*.[ch] tests/*.[ch] \
	tests/unit/*.c tests/integration/*.c tests/plugins/*.c tests/fuzz/*.c tests/fuzz/*.h bench/*.c)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
