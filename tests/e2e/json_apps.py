#!/usr/bin/env python3
"""json_apps.py - the json module end to end: an application sends every message type over UDP
(127.0.0.1 and ::1) and a FIFO (created by the agent; writers come and go); sflowcat decodes
every field back to what was sent; malformed, out-of-range and oversized documents send nothing
and are logged with the reason; sub-sampling keeps the expected share at the configured rate
(deepest sampling.app.<name> match); datagrams from outside the host (to the veth address, and to
127.0.0.1 through the veth) never arrive; a reload onto the deprecated jsonPort keeps the data
source and its sequence numbers."""
import json
import os
import stat
import time

import e2e
from e2e import check

SENDER = r"""
import socket, sys
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for line in open(sys.argv[3], "rb"):
    s.sendto(line.rstrip(b"\n"), (sys.argv[1], int(sys.argv[2])))
"""

# A UDP datagram to 127.0.0.1 sent as a raw frame out of the outside namespace's veth.
RAW = r"""
import socket, struct, sys
dev, dst_mac, port, payload = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3]), sys.argv[4].encode()
src_mac = bytes.fromhex(open("/sys/class/net/%s/address" % dev).read().strip().replace(":", ""))
udp = struct.pack("!HHHH", 40000, port, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 socket.inet_aton("192.0.2.2"), socket.inet_aton("127.0.0.1"))
csum = sum(struct.unpack("!10H", ip)); csum = (csum & 0xffff) + (csum >> 16); csum = ~((csum & 0xffff) + (csum >> 16)) & 0xffff
ip = ip[:10] + struct.pack("!H", csum) + ip[12:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
for _ in range(3):
    s.send(dst_mac + src_mac + b"\x08\x00" + ip + udp)
"""

SHOP = {"flow_sample": {
    "app_name": "shop", "service_port": 8080, "client": True, "sampling_rate": 3,
    "app_operation": {"operation": "buy", "attributes": "item=7&n=2", "status_descr": "fine",
                      "status": 4, "req_bytes": 12345678901, "resp_bytes": 2, "uS": 4294967295},
    "app_parent_context": {"application": "web", "operation": "get", "attributes": "q=1"},
    "app_initiator": {"actor": "alice"}, "app_target": {"actor": "bob"},
    "extended_socket_ipv4": {"protocol": 6, "local_ip": "192.0.2.10", "remote_ip": "198.51.100.7",
                             "local_port": 8080, "remote_port": 55555},
    "extended_socket_ipv6": {"protocol": 17, "local_ip": "2001:db8::1", "remote_ip": "2001:db8::2",
                             "local_port": 53, "remote_port": 65535}}}
CART = {"flow_sample": {"app_name": "cart", "app_operation": {"operation": "add", "status": 0,
                                                              "req_bytes": 1, "resp_bytes": 0,
                                                              "uS": 10}}}
FIFOAPP = {"flow_sample": {"app_name": "fifoapp", "sampling_rate": 1,
                           "app_operation": {"operation": "op", "status": 10}}}
SHOP_CTR = {"counter_sample": {
    "app_name": "shop", "service_port": 8080,
    "app_operations": {"success": 11, "other": 12, "timeout": 13, "internal_error": 14,
                       "bad_request": 15, "forbidden": 16, "too_large": 17, "not_implemented": 18,
                       "not_found": 19, "unavailable": 20, "unauthorized": 21},
    "app_resources": {"user_time": 1, "system_time": 2, "mem_used": 3000000000000, "mem_max": 4,
                      "fd_open": 5, "fd_max": 6, "conn_open": 7, "conn_max": 8},
    "app_workers": {"workers_active": 9, "workers_idle": 10, "workers_max": 11, "req_delayed": 12,
                    "req_dropped": 13}}}
RTM = {"rtmetric": {"datasource": "web1",
                    "s": {"type": "string", "value": "hello world"},
                    "c32": {"type": "counter32", "value": 4294967295},
                    "c64": {"type": "counter64", "value": 18446744073709551615},
                    "g32": {"type": "gauge32", "value": 7},
                    "g64": {"type": "gauge64", "value": 8589934592},
                    "gf": {"type": "gaugeFloat", "value": 1.5},
                    "gd": {"type": "gaugeDouble", "value": -2.25}}}
