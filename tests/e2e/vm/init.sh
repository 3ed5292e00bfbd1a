#!/bin/sh
# init.sh - PID 1 of the kernel VM test: load the modules, build the topology, run hsflowd and
# sflowcat, send known traffic, print the evidence (collector output, kernel counters) between
# markers on the serial console, power off. The host judges it (tests/e2e/psample_vm.py).
export PATH=/bin:/sbin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t tmpfs tmp /tmp; mount -t tmpfs run /run
mkdir -p /run/netns /var/run; ln -s /run/netns /var/run/netns 2>/dev/null
for m in $(cat /modules.order); do insmod /lib/modules/$m.ko || echo "VM: insmod $m failed"; done
for k in net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv4.ip_forward=1; do sysctl -qw $k; done
IP=/sbin/ip; TC=/sbin/tc
$IP link set lo up
. /params
for ns in a c d; do
  $IP netns add $ns; $IP -n $ns link set lo up
  for k in net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; do
    $IP netns exec $ns sysctl -qw $k
  done
done
# a <-> root (vb): local traffic and traffic forwarded to c
$IP link add vb type veth peer name va netns a
$IP addr add 192.0.2.2/24 dev vb; $IP link set vb up
$IP -n a addr add 192.0.2.1/24 dev va; $IP -n a link set va up
$IP -n a route add 198.51.100.0/24 via 192.0.2.2
# root (vc) <-> c
$IP link add vc type veth peer name vc2 netns c
$IP addr add 198.51.100.1/25 dev vc; $IP link set vc up
$IP -n c addr add 198.51.100.2/25 dev vc2; $IP -n c link set vc2 up
$IP -n c route add default via 198.51.100.1
# an interface whose ifindex does not fit in 16 bits
$IP link add vbig index 70000 type veth peer name vbig2 netns d
$IP addr add 198.51.100.129/25 dev vbig; $IP link set vbig up
$IP -n d addr add 198.51.100.130/25 dev vbig2; $IP -n d link set vbig2 up
mac() { cat /sys/class/net/$1/address; }
nmac() { $IP netns exec $1 cat /sys/class/net/$2/address; }
$IP neigh replace 192.0.2.1 lladdr $(nmac a va) dev vb nud permanent
$IP -n a neigh replace 192.0.2.2 lladdr $(mac vb) dev va nud permanent
$IP neigh replace 198.51.100.2 lladdr $(nmac c vc2) dev vc nud permanent
$IP -n c neigh replace 198.51.100.1 lladdr $(mac vc) dev vc2 nud permanent
$IP neigh replace 198.51.100.130 lladdr $(nmac d vbig2) dev vbig nud permanent
$IP -n d neigh replace 198.51.100.129 lladdr $(mac vbig) dev vbig2 nud permanent
for d in vb vbig; do
  $TC qdisc add dev $d clsact
  $TC filter add dev $d ingress matchall action sample rate $RATE group 1
done
$TC filter add dev vb egress matchall action sample rate $RATE group 2
/bin/udpsend sink 192.0.2.2 9999 & /bin/udpsend sink 198.51.100.129 9999 &
$IP netns exec a /bin/udpsend sink 192.0.2.1 9999 &
$IP netns exec c /bin/udpsend sink 198.51.100.2 9999 &
cat > /etc/hsflowd.conf <<CONF
sflow { polling = 0 collector { ip = 127.0.0.1 udpport = 6343 }
  psample { group = 1 egress = on }
  dropmon { limit = $LIMIT } }
CONF
/bin/sflowcat -j -p 6343 > /tmp/col.jsonl 2>/tmp/col.err &
COL=$!
/bin/hsflowd -dd -u 11111111-2222-3333-4444-555555555555 -f /etc/hsflowd.conf > /tmp/agent.log 2>&1 &
AGENT=$!
i=0; while ! grep -q "dropmon: drop monitor started" /tmp/agent.log && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
T0=$(awk '{print $14+$15}' /proc/$AGENT/stat)
$IP netns exec a /bin/udpsend 192.0.2.2 9999 $K_LOCAL $SIZE L
$IP netns exec a /bin/udpsend 198.51.100.2 9999 $K_FWD $SIZE F
$IP netns exec d /bin/udpsend 198.51.100.129 9999 $K_BIG $SIZE G
/bin/udpsend 192.0.2.1 9999 $K_OUT $SIZE E
sleep 1.5
# drops: UDP to a port nothing listens on (NO_SOCKET), a burst far above the limit
NOPORTS0=$(awk '/^Udp: [0-9]/ {print $3}' /proc/net/snmp)
D0=$(cut -d' ' -f1 /proc/uptime)
$IP netns exec a /bin/udpsend 192.0.2.2 9000 $K_DROP $SIZE D
D1=$(cut -d' ' -f1 /proc/uptime)
NOPORTS1=$(awk '/^Udp: [0-9]/ {print $3}' /proc/net/snmp)
sleep 1.5
# a packet to be forwarded out of an interface that is down
$IP link set vc down
X0=$(cut -d' ' -f1 /proc/uptime)
$IP netns exec a /bin/udpsend 198.51.100.2 9999 $K_DOWN $SIZE X
X1=$(cut -d' ' -f1 /proc/uptime)
sleep 1.5
T1=$(awk '{print $14+$15}' /proc/$AGENT/stat)
kill $AGENT; sleep 1; kill $COL
echo "VM-BEGIN"
echo "ifindex vb=$(cat /sys/class/net/vb/ifindex) vc=$(cat /sys/class/net/vc/ifindex) vbig=$(cat /sys/class/net/vbig/ifindex)"
echo "mac vb=$(mac vb) va=$(nmac a va) vbig=$(mac vbig) vbig2=$(nmac d vbig2)"
echo "stats vb_rx=$(cat /sys/class/net/vb/statistics/rx_packets) vb_tx=$(cat /sys/class/net/vb/statistics/tx_packets) vbig_rx=$(cat /sys/class/net/vbig/statistics/rx_packets) vc_tx=$(cat /sys/class/net/vc/statistics/tx_packets)"
echo "drops noports0=$NOPORTS0 noports1=$NOPORTS1 d0=$D0 d1=$D1 x0=$X0 x1=$X1"
echo "cpu ticks0=$T0 ticks1=$T1 hz=$(getconf CLK_TCK 2>/dev/null || echo 100)"
echo "AGENT-LOG"; cat /tmp/agent.log | grep -v "debug:" | head -50
echo "COLLECTOR"; cat /tmp/col.jsonl
echo "VM-END"
poweroff -f
