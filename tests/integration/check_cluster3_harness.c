/*
 * Smoke tests of the three-node cluster harness (tests/pcmk3.c): the nodes
 * come online in their own namespaces, a daemon started in one node is in
 * that node's namespaces yet answers on a socket the test reaches, red
 * health moves a resource to another node, and the test fence device
 * records a fence while the fenced node's pacemakerd exits 100.  Each test
 * waits for a state the cluster reaches only when the part under test
 * works.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcmk3.h"
#include "testlib.h"

#define TC_TIMEOUT_SEC 120
#define HEALTH_TIMEOUT_MS 15000 /* red moves the Dummy in ~0.2 s */
#define FENCE_TIMEOUT_MS 20000	/* the fenced node stops in ~2 s */

static char dir[] = "/tmp/hwh-cluster3.XXXXXX";
static struct pcmk3 cl;

static void start(bool fencing)
{
	strcpy(dir, "/tmp/hwh-cluster3.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	pcmk3_start(&cl, dir, 3, fencing);
}

static void setup(void)
{
	start(false);
}

static void setup_fencing(void)
{
	start(true);
}

static void teardown(void)
{
	ck_assert_int_eq(pcmk3_stop(&cl), 0);
	pcmk3_free(&cl);
}

/* ---- nodes ------------------------------------------------------------------ */

/* stdout of a command run on node i, trimmed; aborts unless it exits 0. */
static char *on_node(int i, const char *cmd, const char *arg1, const char *arg2)
{
	struct cmd_result res;
	size_t n;

	if (pcmk3_run(&cl, i, &res, cmd, arg1, arg2, NULL) != 0)
		ck_abort_msg("%s on node%d exited %d: %s", cmd, i, res.code, res.err);
	free(res.err);
	n = strlen(res.out);
	while (n > 0 && res.out[n - 1] == '\n')
		res.out[--n] = '\0';
	return res.out;
}

START_TEST(test_nodes_online)
{
	for (int i = 1; i <= 3; i++) {
		char addr[32], *out;

		for (int j = 1; j <= 3; j++) {
			struct pcmk_node n;

			ck_assert_msg(pcmk3_node(&cl, i, pcmk3_name(j), &n), "node%d: no node%d", i,
				      j);
			ck_assert_msg(n.online && !n.unclean, "node%d sees node%d offline", i, j);
			ck_assert_str_eq(n.health, "green");
		}
		out = on_node(i, "crm_node", "-n", NULL);
		ck_assert_str_eq(out, pcmk3_name(i));
		free(out);
		out = on_node(i, "hostname", NULL, NULL);
		ck_assert_str_eq(out, pcmk3_name(i));
		free(out);
		out = on_node(i, "ip", "-4", "addr");
		snprintf(addr, sizeof addr, "inet 10.200.0.%d/24", i);
		ck_assert_msg(strstr(out, addr) != NULL, "node%d: no %s in\n%s", i, addr, out);
		free(out);
	}
	/* The address exists only inside the namespaces. */
	{
		struct cmd_result res;
		const char *argv[] = {"ip", "-4", "addr", NULL};

		ck_assert_int_eq(cmd_run(argv, &res, TL_CMD_TIMEOUT_MS), 0);
		ck_assert_ptr_null(strstr(res.out, "10.200.0."));
		cmd_result_free(&res);
	}
}
END_TEST

static bool same_ns(pid_t a, pid_t b, const char *type)
{
	char pa[64], pb[64], la[64] = "", lb[64] = "";

	snprintf(pa, sizeof pa, "/proc/%d/ns/%s", (int)a, type);
	snprintf(pb, sizeof pb, "/proc/%d/ns/%s", (int)b, type);
	return readlink(pa, la, sizeof la - 1) > 0 && readlink(pb, lb, sizeof lb - 1) > 0 &&
	       strcmp(la, lb) == 0;
}

/* hwhealthd in node2: in node2's namespaces, its socket under /tmp answers
 * the test process; a bind made for node2 is seen by node2 only. */
START_TEST(test_daemon_in_node)
{
	struct fake_tree *t = fake_tree_new();
	struct test_daemon d = {.tree = t};
	char echo[TL_PATH_MAX], conf[2 * TL_PATH_MAX], marker[TL_PATH_MAX], src[TL_PATH_MAX];
	const char *pl = test_plugin_dir(t, "pl", "echo", NULL);
	struct json_object *r;
	struct cmd_result res;

	fake_tree_path(t, "echo.txt", echo, sizeof echo);
	ck_assert_int_eq(write_file_str(echo, "chip0 temp1 temperature 45 max=80 crit=95\n"), 0);
	snprintf(conf, sizeof conf,
		 "plugin-dir %s\nsource e {\n  plugin echo\n  file %s\n  interval 1s\n}\n", pl,
		 echo);
	pcmk3_daemon_start(&cl, 2, &d, conf);
	ck_assert(same_ns(d.pid, pcmk3_node_at(&cl, 2)->holder, "net"));
	ck_assert(same_ns(d.pid, pcmk3_node_at(&cl, 2)->holder, "mnt"));
	ck_assert(same_ns(d.pid, pcmk3_node_at(&cl, 2)->holder, "uts"));
	ck_assert(!same_ns(d.pid, getpid(), "net"));
	r = cli_json(&d, "status", NULL);
	ck_assert_ptr_nonnull(r);
	json_object_put(r);
	ck_assert_int_eq(daemon_stop(&d), 0);

	fake_tree_path(t, "class", src, sizeof src);
	fake_tree_path(t, "class/marker", marker, sizeof marker);
	ck_assert_int_eq(write_file_str(marker, "x\n"), 0);
	pcmk3_bind(&cl, 2, src, "/sys/class");
	ck_assert_int_eq(pcmk3_run(&cl, 2, &res, "cat", "/sys/class/marker", NULL), 0);
	cmd_result_free(&res);
	ck_assert_int_ne(pcmk3_run(&cl, 1, &res, "cat", "/sys/class/marker", NULL), 0);
	cmd_result_free(&res);
	ck_assert_int_ne(access("/sys/class/marker", F_OK), 0);
	fake_tree_free(t);
}
END_TEST

/* Two nodes (two_node quorum) come up the same way. */
START_TEST(test_two_nodes)
{
	struct pcmk3 two;
	struct pcmk_node n;

	strcpy(dir, "/tmp/hwh-cluster3.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	pcmk3_start(&two, dir, 2, false);
	for (int i = 1; i <= 2; i++)
		for (int j = 1; j <= 2; j++)
			ck_assert_msg(pcmk3_node(&two, i, pcmk3_name(j), &n) && n.online,
				      "node%d does not see node%d online", i, j);
	ck_assert(!pcmk3_node(&two, 1, "node3", &n));
	ck_assert_int_eq(pcmk3_stop(&two), 0);
	pcmk3_free(&two);
}
END_TEST

/* ---- health ----------------------------------------------------------------- */

struct placed {
	const char *id;
	char node[64]; /* where it started, "" when it is not Started */
	const char *not_on;
};

/* The resource is Started on a node other than not_on (if set). */
static bool started(void *arg)
{
	struct placed *p = arg;
	struct pcmk_resource r;

	p->node[0] = '\0';
	if (!pcmk3_resource(&cl, 1, p->id, &r) || strcmp(r.role, "Started") != 0)
		return false;
	snprintf(p->node, sizeof p->node, "%s", r.node);
	return p->not_on == NULL || strcmp(r.node, p->not_on) != 0;
}

START_TEST(test_red_moves_dummy)
{
	struct placed p = {.id = "dummy"};
	struct pcmk_node n;
	char first[64];
	int64_t t0;
	int i;

	pcmk3_add_dummy(&cl, "dummy", false);
	ck_assert_msg(wait_until(started, &p, HEALTH_TIMEOUT_MS), "the Dummy did not start");
	snprintf(first, sizeof first, "%s", p.node);
	ck_assert_int_eq(sscanf(first, "node%d", &i), 1);
	t0 = tl_mono_ms();
	pcmk3_set_health(&cl, i, "red");
	p.not_on = first;
	ck_assert_msg(wait_until(started, &p, HEALTH_TIMEOUT_MS),
		      "red on %s did not move the Dummy (still on %s)", first, p.node);
	fprintf(stderr, "red on %s moved the Dummy to %s in %lld ms\n", first, p.node,
		(long long)(tl_mono_ms() - t0));
	ck_assert(pcmk3_node(&cl, 1, first, &n));
	ck_assert_str_eq(n.health, "red");
	ck_assert_int_eq(n.resources_running, 0);
}
END_TEST

/* ---- fencing ---------------------------------------------------------------- */

static bool fence_logged(void *arg)
{
	char *log = pcmk3_fence_log(&cl);
	bool found = strstr(log, (const char *)arg) != NULL;

	free(log);
	return found;
}

static bool node3_gone(void *arg)
{
	int *code = arg;

	return pcmk3_pacemakerd_exited(&cl, 3, code);
}

static bool node3_offline(void *arg)
{
	struct pcmk_node n;

	(void)arg;
	for (int i = 1; i <= 2; i++)
		if (!pcmk3_node(&cl, i, "node3", &n) || n.online)
			return false;
	return true;
}

START_TEST(test_fence_node3)
{
	struct cmd_result res;
	int64_t t0, t_log, t_exit;
	char *log;
	int code = -1;

	log = pcmk3_fence_log(&cl);
	ck_assert_str_eq(log, "");
	free(log);
	t0 = tl_mono_ms();
	ck_assert_msg(pcmk3_run(&cl, 3, &res, "stonith_admin", "--fence", "node3", NULL) == 0,
		      "stonith_admin exited %d: %s", res.code, res.err);
	cmd_result_free(&res);
	ck_assert_msg(wait_until(fence_logged, " off node3", FENCE_TIMEOUT_MS),
		      "fence.log has no 'off node3'");
	t_log = tl_mono_ms();
	ck_assert_msg(wait_until(node3_gone, &code, FENCE_TIMEOUT_MS),
		      "node3's pacemakerd did not exit");
	ck_assert_int_eq(code, 100);
	t_exit = tl_mono_ms();
	ck_assert_msg(wait_until(node3_offline, NULL, FENCE_TIMEOUT_MS),
		      "node1 and node2 do not see node3 offline");
	fprintf(
	    stderr,
	    "fence node3: logged in %lld ms, pacemakerd exited in %lld ms, offline in %lld ms\n",
	    (long long)(t_log - t0), (long long)(t_exit - t0), (long long)(tl_mono_ms() - t0));
}
END_TEST

Suite *cluster3_harness_suite(void)
{
	Suite *s = suite_create("cluster3_harness");
	TCase *tc = tcase_create("three");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_nodes_online);
	tcase_add_test(tc, test_daemon_in_node);
	tcase_add_test(tc, test_red_moves_dummy);
	suite_add_tcase(s, tc);

	tc = tcase_create("two");
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_two_nodes);
	suite_add_tcase(s, tc);

	tc = tcase_create("fencing");
	tcase_add_checked_fixture(tc, setup_fencing, teardown);
	tcase_set_timeout(tc, TC_TIMEOUT_SEC);
	tcase_add_test(tc, test_fence_node3);
	suite_add_tcase(s, tc);
	return s;
}