RTF = {"rtflow": {"datasource": "flows1", "sampling_rate": 10,
                  "s": {"type": "string", "value": "x"},
                  "m": {"type": "mac", "value": "020304050607"},
                  "ip": {"type": "ip", "value": "192.0.2.99"},
                  "ip6": {"type": "ip6", "value": "2001:db8::99"},
                  "i32": {"type": "int32", "value": 123},
                  "i64": {"type": "int64", "value": 9007199254740993},
                  "f": {"type": "float", "value": 0.5},
                  "d": {"type": "double", "value": 1e10}}}

# (document text, the reason the log must give for the first)
BAD = [
    ('{"flow_sample":{"app_name":"bad1","app_operation":{"status":11}}}',
     "flow_sample.app_operation.status: 11 out of range"),
    ('{"flow_sample":{"app_name":"bad2","app_operation":{},"extended_socket_ipv4":'
     '{"local_ip":"10.0.0.300"}}}', None),
    ('{"flow_sample":{"app_name":"bad3","app_operation":{"req_bytes":-1}}}', None),
    ('{"flow_sample":{"app_name":"bad4","app_operation":{}', None),
    ('{"counter_sample":{"app_name":"bad5","app_resources":{"mem_used":1.5}}}', None),
    ('{"rtmetric":{"datasource":"bad6","m":{"type":"gauge32","value":4294967296}}}', None),
    ('{"rtflow":{"datasource":"bad7","m":{"type":"mac","value":"zz0304050607"}}}', None),
    ('{"flow_sample":{"app_name":"bad8","app_operation":{}},"rtflow":{"datasource":"bad8",'
     '"m":{"type":"ip","value":"nope"}}}', None),
    ('{"flow_sample":{"app_name":"bad9","app_operation":{"attributes":"%s"}}}' % ("a" * 10100),
     None),
]

STATUS = ["SUCCESS", "OTHER", "TIMEOUT", "INTERNAL_ERROR", "BAD_REQUEST", "FORBIDDEN",
          "TOO_LARGE", "NOT_IMPLEMENTED", "NOT_FOUND", "UNAVAILABLE", "UNATHORIZED"]


def v6(a):
    import ipaddress
    return ":".join("%04x" % int(h, 16) for h in ipaddress.IPv6Address(a).exploded.split(":"))


def expect_flow(doc):
    f = doc["flow_sample"]
    op = f["app_operation"]
    els = [("0:2202", {"flowSampleType": "applicationOperation", "application": f["app_name"],
                       "request_bytes": str(op.get("req_bytes", 0)),
                       "response_bytes": str(op.get("resp_bytes", 0)),
                       "duration_uS": str(op.get("uS", 0)), "status": STATUS[op.get("status", 0)]})]
    for k in ("operation", "attributes", "status_descr"):
        if op.get(k):
            els[0][1][k] = op[k]
    if "app_parent_context" in f:
        els.append(("0:2203", {"server_context_" + k: v for k, v in
                               f["app_parent_context"].items()}))
    if "app_initiator" in f:
        els.append(("0:2204", {"actor_initiator": f["app_initiator"]["actor"]}))
    if "app_target" in f:
        els.append(("0:2205", {"actor_target": f["app_target"]["actor"]}))
    for tag, key, fam in (("0:2100", "extended_socket_ipv4", "socket4"),
                          ("0:2101", "extended_socket_ipv6", "socket6")):
        if key in f:
            s = f[key]
            conv = (lambda a: a) if fam == "socket4" else v6
            els.append((tag, {"extendedType": fam, fam + "_ip_protocol": str(s["protocol"]),
                              fam + "_local_ip": conv(s["local_ip"]),
                              fam + "_remote_ip": conv(s["remote_ip"]),
                              fam + "_local_port": str(s["local_port"]),
                              fam + "_remote_port": str(s["remote_port"])}))
    return els


