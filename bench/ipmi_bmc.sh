#!/bin/sh
# ipmi_bmc.sh [options] DIR: the files an OpenIPMI ipmi_sim BMC needs, for
# bench/ipmi_bench.sh (100 threshold sensors) and contrib/demo.sh (a small
# BMC from contrib/demo-bmc/bmc.spec).
#
#   -n N      N threshold sensors (default 100: 40 temperatures, 20 fans,
#             20 voltages, 10 currents, 10 power), then 6 discrete ones
#             (two power supplies, memory, a drive slot, a processor, fan
#             redundancy); all nominal
#   -s SPEC   the sensors from SPEC instead (format below); -n is ignored
#   -p PORT   LAN (RMCP/RMCP+) UDP port on 127.0.0.1 (default 9623)
#   -c PORT   console TCP port on 127.0.0.1 (default PORT + 1)
#   -N NAME   BMC name: the state lives in DIR/state/ipmi_sim/NAME (default testbmc)
#
# Writes DIR/lan.conf (user admin / adminpw, privilege admin; user 1 is the
# null user with password "test"), DIR/bmc.emu, DIR/bmc.sdrs, and compiles
# the SDRs with `sdrcomp -8` into DIR/state/ipmi_sim/NAME/sdr.20.main.  It
# does not start the simulator; the caller does, as its own child, so that it
# can stop it by PID:
#   (trap '' PIPE; exec ipmi_sim -c DIR/lan.conf -f DIR/bmc.emu -s DIR/state -n) &
# then waits until the UDP port is bound (a packet sent earlier is lost and
# FreeIPMI retransmits only after 500 ms).  Clients need LAN 2.0 with the
# `opensesspriv` workaround (ipmi-sensors -D LAN_2_0 -W opensesspriv).
#
# SPEC: one sensor a line, blank lines and # comments ignored, fields split
# on blanks, the name is the rest of the line (16 characters at most):
#   T NUM TYPE UNIT M R_EXP LNR LC LNC UNC UC UNR RAW NAME
#       threshold sensor.  TYPE: temp volt current fan other.  UNIT: an
#       sdrcomp base unit (degrees_C RPM Volts Amps Watts ...).  Reading =
#       M x raw x 10^R_EXP.  The six thresholds are raw bytes, "-" for none.
#       RAW: the initial raw reading, or "@FILE": the simulator reads the raw
#       value from DIR/FILE every 500 ms (written here as UNC - 15, i.e.
#       nominal; write another raw number there to move it).
#   D NUM TYPE ERC BIT NAME
#       discrete sensor.  TYPE: psu memory drive cpu fan.  ERC: event/reading
#       type code (0x6f sensor-specific, 0x0b redundancy).  BIT: the state
#       bit set at start ("-": none).
# Sensor numbers are 1..254 on LUN 0 of the BMC at 0x20.  Change a sensor at
# run time on the console (TCP, e.g. bash's /dev/tcp), the trailing 1 making
# the BMC log SEL records for the thresholds crossed or bits asserted:
#   sensor_set_value 0x20 0 NUM RAW 1      sensor_set_bit 0x20 0 NUM BIT 1 1
#
# To extend: a new TYPE needs its IPMI sensor type in type_hex and its
# sdrcomp name in type_name.
set -eu

die() { echo "ipmi_bmc: $*" >&2; exit 1; }
usage() { echo "usage: $0 [-n N | -s SPEC] [-p PORT] [-c PORT] [-N NAME] DIR" >&2; exit 2; }

N=100
SPEC=
PORT=9623
CPORT=
NAME=testbmc
while getopts n:s:p:c:N: o; do
	case $o in
	n) N=$OPTARG ;;
	s) SPEC=$OPTARG ;;
	p) PORT=$OPTARG ;;
	c) CPORT=$OPTARG ;;
	N) NAME=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
DIR=$1
[ -z "$CPORT" ] && CPORT=$((PORT + 1))
for v in "$N" "$PORT" "$CPORT"; do
	case $v in '' | *[!0-9]*) die "not a number: '$v'" ;; esac
