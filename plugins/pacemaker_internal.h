/*
 * pacemaker_internal.h: what the pacemaker actuator's files share, and
 * nothing the core sees.  The plugin (build/plugins/pacemaker.so) is three
 * files:
 *
 *   pacemaker.c        the hwh_plugin descriptor, the tools (attrd_updater,
 *                      crm_attribute, crm_node, crm_mon, stonith_admin, run
 *                      with pu_run()) and the actions
 *   pacemaker_logic.c  pure C: the options (pm_conf_parse()) and the small
 *                      decisions (which health value to publish, whether a
 *                      standby is hwhealth's to set or lift), unit-tested
 *   pacemaker_xml.c    pure C over libxml2: crm_mon's XML into the drain
 *                      budget's struct hwh_cluster, unit-tested on fixtures
 *
 * Every function declared here is hidden (PM_HIDDEN): the .so exports
 * hwh_plugin alone.
 *
 * To extend: a new option is a row in pacemaker_logic.c's option table and
 * a field of struct pm_conf; a new reason to count a node as out goes into
 * pm_node_out() (pacemaker_xml.c).
 */
#ifndef HWH_PACEMAKER_INTERNAL_H
#define HWH_PACEMAKER_INTERNAL_H

#include <stddef.h>

#include <hwhealth/plugin.h>

#define PM_HIDDEN __attribute__((visibility("hidden")))

#define PM_ATTR_DEFAULT "#health-hwhealth"
#define PM_TOOLS_DIR_DEFAULT "/usr/sbin"
#define PM_MARKER_ATTR "hwhealth-drain" /* node attribute: the standby is hwhealth's */
#define PM_NAME_MAX 128			/* node and attribute names */
#define PM_PATH_MAX 256			/* tools-dir */

/* Exit codes of the Pacemaker tools (crm_error -X N). */
#define PM_EX_NOT_CONNECTED 102 /* CRM_EX_NOT_CONNECTED: the cluster is down */
#define PM_EX_NOSUCH 105	/* CRM_EX_NOSUCH: no such attribute (or node) */

/* How a drain is done. */
enum pm_mode {
	PM_MODE_HEALTH = 0, /* publish #health-hwhealth=red; node-health-strategy moves work */
	PM_MODE_STANDBY	    /* put the node in standby (and mark it as hwhealth's) */
};

/* What a fence asks stonith_admin for. */
enum pm_fence {
	PM_FENCE_REBOOT = 0, /* stonith_admin --reboot */
	PM_FENCE_OFF	     /* stonith_admin --fence (off) */
};

/* An action block's options, validated. */
struct pm_conf {
	enum pm_mode mode;
	char node[PM_NAME_MAX];	     /* "" = ask crm_node -n */
	char attribute[PM_NAME_MAX]; /* the health attribute */
	char tools_dir[PM_PATH_MAX]; /* absolute, no trailing '/' */
	enum pm_fence fence_action;
};

/*
 * Parse the options into c (defaults first).  0, or -1 with err set (the
 * option's index and what is wrong, naming it).  Pure: touches nothing.
 */
PM_HIDDEN int pm_conf_parse(const struct hwh_option *opts, size_t nopts, struct pm_conf *c,
			    struct hwh_config_error *err);

/* The health value a notify publishes: "red" when hwhealth's drain is in
 * force (health mode only: in standby mode the standby moves the work and
 * the attribute says "yellow"), else "yellow" at or above yellow, else
 * "green". */
PM_HIDDEN const char *pm_health_value(enum pm_mode mode, int state, int drained);

/* Standby as crm_attribute reported it: "on", "true", "yes", "y", "1" (any
 * case) are on, like Pacemaker's crm_is_true(); anything else is off. */
PM_HIDDEN int pm_is_true(const char *value);

/* What a standby-mode drain or undrain does, from what the CIB holds. */
enum pm_step {
	PM_STEP_APPLY = 0,  /* drain: set standby + marker; undrain: lift both */
	PM_STEP_ALREADY,    /* drain: standby and our marker already there (done) */
	PM_STEP_FOREIGN,    /* drain: standby on without our marker; undrain: the
			     * standby is not ours: leave it (skipped) */
	PM_STEP_OFF,	    /* undrain: standby already off (skipped) */
	PM_STEP_STALE_MARK, /* undrain: standby off but our marker left: remove it */
};
PM_HIDDEN enum pm_step pm_drain_step(int standby_on, int marker);
PM_HIDDEN enum pm_step pm_undrain_step(int standby_on, int marker);

/* ---- crm_mon XML (pacemaker_xml.c) ---------------------------------------- */

/*
 * Read `crm_mon -1 --output-as=xml` output (len bytes) into *c: nodes =
 * every <node> of <nodes> (type "ping" excepted), unhealthy = the OTHER
 * nodes that are out (pm_node_out()), their names space-separated (cut to
 * fit, ending in "..." when cut); self copied into c->self.  Returns 0;
 * -ENOTCONN when the document is crm_mon's status 102 (cluster not
 * reachable); -EPROTO when it is not XML, not crm_mon's, or has a non-zero
 * status or no <nodes>; -ENOENT when self is not among the nodes.  detail
 * (len dlen) always says what was found or what is wrong, in words.
 * Call xmlInitParser() on the main thread first (config() does).
 */
PM_HIDDEN int pm_xml_cluster(const char *xml, size_t len, const char *self, struct hwh_cluster *c,
			     char *detail, size_t dlen);

/*
 * Why a node is out, from its attributes (each a value or NULL when the
 * element lacks it): "offline", "unclean", "standby", "health red",
 * "maintenance"; NULL when it is not out.  The first reason only.
 */
PM_HIDDEN const char *pm_node_out(const char *online, const char *unclean, const char *standby,
				  const char *standby_onfail, const char *health,
				  const char *maintenance);

#endif