def find(got, pred):
    return [s for d in got for s in d.get("samples", []) if pred(s)]


def app_of(s):
    for e in s.get("elements", []):
        if "application" in e:
            return e["application"]
    return s.get("rtmetric_datasource_name", s.get("rtflow_datasource_name"))


def check_elements(s, want, what):
    els = s.get("elements", [])
    tags = [e.get("flowBlock_tag", e.get("counterBlock_tag")) for e in els]
    check(len(els) == len(want), "%s: %d records (%s)" % (what, len(want), tags))
    for e, (tag, fields) in zip(els, want):
        tag_got = e.get("flowBlock_tag", e.get("counterBlock_tag"))
        diff = {k: (v, e.get(k)) for k, v in fields.items() if e.get(k) != v}
        check(tag_got == tag and not diff, "%s: record %s decodes to what was sent %s"
              % (what, tag, diff or ""))


def proc_udp(ns, port):
    """Local addresses of the sockets on port, from /proc/net/udp and udp6 of the namespace."""
    out = []
    for f in ("/proc/net/udp", "/proc/net/udp6"):
        for line in e2e.sh("cat " + f, ns=ns).splitlines()[1:]:
            local = line.split()[1]
            addr, p = local.split(":")
            if int(p, 16) == port:
                out.append(addr)
    return out