done
[ -z "$SPEC" ] || [ -r "$SPEC" ] || die "cannot read $SPEC"
[ -d "$DIR" ] || die "no directory $DIR"
command -v sdrcomp >/dev/null || die "sdrcomp not found (Debian package openipmi)"
DIR=$(cd "$DIR" && pwd)

type_hex() {
	case $1 in
	temp) echo 0x01 ;; volt) echo 0x02 ;; current) echo 0x03 ;; fan) echo 0x04 ;;
	cpu) echo 0x07 ;; psu) echo 0x08 ;; other) echo 0x0b ;; memory) echo 0x0c ;;
	drive) echo 0x0d ;; *) die "unknown sensor type $1" ;;
	esac
}
type_name() {
	case $1 in
	temp) echo Temperature ;; volt) echo Voltage ;; current) echo Current ;;
	fan) echo Fan ;; cpu) echo Processor ;; psu) echo Power_Supply ;;
	other) echo Other_Units_Based_Sensor ;; memory) echo Memory ;; drive) echo Drive_Slot ;;
	esac
}

# ---- the default BMC: N threshold sensors and 6 discrete ones ----
default_spec() {
	if [ "$N" -lt 5 ] || [ "$N" -gt 240 ]; then die "-n must be 5..240"; fi
	nt=$((N * 4 / 10)); nf=$((N * 2 / 10)); nv=$((N * 2 / 10)); nc=$((N / 10))
	i=1; k=1
	while [ $i -le "$N" ]; do
		if [ $k -le $nt ]; then
			echo "T $i temp degrees_C 1 0 0 5 10 75 85 95 $((30 + k % 20)) Temp $k"
		elif [ $k -le $((nt + nf)) ]; then
			echo "T $i fan RPM 50 0 10 20 30 200 220 240 $((100 + k % 20)) Fan $((k - nt))"
		elif [ $k -le $((nt + nf + nv)) ]; then
			echo "T $i volt Volts 6 -2 160 170 180 220 230 240 $((195 + k % 10)) Volt $((k - nt - nf))"
		elif [ $k -le $((nt + nf + nv + nc)) ]; then
			echo "T $i current Amps 1 -1 - - - 150 180 200 $((40 + k % 20)) Current $((k - nt - nf - nv))"
		else
			echo "T $i other Watts 2 0 - - - 200 225 250 $((120 + k % 40)) Power $((k - nt - nf - nv - nc))"
		fi
		i=$((i + 1)); k=$((k + 1))
	done
	echo "D $((N + 1)) psu 0x6f 0 PSU1 Status"
	echo "D $((N + 2)) psu 0x6f 0 PSU2 Status"
	echo "D $((N + 3)) memory 0x6f - Memory"
	echo "D $((N + 4)) drive 0x6f 0 Drive 0"
	echo "D $((N + 5)) cpu 0x6f 7 CPU1 Status"
	echo "D $((N + 6)) fan 0x0b 0 Fan Redundancy"
}

# ---- lan.conf ----
# A GUID per BMC name, so two simulators never look like one BMC.
guid=$(printf '%s' "$NAME" | md5sum | cut -c1-32)
cat >"$DIR/lan.conf" <<EOF
# ipmi_sim LAN configuration written by bench/ipmi_bmc.sh
name "$NAME"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $PORT
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid $guid
  endlan
user 1 true  ""        "test"    user     10       none md2 md5 straight
user 2 true  "admin"   "adminpw" admin    10       none md2 md5 straight
console 127.0.0.1 $CPORT
EOF

# ---- the .emu (run-time state) and .sdrs (the SDR repository) ----
# Threshold bits (readable / settable mask and event support) in ipmi_sim's
# orders: thresholds unr uc unc lnr lc lnc, leftmost first; event bits
# 14..0, of which lnc low = 0, lc low = 2, lnr low = 4, unc high = 7,
# uc high = 9, unr high = 11.
is() { [ "$1" != - ]; }
bit() { if is "$1"; then echo 1; else echo 0; fi; }
tf() { if is "$1"; then echo true; else echo false; fi; }
raw() { if is "$1"; then echo "$1"; else echo 0; fi; }

