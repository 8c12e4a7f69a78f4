# shellcheck shell=sh
# pcmk_lib.sh: a private single-node Pacemaker + Corosync cluster (the
# recipe of tests/pcmk.c), shared by bench/act_latency_pcmk.sh and
# contrib/demo.sh.  Sourced, never run; POSIX sh.  The caller sets PROG (the
# word its messages start with) and, in private mount and network
# namespaces (loopback up), calls in order:
#   pcmk_files DIR NAME [NVPAIRS]   write the cluster's files under DIR
#   pcmk_mounts DIR                 bind them over the system's directories
#   pcmk_start DIR                  corosync, pacemakerd (COROPID, PMPID)
#   pcmk_stop                       pacemakerd, then corosync
#   netns_sweep HOSTNET             kill what is left in the namespace
# To extend: keep each step one function the two callers can use as is.

PCMK_NODE=node1
COROPID=
PMPID=

# 0 while process $1 runs (a zombie does not: kill -0 says yes to one).
alive() {
	_st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$_st" ] && [ "$_st" != Z ]
}

# Stop our child $1: SIGTERM, up to $2 s, then SIGKILL; then reap it.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null || true
	_i=0
	while alive "$1" && [ $_i -lt $(($2 * 10)) ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if alive "$1"; then
		echo "$PROG: pid $1 still running after ${2}s; killing it" >&2
		kill -KILL "$1" 2>/dev/null || true
	fi
	wait "$1" 2>/dev/null || true
}

# pcmk_files DIR NAME [NVPAIRS]: the cluster's files in DIR: lib/ (bound
# over /var/lib/pacemaker, holds the seed CIB), corosync/, log/ (over
# /var/log/pacemaker: pacemaker.log, corosync.log, the daemons' output) and
# corosync.conf for cluster NAME.  NVPAIRS: more cluster properties (CIB
# nvpair lines).  Pacemaker's daemons run as hacluster:haclient and want
# their directories so.  dc-deadtime 2s: the node is up in ~5 s, not
# ~25 s.  One ocf:pacemaker:Dummy; no fencing device, stonith-enabled false.
pcmk_files() {
	mkdir -p "$1/lib/cib" "$1/lib/pengine" "$1/lib/blackbox" "$1/lib/cores" \
		"$1/corosync" "$1/log/bundles" || return 1
	# Every section over several lines: corosync rejects "quorum { x }".
	cat >"$1/corosync.conf" <<EOF || return 1
totem {
  version: 2
  cluster_name: $2
  transport: knet
  crypto_cipher: none
  crypto_hash: none
  token: 1000
}
logging {
  to_stderr: no
  to_logfile: yes
  logfile: $1/log/corosync.log
  to_syslog: no
  timestamp: hires
}
quorum {
  provider: corosync_votequorum
}
nodelist {
  node {
    name: $PCMK_NODE
    nodeid: 1
    ring0_addr: 127.0.0.1
  }
}
EOF
	cat >"$1/lib/cib/cib.xml" <<EOF || return 1
<cib validate-with="pacemaker-3.0" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config>
      <cluster_property_set id="cib-bootstrap-options">
        <nvpair id="opt-stonith" name="stonith-enabled" value="false"/>
        <nvpair id="opt-dcdead" name="dc-deadtime" value="2s"/>${3:+
$3}
      </cluster_property_set>
    </crm_config>
    <nodes/>
    <resources>
      <primitive id="dummy" class="ocf" provider="pacemaker" type="Dummy">
        <operations><op id="dummy-mon" name="monitor" interval="10s"/></operations>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status/>
</cib>
EOF
	chown -R hacluster:haclient "$1/lib" "$1/log" &&
		chmod 750 "$1/lib/cib" "$1/lib/pengine" "$1/lib/blackbox" "$1/lib/cores" &&
		chmod 770 "$1/log" && chmod 600 "$1/lib/cib/cib.xml"
}

# pcmk_mounts DIR: the cluster's directories, and fresh /run (corosync's
# pid lock, the resource agents' state) and /dev/shm (libqb's IPC buffers).
pcmk_mounts() {
	mount --bind "$1/lib" /var/lib/pacemaker &&
		mount --bind "$1/corosync" /var/lib/corosync &&
		mount --bind "$1/log" /var/log/pacemaker &&
		mount -t tmpfs -o mode=0755 tmpfs /run &&
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm
}

# 0 when crm_mon shows the Dummy in role $1 (Started, Stopped).
dummy_is() {
	crm_mon -1 --output-as=xml 2>/dev/null |
		grep -q "<resource id=\"dummy\"[^>]*role=\"$1\""
}

# pcmk_logs DIR: the tail of the cluster's logs, for a failure.
pcmk_logs() {
	tail -n 5 "$1/log/corosync.log" "$1/log/pacemakerd.out" \
		"$1/log/pacemaker.log" 2>/dev/null | sed 's/^/  /' >&2 || true
}

# pcmk_start DIR: start corosync, then pacemakerd, as our children (COROPID,
# PMPID), and wait for the Dummy: corosync answering within 10 s, the Dummy
# started within 30 s; 1, with a message and the logs' tails on stderr,
# when the cluster does not come up (the caller then calls pcmk_stop).
# Each runs in a session of its own, so that a Ctrl-C on the terminal (sent
# to the whole foreground process group) does not reach them: pcmk_stop
# stops them in order.  (Our background children are never process group
# leaders, so setsid execs without forking and $! is the daemon.)
pcmk_start() {
	setsid corosync -f -c "$1/corosync.conf" </dev/null >"$1/log/corosync.out" 2>&1 &
	COROPID=$!
	_i=0
	until corosync-cfgtool -s >/dev/null 2>&1; do
		_i=$((_i + 1))
		if [ $_i -ge 200 ] || ! alive "$COROPID"; then
			echo "$PROG: corosync did not start" >&2
			pcmk_logs "$1"
			return 1
		fi
		sleep 0.05
	done
	PCMK_logfile=/var/log/pacemaker/pacemaker.log setsid pacemakerd \
		</dev/null >"$1/log/pacemakerd.out" 2>&1 &
	PMPID=$!
	_i=0
	until dummy_is Started; do
		_i=$((_i + 1))
		if [ $_i -ge 300 ] || ! alive "$PMPID"; then
			echo "$PROG: Pacemaker did not start the Dummy within 30 s" >&2
			pcmk_logs "$1"
			return 1
		fi
		sleep 0.1
	done
}

# pacemakerd first (it stops the Dummy and its own daemons), then corosync.
pcmk_stop() {
	stop_pid "$PMPID" 30
	PMPID=
	stop_pid "$COROPID" 10
	COROPID=
}

# netns_sweep HOSTNET: kill whatever is left in our private network
# namespace (a Pacemaker daemon that outlived pacemakerd, a sleep): every
# process in it is the caller's.  Never in HOSTNET, the host's namespace
# (readlink /proc/self/ns/net before unshare), nor when that is unknown.
netns_sweep() {
	[ -n "$1" ] || return 0
	_me=$(readlink /proc/$$/ns/net) || return 0
	[ -n "$_me" ] && [ "$_me" != "$1" ] || return 0
	for _d in /proc/[0-9]*; do
		_p=${_d#/proc/}
		[ "$_p" != $$ ] || continue
		[ "$(readlink "$_d/ns/net" 2>/dev/null)" = "$_me" ] || continue
		alive "$_p" || continue
		kill -KILL "$_p" 2>/dev/null || continue
		echo "$PROG: killed $(cat "$_d/comm" 2>/dev/null) ($_p), left in the private network namespace" >&2
	done
}
