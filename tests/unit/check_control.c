/* Unit tests for agent/control.c: the JSON protocol (dispatch, errors, the
 * root-only check) and a real socket round trip through the poll loop. */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

static json_object *echo_cmd(void *ud, json_object *req, char *err, size_t errlen)
{
	json_object *arg, *r;

	(void)ud;
	if (!json_object_object_get_ex(req, "arg", &arg)) {
		snprintf(err, errlen, "echo needs \"arg\"");
		return NULL;
	}
	r = json_object_new_object();
	json_object_object_add(r, "arg", json_object_get(arg));
	return r;
}

static json_object *boom_cmd(void *ud, json_object *req, char *err, size_t errlen)
{
	(void)req, (void)err, (void)errlen;
	(*(int *)ud)++;
	return json_object_new_object();
}

static int boom_count;
static const struct ctl_cmd cmds[] = {
    {"echo", false, echo_cmd},
    {"boom", true, boom_cmd},
    {NULL, false, NULL},
};

static void expect(const char *req, uid_t uid, const char *want)
{
	char *got = ctl_dispatch(cmds, &boom_count, req, strlen(req), uid);

	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(test_dispatch_ok)
{
	expect("{\"cmd\":\"echo\",\"arg\":[1,\"a/b\"]}", 1000,
	       "{\"ok\":true,\"result\":{\"arg\":[1,\"a/b\"]}}\n");
}
END_TEST

START_TEST(test_dispatch_errors)
{
	expect("{\"cmd\":\"echo\"}", 0, "{\"ok\":false,\"error\":\"echo needs \\\"arg\\\"\"}\n");
	expect(
	    "{\"cmd\":\"nope\"}", 0,
	    "{\"ok\":false,\"error\":\"unknown command 'nope' (expected one of: echo, boom)\"}\n");
	expect("[1,2]", 0,
	       "{\"ok\":false,\"error\":\"request lacks a string \\\"cmd\\\" (expected one of: "
	       "echo, boom)\"}\n");
	expect("{\"cmd\":7}", 0,
	       "{\"ok\":false,\"error\":\"request lacks a string \\\"cmd\\\" (expected one of: "
	       "echo, boom)\"}\n");
	expect("{\"cmd\":", 0,
	       "{\"ok\":false,\"error\":\"malformed request: continue (expected one JSON "
	       "object)\"}\n");
	expect("{} x", 0,
	       "{\"ok\":false,\"error\":\"malformed request: trailing data (expected one JSON "
	       "object)\"}\n");
}
END_TEST

START_TEST(test_root_only)
{
	boom_count = 0;
	expect("{\"cmd\":\"boom\"}", 1000,
	       "{\"ok\":false,\"error\":\"permission denied: 'boom' requires root\"}\n");
	ck_assert_int_eq(boom_count, 0);
	expect("{\"cmd\":\"boom\"}", 0, "{\"ok\":true,\"result\":{}}\n");
	ck_assert_int_eq(boom_count, 1);
}
END_TEST

/* Serve ctl until the client's answer has arrived or 200 loop turns pass. */
static void pump(struct control *ctl, int cfd, char *buf, size_t n)
{
	size_t got = 0;

	for (int turn = 0; turn < 200 && (got == 0 || buf[got - 1] != '\n'); turn++) {
		struct pollfd fds[CTL_MAX_CLIENTS + 1];
		size_t nf = ctl_pollfds(ctl, fds, CTL_MAX_CLIENTS + 1);
		poll(fds, nf, 10);
		ctl_handle(ctl, fds, nf);
		ssize_t r = recv(cfd, buf + got, n - got - 1, MSG_DONTWAIT);
		if (r > 0)
			got += (size_t)r;
	}
	buf[got] = '\0';
}

START_TEST(test_socket_round_trip)
{
	char dir[] = "/tmp/hwh-ctl-XXXXXX", path[128], err[256], buf[4096];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct control *ctl, *second;
	struct stat st;
	int cfd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/sub/ctl.sock", dir);
	ctl = ctl_open(path, 0660, NULL, cmds, &boom_count, err, sizeof err);
	ck_assert_msg(ctl != NULL, "%s", err);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0660);

	second = ctl_open(path, 0660, NULL, cmds, NULL, err, sizeof err);
	ck_assert_ptr_null(second);
	/* connect() to a listening socket works before accept(): the check sees it. */
	ck_assert_str_eq(strstr(err, "another hwhealthd") ? "busy" : err, "busy");

	cfd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sa, sizeof sa), 0);
	/* Two pipelined requests in one write: both answered, in order. */
	const char *req = "{\"cmd\":\"echo\",\"arg\":1}\n{\"cmd\":\"echo\",\"arg\":2}\n";
	ck_assert_int_eq(write(cfd, req, strlen(req)), (ssize_t)strlen(req));
	pump(ctl, cfd, buf, sizeof buf);
	ck_assert_str_eq(buf, "{\"ok\":true,\"result\":{\"arg\":1}}\n");
	pump(ctl, cfd, buf, sizeof buf);
	ck_assert_str_eq(buf, "{\"ok\":true,\"result\":{\"arg\":2}}\n");
	close(cfd);
	ctl_close(ctl);
	ck_assert_int_ne(access(path, F_OK), 0); /* socket removed */
	snprintf(path, sizeof path, "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_bad_group)
{
	char dir[] = "/tmp/hwh-ctl-XXXXXX", path[128], err[256];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ctl.sock", dir);
	ck_assert_ptr_null(ctl_open(path, 0660, "no-such-group-hwh", cmds, NULL, err, sizeof err));
	ck_assert_str_eq(err, "socket-group 'no-such-group-hwh': no such group");
	rmdir(dir);
}
END_TEST

Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tp = tcase_create("protocol");
	TCase *ts = tcase_create("socket");

	tcase_add_test(tp, test_dispatch_ok);
	tcase_add_test(tp, test_dispatch_errors);
	tcase_add_test(tp, test_root_only);
	suite_add_tcase(s, tp);
	tcase_add_test(ts, test_socket_round_trip);
	tcase_add_test(ts, test_bad_group);
	suite_add_tcase(s, ts);
	return s;
}