sdr_full() { # num type unit m rexp lnr lc lnc unc uc unr name
	cat <<EOF
sdr type 1
	sensor_owner_id		0x20
	sensor_owner_lun	0
	channel_number		0
	sensor_number		$1
	entity_id		system_board
	entity_instance		1
	init_scanning		true
	init_events		true
	init_thresholds		false
	init_sensor_type	true
	default_event_gen_on	true
	default_sensor_scan_on	true
	sensor_auto_rearm	true
	sensor_hysteresis	no
	sensor_threshold_access	readable
	sensor_event_msg_ctrl	per_state
	sensor_type		$(type_name "$2")
	event_reading_type_code	1
	assert_lncgl $(tf "$8")
	assert_lcgl $(tf "$7")
	assert_lnrgl $(tf "$6")
	assert_uncgh $(tf "$9")
	assert_ucgh $(tf "${10}")
	assert_unrgh $(tf "${11}")
	deassert_lncgl $(tf "$8")
	deassert_lcgl $(tf "$7")
	deassert_lnrgl $(tf "$6")
	deassert_uncgh $(tf "$9")
	deassert_ucgh $(tf "${10}")
	deassert_unrgh $(tf "${11}")
	lnc_thrsh_readable $(tf "$8")
	lc_thrsh_readable $(tf "$7")
	lnr_thrsh_readable $(tf "$6")
	unc_thrsh_readable $(tf "$9")
	uc_thrsh_readable $(tf "${10}")
	unr_thrsh_readable $(tf "${11}")
	analog_data_format	unsigned
	rate_unit		none
	modifier_unit		none
	percentage		false
	base_unit		$3
	modifier_unit_code	unspecified
	linearization		linear
	m			$4
	tolerance		0
	b			0
	accuracy		1
	accuracy_exp		0
	sensor_direction	input
	r_exp			$5
	b_exp			0
	sensor_maximum		255
	sensor_minimum		0
	lnr_thresh		$(raw "$6")
	lc_thresh		$(raw "$7")
	lnc_thresh		$(raw "$8")
	unc_thresh		$(raw "$9")
	uc_thresh		$(raw "${10}")
	unr_thresh		$(raw "${11}")
	id_string		"${12}"
endsdr

EOF
}

sdr_compact() { # num type erc name
	cat <<EOF
sdr type 2
	sensor_owner_id		0x20
	sensor_owner_lun	0
	channel_number		0
	sensor_number		$1
	entity_id		system_board
	entity_instance		1
	init_scanning		true
	init_events		true
	init_sensor_type	true
	default_event_gen_on	true
	default_sensor_scan_on	true
	sensor_auto_rearm	true
	sensor_event_msg_ctrl	per_state
	sensor_type		$(type_name "$2")
	event_reading_type_code	$3
	assert_event0 true
	assert_event1 true
	assert_event2 true
	assert_event3 true
	assert_event4 true
	assert_event5 true
	assert_event7 true
	deassert_event0 true
	deassert_event1 true
	event0_state_ret true
	event1_state_ret true
	event2_state_ret true
	event3_state_ret true
	event4_state_ret true
	event5_state_ret true
	event7_state_ret true
	id_string		"$4"
endsdr

EOF
}

EMU=$DIR/bmc.emu
SDRS=$DIR/bmc.sdrs
cat >"$EMU" <<EOF
# ipmi_sim sensors written by bench/ipmi_bmc.sh (raw values; see bmc.sdrs
# for how each converts)
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
EOF
cat >"$SDRS" <<EOF
# SDR repository written by bench/ipmi_bmc.sh; compile with sdrcomp -8
sdr type 18
	device_slave_address	0x20
	device_channel_number	0
	chassis			true
	ipmb_event_gen		false
	ipmb_event_recv		false
	fru_inventory		false
	sel			true
	sdr			true
	sensor			true
	entity_id		system_board
	entity_instance		1
	id_string		"$NAME"
endsdr

EOF