def main():
    e2e.need_root()
    e2e.need_binaries()
    ns, out = e2e.netns("jA"), e2e.netns("jB")
    va, vb = e2e.veth_pair(ns, "ja", out, "jb", "192.0.2.1/24", "192.0.2.2/24")
    cport, jport, jport2 = 7101, 36343, 36344
    fifo = e2e.tmpfile("app.fifo")
    col = e2e.Collector(cport, ns=ns)
    conf = ("sflow {\n  polling = 30\n  polling.app = 1\n"
            "  sampling.app.sub = 4\n  sampling.app.sub.x = 2\n"
            "  collector { ip = 127.0.0.1 udpport = %d }\n  json { udpport = %d fifo = %s }\n}\n"
            % (cport, jport, fifo))
    agent = e2e.Agent(conf, ns=ns)
    check(agent.wait_log("json: reading FIFO", 5), "the module starts")
    st = os.stat(fifo)
    check(stat.S_ISFIFO(st.st_mode), "the missing FIFO was created")
    local = proc_udp(ns, jport)
    check(sorted(local) == ["00000000000000000000000001000000", "0100007F"],
          "/proc/net/udp{,6}: the json socket listens on 127.0.0.1 and ::1 only (%s)" % local)

    sender = e2e.tmpfile("sender.py", SENDER)

    def send(addr, port, docs, ns_=ns):
        path = e2e.tmpfile("docs.jsonl", "".join((d if isinstance(d, str) else json.dumps(d))
                                                 + "\n" for d in docs))
        e2e.sh("python3 %s %s %d %s" % (sender, addr, port, path), ns=ns_)

    t0 = time.time()
    # 1. UDP over IPv4 and IPv6; the malformed ones in between.
    send("127.0.0.1", jport, [SHOP, SHOP_CTR] + [b for b, _ in BAD])
    send("::1", jport, [CART, RTM])
    # 2. The FIFO, two writers one after the other, with an oversized line between them.
    with open(fifo, "w") as w:
        w.write(json.dumps(RTF) + "\n")
    with open(fifo, "w") as w:
        w.write('{"flow_sample":{"app_name":"bigline","app_operation":{"attributes":"%s"}}}\n'
                % ("b" * 20000))
        w.write(json.dumps(FIFOAPP) + "\n")
    # 3. From outside the host: to the veth address, and to 127.0.0.1 through the veth.
    outside = json.dumps({"flow_sample": {"app_name": "outside1", "app_operation": {}}})
    send("192.0.2.1", jport, [outside], ns_=out)
    mac = e2e.sh("cat /sys/class/net/%s/address" % va, ns=ns).strip()
    raw = e2e.tmpfile("raw.py", RAW)
    e2e.sh("python3 %s %s %s %d '%s'" % (raw, vb, mac, jport, json.dumps(
        {"flow_sample": {"app_name": "outside2", "app_operation": {}}})), ns=out)
    # 4. Sub-sampling: 400 transactions of sub.x (sampling.app.sub.x = 2) and of sub.y (falls
    #    back to sampling.app.sub = 4), each already sampled 1-in-1 by the application.
    subs = [{"flow_sample": {"app_name": n, "app_operation": {}}} for n in ("sub.x", "sub.y")]
    send("127.0.0.1", jport, subs * 400)
    control = {"flow_sample": {"app_name": "control", "app_operation": {}}}
    send("127.0.0.1", jport, [control])

    got = col.datagrams(3.5)
    names = {app_of(s) for s in find(got, lambda s: True)}
    check("control" in names, "the control document sent after the outside ones arrived")
    check("outside1" not in names, "a datagram to the veth address never arrives")
    check("outside2" not in names, "a datagram to 127.0.0.1 from the veth never arrives")
    bad_names = {"bad%d" % i for i in range(1, 10)} | {"bigline"}
    check(not (names & bad_names), "malformed, out-of-range and oversized documents send nothing "
          "(%s)" % sorted(names & bad_names))

    # sub-sampled applications: rate reported, kept count within 4 standard deviations
    for name, rate in (("sub.x", 2), ("sub.y", 4)):
        got_s = find(got, lambda s: s.get("sampleType_tag") == "0:3" and app_of(s) == name)
        p = 1.0 / rate
        sd = (400 * p * (1 - p)) ** 0.5
        check(abs(len(got_s) - 400 * p) <= 4 * sd and
              {s["meanSkipCount"] for s in got_s} == {str(rate)} and
              max(int(s["samplePool"]) for s in got_s) <= 400,
              "%s: %d of 400 kept (expected %.0f +- %.0f), reported at 1-in-%d" %
              (name, len(got_s), 400 * p, 4 * sd, rate))

    # flow samples
    shop = find(got, lambda s: s.get("sampleType_tag") == "0:3" and app_of(s) == "shop")
    check(len(shop) == 1, "one flow sample of shop")
    s = shop[0]
    src = s["sourceId"]
    cls, idx = src.split(":")
    check(cls == "3" and 150000 <= int(idx) < 200000, "shop is data source 3:N (%s)" % src)
    check(s["meanSkipCount"] == "3" and s["samplePool"] == "3" and s["dropEvents"] == "0",
          "shop: sampling rate 3, pool 3")
    check(s["inputPort"] == "1073741823" and s["outputPort"] == "0", "client: input internal")
    check_elements(s, expect_flow(SHOP), "shop")
    cart = find(got, lambda s: s.get("sampleType_tag") == "0:3" and app_of(s) == "cart")
    check(len(cart) == 1 and cart[0]["outputPort"] == "1073741823" and
          cart[0]["inputPort"] == "0", "cart (over IPv6): server side, output internal")
    check_elements(cart[0], expect_flow(CART), "cart")
    fa = find(got, lambda s: s.get("sampleType_tag") == "0:3" and app_of(s) == "fifoapp")
    check(len(fa) == 1, "the second FIFO writer's document arrived after the oversized line")
    check_elements(fa[0], expect_flow(FIFOAPP), "fifoapp")

    # counter samples: what shop sent, and what cart's operations add up to
    ctr = find(got, lambda s: s.get("sampleType_tag") == "0:4" and s.get("sourceId") == src)
    check(len(ctr) >= 1, "shop's counters are polled (%d samples in 3.5 s)" % len(ctr))
    c = SHOP_CTR["counter_sample"]
    ops = c["app_operations"]
    want = [("0:2202", dict({"application": "shop"},
                            **{"status_OK" if k == "success" else "errors_" + k.upper(): str(v)
                               for k, v in ops.items()})),
            ("0:2203", {"user_time": "1", "system_time": "2", "memory_used": "3000000000000",
                        "memory_max": "4", "files_open": "5", "files_max": "6",
                        "connections_open": "7", "connections_max": "8"}),
            ("0:2206", {"workers_active": "9", "workers_idle": "10", "workers_max": "11",
                        "requests_delayed": "12", "requests_dropped": "13"}),
            ("0:2002", {"parent_dsClass": "2", "parent_dsIndex": "1"})]
    check_elements(ctr[-1], want, "shop counters")
    cart_src = cart[0]["sourceId"]
    cc = find(got, lambda s: s.get("sampleType_tag") == "0:4" and s.get("sourceId") == cart_src)
    check(len(cc) >= 1 and cc[-1]["elements"][0].get("status_OK") == "1" and
          cc[-1]["elements"][0].get("errors_OTHER") == "0",
          "cart sent no counters: 2202 counts its operations (1 success)")

    # rtmetric / rtflow
    rm = find(got, lambda s: s.get("sampleType_tag") == "4300:1002")
    check(len(rm) == 1, "one rtmetric sample")
    want = {"sampleType": "RTMETRIC", "rtmetric_datasource_name": "web1",
            "rtmetric_string_s": "hello world", "rtmetric_counter32_c32": "4294967295",
            "rtmetric_counter64_c64": "18446744073709551615", "rtmetric_gauge32_g32": "7",
            "rtmetric_gauge64_g64": "8589934592", "rtmetric_gaugeFloat_gf": "1.500",
            "rtmetric_gaugeDouble_gd": "-2.250"}
    diff = {k: (v, rm[0].get(k)) for k, v in want.items() if rm[0].get(k) != v}
    check(not diff, "rtmetric decodes to what was sent %s" % (diff or ""))
    rf = find(got, lambda s: s.get("sampleType_tag") == "4300:1003")
    check(len(rf) == 1, "one rtflow sample (from the FIFO)")
    want = {"sampleType": "RTFLOW", "rtflow_datasource_name": "flows1",
            "rtflow_sampling_rate": "10", "rtflow_string_s": "x", "rtflow_mac_m": "020304050607",
            "rtflow_ip_ip": "192.0.2.99", "rtflow_ip6_ip6": v6("2001:db8::99"),
            "rtflow_int32_i32": "123", "rtflow_int64_i64": "9007199254740993",
            "rtflow_float_f": "0.500", "rtflow_double_d": "10000000000.000"}
    diff = {k: (v, rf[0].get(k)) for k, v in want.items() if rf[0].get(k) != v}
    check(not diff, "rtflow decodes to what was sent %s" % (diff or ""))

    log = agent.log_text()
    check(BAD[0][1] in log, "the first refusal is logged with its reason")
    check(log.count("refused:") <= 2, "refusals are rate-limited (%d lines for %d documents)"
          % (log.count("refused:"), len(BAD) + 1))
    check(agent.proc.poll() is None, "the agent keeps running")

    # 4. Reload onto the deprecated top-level jsonPort: same data source, sequence goes on.
    agent.rewrite("sflow {\n  polling = 30\n  polling.app = 1\n  jsonPort = %d\n"
                  "  collector { ip = 127.0.0.1 udpport = %d }\n}\n" % (jport2, cport))
    check(agent.wait_log("port %d" % jport2, 5), "the reload moves the module to jsonPort")
    check(proc_udp(ns, jport) == [], "the old port is closed")
    col.datagrams(0.2)
    send("127.0.0.1", jport2, [SHOP])
    got = col.datagrams(2)
    shop2 = find(got, lambda s: s.get("sampleType_tag") == "0:3" and app_of(s) == "shop")
    check(len(shop2) == 1 and shop2[0]["sourceId"] == src and
          shop2[0]["sampleSequenceNo"] == "2" and shop2[0]["samplePool"] == "6",
          "after the reload shop is still %s, flow sequence 2, pool 6" % src)
    check(e2e.stop(agent.proc) == 0, "the agent exits 0")
    e2e.log("figures: %.1f s; %d good documents, 800 sub-sampled, %d refused, 2 from outside" %
            (time.time() - t0, 8, len(BAD) + 1))


if __name__ == "__main__":
    e2e.run(main)
