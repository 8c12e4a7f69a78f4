/*
 * slurm_internal.h: what the slurm actuator's files share, and nothing the
 * core sees.  The plugin (build/plugins/slurm.so) is three files:
 *
 *   slurm.c        the hwh_plugin descriptor, perform() and cluster(): runs
 *                  sinfo and scontrol with pu_run() (plugin_run.c)
 *   slurm_opts.c   the options (node, scontrol, sinfo, slurm-conf) and their
 *                  defaults
 *   slurm_parse.c  pure C: reading sinfo's output, the state words, the
 *                  drain / undrain decisions and the reason text
 * slurm_opts.c and slurm_parse.c are unit-tested in the test runner
 * (tests/unit/check_slurm.c) without Slurm.
 *
 * Every function declared here is hidden: the .so exports hwh_plugin alone.
 *
 * To extend: a new state word that takes a node out of service is one row
 * in slurm_parse.c's out_states table.
 */
#ifndef HWH_SLURM_INTERNAL_H
#define HWH_SLURM_INTERNAL_H

#include <stddef.h>

#include <hwhealth/plugin.h>

#include "plugin_util.h"

#define SLURM_NODE_MAX 64     /* bytes of a node name with its NUL (struct hwh_cluster.self) */
#define SLURM_STATE_MAX 48    /* bytes of a %T state word kept */
#define SLURM_REASON_KEPT 512 /* bytes of a %E reason kept */
#define SLURM_REASON_MAX 200  /* bytes of the reason hwhealth sets, prefix included */
#define SLURM_REASON_PREFIX "hwhealth:" /* what marks a drain as hwhealth's */
#define SLURM_SCONTROL_DEFAULT "/usr/bin/scontrol"
#define SLURM_SINFO_DEFAULT "/usr/bin/sinfo"
#define SLURM_PATH_MAX 4096

/* The options of one "action NAME { plugin slurm; ... }" block. */
struct slurm_conf {
	char node[SLURM_NODE_MAX];	      /* this node's NodeName */
	char scontrol[SLURM_PATH_MAX];	      /* absolute path */
	char sinfo[SLURM_PATH_MAX];	      /* absolute path */
	char slurm_conf[SLURM_PATH_MAX + 16]; /* "SLURM_CONF=PATH", or "" for none */
};

/* One node's line of `sinfo -h -N -o '%N|%T|%E'`. */
struct slurm_node_info {
	char state[SLURM_STATE_MAX];	/* %T: "idle", "drained*", "down"... */
	char reason[SLURM_REASON_KEPT]; /* %E: "none" when there is none */
};

/* What to do with a node, given its line. */
enum slurm_verdict {
	SLURM_DO = 0, /* run scontrol */
	SLURM_SKIP    /* leave it: why says so (HWH_ACT_SKIPPED) */
};

/*
 * Fill *c from the options: defaults (node: the host name up to its first
 * '.'; scontrol, sinfo: /usr/bin; slurm-conf: the SLURM_CONF environment
 * variable of the daemon, if set), then each option.  0, or -1 with
 * err->option and err->msg set.
 */
PU_HIDDEN int slurm_opts_parse(const struct hwh_option *opts, size_t nopts, struct slurm_conf *c,
			       struct hwh_config_error *err);

/*
 * The line of node in text (sinfo's stdout, `%N|%T|%E` or `%N|%T`; a
 * reason may hold '|') into *out.  1 found, 0 not listed.
 */
PU_HIDDEN int slurm_parse_node(const char *text, const char *node, struct slurm_node_info *out);

/* 1 if a %T state word means the node is out of service: drain, drained,
 * draining, down, fail, failing, inval, unknown, or not responding (a '*'
 * suffix), whatever its other suffixes ('~', '#', '%', '$', '@', '^', '-',
 * '!') and '+'-joined flags; else 0. */
PU_HIDDEN int slurm_state_out(const char *state);

/* 1 if the state is drained or draining (its base word, suffixes aside). */
PU_HIDDEN int slurm_state_drained(const char *state);

/* 1 if the reason is hwhealth's ("hwhealth:" at its start). */
PU_HIDDEN int slurm_reason_ours(const char *reason);

/* Whether to drain a node in state info (SLURM_SKIP when it is already out
 * with someone else's reason: never overwrite an operator's).  why (size
 * len) says why in both cases. */
PU_HIDDEN enum slurm_verdict slurm_decide_drain(const struct slurm_node_info *info, char *why,
						size_t len);

/* Whether to resume it: only drained/draining with hwhealth's reason. */
PU_HIDDEN enum slurm_verdict slurm_decide_undrain(const struct slurm_node_info *info, char *why,
						  size_t len);

/*
 * The Reason= text for a drain: "hwhealth: " + reason ("no reason given"
 * when empty), control characters (a newline would split sinfo's line)
 * turned into spaces, '"' into '\'' (scontrol strips a trailing '"'), cut
 * to SLURM_REASON_MAX - 1 bytes on a UTF-8 character boundary.  Into buf
 * (size len >= SLURM_REASON_MAX); returns buf.
 */
PU_HIDDEN const char *slurm_reason_text(const char *reason, char *buf, size_t len);

/*
 * Counts from `sinfo -h -o '%D|%T'`: sinfo merges the partitions' records
 * when the format shows no partition, so each line is one state with its
 * node count and a node counts once.  *nodes = all, *out = those in a
 * state slurm_state_out() calls out.  0, or -EPROTO (why says which line)
 * when a line is not COUNT|STATE, or when the counts add up to more than a
 * million nodes.
 */
PU_HIDDEN int slurm_parse_counts(const char *text, int *nodes, int *out, char *why, size_t len);

/*
 * From `sinfo -h -N -o '%N|%T'` (a node once per partition): the names of
 * the nodes out other than self, space-separated into names (size len,
 * each once, cut at a whole name), and self's standing: returns -1 when
 * self is not listed, 0 listed and in service, 1 listed and out.
 */
PU_HIDDEN int slurm_parse_out_names(const char *text, const char *self, char *names, size_t len);

#endif