seen=" "
nsensors=0
add_sensor() {
	kind=$1 num=$2
	case $num in '' | *[!0-9]*) die "line '$*': bad sensor number" ;; esac
	if [ "$num" -lt 1 ] || [ "$num" -gt 254 ]; then die "line '$*': sensor number not in 1..254"; fi
	case $seen in *" $num "*) die "line '$*': sensor number $num used twice" ;; esac
	seen="$seen$num "
	case $kind in
	T)
		[ $# -ge 14 ] || die "line '$*': threshold sensor needs 14 fields"
		num=$2 typ=$3 unit=$4 m=$5 rexp=$6 lnr=$7 lc=$8 lnc=$9 unc=${10} uc=${11} unr=${12}
		init=${13}
		shift 13
		name=$*
		[ ${#name} -le 16 ] || die "sensor name '$name' longer than 16 characters"
		hex=$(type_hex "$typ")
		file=
		case $init in
		@*)
			file=${init#@}
			mid=$(raw "$unc")
			[ "$mid" -gt 15 ] && mid=$((mid - 15))
			echo "$mid" >"$DIR/$file"
			echo "sensor_add 0x20 0 $num $hex 0x01 poll 500 file \"$DIR/$file\" div=1" >>"$EMU"
			;;
		*)
			echo "sensor_add 0x20 0 $num $hex 0x01" >>"$EMU"
			;;
		esac
		mask="$(bit "$unr")$(bit "$uc")$(bit "$unc")$(bit "$lnr")$(bit "$lc")$(bit "$lnc")"
		ev="000$(bit "$unr")0$(bit "$uc")0$(bit "$unc")00$(bit "$lnr")0$(bit "$lc")0$(bit "$lnc")"
		echo "sensor_set_threshold 0x20 0 $num settable $mask $(raw "$unr") $(raw "$uc") $(raw "$unc") $(raw "$lnr") $(raw "$lc") $(raw "$lnc")" >>"$EMU"
		echo "sensor_set_event_support 0x20 0 $num enable scanning per-state $ev $ev $ev $ev" >>"$EMU"
		[ -n "$file" ] || echo "sensor_set_value 0x20 0 $num $init 0" >>"$EMU"
		sdr_full "$num" "$typ" "$unit" "$m" "$rexp" "$lnr" "$lc" "$lnc" "$unc" "$uc" "$unr" "$name" >>"$SDRS"
		;;
	D)
		[ $# -ge 6 ] || die "line '$*': discrete sensor needs 6 fields"
		num=$2 typ=$3 erc=$4 b=$5
		shift 5
		name=$*
		[ ${#name} -le 16 ] || die "sensor name '$name' longer than 16 characters"
		ev=000000000111111
		echo "sensor_add 0x20 0 $num $(type_hex "$typ") $erc" >>"$EMU"
		echo "sensor_set_event_support 0x20 0 $num enable scanning per-state $ev $ev $ev $ev" >>"$EMU"
		[ "$b" = - ] || echo "sensor_set_bit_clr_rest 0x20 0 $num $b 1 0" >>"$EMU"
		sdr_compact "$num" "$typ" "$erc" "$name" >>"$SDRS"
		;;
	*) die "line '$*': kind must be T or D" ;;
	esac
	nsensors=$((nsensors + 1))
}

if [ -n "$SPEC" ]; then
	lines=$(grep -v '^[[:space:]]*\(#\|$\)' "$SPEC") || die "$SPEC has no sensors"
else
	lines=$(default_spec)
fi
# Not "| while": add_sensor must run in this shell (seen, nsensors).
set -f
while read -r line; do
	# shellcheck disable=SC2086 # split the line into fields on purpose
	add_sensor $line
done <<EOF
$lines
EOF
set +f
echo "mc_enable 0x20" >>"$EMU"

mkdir -p "$DIR/state/ipmi_sim/$NAME"
sdrcomp -8 -o "$DIR/state/ipmi_sim/$NAME/sdr.20.main" "$SDRS" >"$DIR/sdrcomp.log" 2>&1 ||
	{ cat "$DIR/sdrcomp.log" >&2; die "sdrcomp failed on $SDRS"; }
