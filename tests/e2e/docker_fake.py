#!/usr/bin/env python3
"""docker_fake.py - the docker module against a fake Docker engine (a thread of this test, on a
unix socket): inspections failing with 500 then retried, a malformed listing, containers started
and ended by events, a 404 for a listed container, the engine going away and coming back."""
import hashlib
import http.server
import json
import os
import re
import select
import socket
import socketserver
import threading
import time
import urllib.parse

import e2e
from e2e import check
import docker_engine as de

POLLING = 1
API = "1.43"  # what the fake says it speaks; the agent puts /v1.43 in front of its paths


def cid(name):
    """A container id (64 hex digits) of its own for each name and test run."""
    return hashlib.sha256(("%s/%s" % (e2e.TAG, name)).encode()).hexdigest()


def ds_index(id_, probe=0):
    """dk_ds_index(): 100000 + FNV-1a 64 of the id (+ probe) mod 50000."""
    h = 0xcbf29ce484222325
    for c in id_.encode():
        h ^= c
        h = (h * 0x100000001b3) & 0xffffffffffffffff
    return 100000 + ((h + probe) & 0xffffffffffffffff) % 50000


# ---- the fake engine ----

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # as dockerd: keep-alive, chunked streams
    server_version = "Docker/24.0.7"
    sys_version = "(linux)"
    timeout = 10

    def log_message(self, fmt, *args):
        pass

    def address_string(self):
        return "unix"

    def _send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Api-Version", API)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        eng = self.server.engine
        url = urllib.parse.urlsplit(self.path)
        m = re.match(r"^(?:/v1\.\d+)?(/.*)$", url.path)
        path = m.group(1) if m else url.path
        if path == "/events":
            eng.record(self.path, 200)
            return self._events(eng)
        status, body = eng.answer(path)
        eng.record(self.path, status)
        self._send(status, body)

    def _events(self, eng):
        """The event stream: headers flushed at once, then one chunk per JSON object."""
        st = eng.subscribe()  # before the headers: from then on the agent may list
        try:
            self.send_response(200)
            self.send_header("Api-Version", API)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while not eng.stopping.is_set():
                r, _, _ = select.select([self.connection, st.rfd], [], [], 0.1)
                if self.connection in r and not self.connection.recv(1, socket.MSG_PEEK):
                    break  # the agent closed the stream
                if st.rfd in r:
                    os.read(st.rfd, 4096)
                while st.events:
                    data = (json.dumps(st.events.pop(0)) + "\n").encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                if st.cut:
                    self.wfile.write(b"0\r\n\r\n")  # a clean end of the stream
                    break
        except OSError:
            pass
        finally:
            eng.unsubscribe(st)
            self.close_connection = True
        # the engine going away ends the stream without its last chunk, as a crash would


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class FakeEngine:
    """Containers, what the engine answers about them, and every request it received."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.containers = {}      # id -> {"name", "pid", "proc"}
        self.listed = []          # ids /containers/json answers
        self.fail = {}            # id -> inspections left to answer 500
        self.gone = set()         # ids answering 404
        self.malformed_lists = 0  # listings left to answer truncated
        self.requests = []        # (time, path with query, status)
        self.streams = []         # the open event streams (Stream)
        self.stopping = threading.Event()
        self.server = None
        self.thread = None

    # -- answers --
    def answer(self, path):
        with self.lock:
            if path == "/version":
                return 200, json.dumps({
                    "Version": "24.0.7", "ApiVersion": API, "MinAPIVersion": "1.12",
                    "Os": "linux", "Arch": "amd64", "KernelVersion": os.uname().release})
            if path == "/containers/json":
                body = json.dumps([{
                    "Id": i, "Names": ["/" + self.containers[i]["name"]], "Image": "busybox",
                    "Command": "sleep 60", "State": "running", "Status": "Up 1 second"}
                    for i in self.listed])
                if self.malformed_lists > 0:
                    self.malformed_lists -= 1
                    return 200, body[:len(body) // 2]  # truncated
                return 200, body
            m = re.match(r"^/containers/([^/]+)/json$", path)
            if m:
                i = m.group(1)
                if i in self.gone or i not in self.containers:
                    return 404, json.dumps({"message": "No such container: " + i})
                if self.fail.get(i, 0) > 0:
                    self.fail[i] -= 1
                    return 500, json.dumps({"message": "fake engine: inspection failed"})
                c = self.containers[i]
                return 200, json.dumps({
                    "Id": i, "Created": "2024-01-01T00:00:00Z", "Path": "sleep", "Args": ["60"],
                    "State": {"Status": "running", "Running": True, "Paused": False,
                              "Restarting": False, "OOMKilled": False, "Dead": False,
                              "Pid": c["pid"], "ExitCode": 0, "Error": ""},
                    "Name": "/" + c["name"],
                    "Config": {"Hostname": i[:12], "Image": "busybox"},
                    "HostConfig": {"Memory": 0, "NanoCpus": 0, "CpuQuota": 0, "CpuPeriod": 0,
                                   "CpusetCpus": ""},
                    "NetworkSettings": {"MacAddress": "", "Networks": {}}})
            return 404, json.dumps({"message": "page not found"})

    def record(self, path, status):
        with self.lock:
            self.requests.append((time.time(), path, status))

    def seen(self, pattern, since=0):
        """(time, path, status) of the requests whose path matches the regex."""
        with self.lock:
            return [r for r in self.requests if r[0] >= since and re.search(pattern, r[1])]

    # -- events --
    class Stream:
        def __init__(self):
            self.events = []
            self.cut = False
            self.rfd, self.wfd = os.pipe()

        def wake(self):
            os.write(self.wfd, b"x")

    def subscribe(self):
        st = self.Stream()
        with self.lock:
            self.streams.append(st)
        return st

    def unsubscribe(self, st):
        with self.lock:
            if st in self.streams:
                self.streams.remove(st)
        os.close(st.rfd)
        os.close(st.wfd)

    def cut_streams(self):
        """End the open event streams (the agent then reconnects)."""
        with self.lock:
            for st in self.streams:
                st.cut = True
                st.wake()

    def emit(self, action, id_):
        now = time.time()
        name = self.containers[id_]["name"]
        ev = {"status": action, "id": id_, "from": "busybox", "Type": "container",
              "Action": action, "Actor": {"ID": id_, "Attributes": {"image": "busybox",
                                                                    "name": name}},
              "scope": "local", "time": int(now), "timeNano": int(now * 1e9)}
        with self.lock:
            n = len(self.streams)
            for st in self.streams:
                st.events.append(ev)
                st.wake()
        return n

    # -- containers --
    def add(self, name, listed=True):
        """A 'container': a real process (sleep) whose pid the engine reports."""
        p = e2e.start(["sleep", "60"])
        i = cid(name)
        with self.lock:
            self.containers[i] = {"name": name, "pid": p.pid, "proc": p}
            if listed:
                self.listed.append(i)
        return i

    def end(self, i):
        """The container's process ends and the engine no longer lists it."""
        e2e.stop(self.containers[i]["proc"], timeout=3)
        with self.lock:
            if i in self.listed:
                self.listed.remove(i)

    # -- life --
    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.stopping.clear()
        self.server = Server(self.path, Handler)
        self.server.engine = self
        os.chmod(self.path, 0o660)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def stop(self):
        """The engine goes away: no more connections, open streams cut, socket removed."""
        if not self.server:
            return
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        end = time.time() + 3
        while self.streams and time.time() < end:
            time.sleep(0.02)
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.server = None


def log_time(agent, pattern, near):
    """The wall-clock time of the first agent log line matching pattern (its HH:MM:SS.mmm
    taken on the day of `near`), or None."""
    m = re.search(r"^(\d\d):(\d\d):(\d\d\.\d+) .*%s" % pattern, agent.log_text(), re.M)
    if not m:
        return None
    lt = time.localtime(near)
    midnight = near - (lt.tm_hour * 3600 + lt.tm_min * 60 + lt.tm_sec + near % 1)
    t = midnight + int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return t + 86400 if t < near - 43200 else t


# ---- what the collector receives ----

class Watch:
    """Container samples (3:N) as (time, sourceId, hostname, vcpu state)."""

    def __init__(self, col):
        self.col = col
        self.got = []

    def pump(self, seconds):
        for d in self.col.datagrams(seconds):
            now = time.time()
            for src, s in de.vsamples(d):
                self.got.append((now, src, de.hostname(s), de.vcpu_state(s)))

    def of(self, name, since=0):
        return [g for g in self.got if g[2] == name and g[0] >= since]

    def until(self, cond, seconds):
        """Pump until cond() holds; its last value."""
        end = time.time() + seconds
        while not cond() and time.time() < end:
            self.pump(0.05)
        return cond()

    def wait(self, pred, seconds):
        """The first sample for which pred(sample) holds, pumping up to `seconds`."""
        end = time.time() + seconds
        while True:
            for g in self.got:
                if pred(g):
                    return g
            if time.time() >= end:
                return None
            self.pump(0.05)


def main():
    e2e.need_root()
    e2e.need_binaries()
    sock = e2e.tmpfile("docker.sock")
    eng = FakeEngine(sock)
    try:
        body(eng)
    finally:
        eng.stop()


def body(eng):
    t0 = time.time()
    ns = e2e.netns("dkf")
    port = e2e.free_port()
    col = e2e.Collector(port, ns=ns)
    w = Watch(col)

    # A: inspection fails twice with 500; C: listed, but 404 when inspected; the first
    # listing is truncated
    a = eng.add("fake_a")
    c = eng.add("fake_c")
    with eng.lock:
        eng.fail[a] = 2
        eng.gone.add(c)
        eng.malformed_lists = 1
    eng.start()
    os.environ["DOCKER_HOST"] = "unix://" + eng.path
    agent = e2e.Agent(de.agent_conf(port, POLLING), ns=ns)

    # ---- 1 and 2: a malformed listing, then inspections failing with 500 ----
    got_a = w.wait(lambda g: g[2] == "fake_a", 10)
    log = agent.log_text()
    lists = eng.seen(r"/containers/json$")
    e2e.log("fake engine received: " + ", ".join("%.2f %s %d" % (t - t0, p, s)
                                                  for t, p, s in eng.requests))
    check(len(lists) >= 2, "2: the agent asked for the listing again after the malformed "
          "one (%d listings)" % len(lists))
    check(re.search(r"Docker GET /v1\.\d+/containers/json: malformed answer", log) is not None,
          "2: the malformed listing is logged with its endpoint")
    check(len(eng.seen(r"^/version$")) >= 2, "2: the agent reconnected (GET /version again)")
    check(agent.proc.poll() is None, "2: the agent keeps running")
    check(got_a is not None, "1+2: container A is reported after the good listing")
    ins_a = eng.seen(r"/containers/%s/json$" % a)
    check([s for _, _, s in ins_a] == [500, 500, 200], "1: A was inspected 3 times: 500, 500, "
          "200 (%s)" % [s for _, _, s in ins_a])
    gaps = [ins_a[i + 1][0] - ins_a[i][0] for i in range(len(ins_a) - 1)]
    check(0.8 <= gaps[0] <= 1.6 and 1.8 <= gaps[1] <= 2.6, "1: retries 1 s then 2 s apart "
          "(%.2f s, %.2f s)" % tuple(gaps))
    # retried 1 s, then 2 s later (each up to ~0.35 s late: timer accuracy), polled at once,
    # then up to 1 s in the exporter's datagram (FLUSH_USEC)
    started = log_time(agent, r"Docker: container fake_a \(\w+, pid \d+\) started", got_a[0])
    check(started is not None and started - ins_a[0][0] <= 4.0, "1: A started (polled) %.2f s "
          "after its first inspection" % ((started or 99) - ins_a[0][0]))
    delay = got_a[0] - ins_a[0][0]
    check(delay <= 5.5, "1: A's first sample received %.2f s after its first inspection"
          % delay)
    src_a = got_a[1]
    check(src_a == "3:%d" % ds_index(a), "1: A is %s (3:N from its id), hostname %s" %
          (src_a, got_a[2]))
    check(got_a[3] == 1, "1: A's virt_cpu state is running")
    check(re.search(r"Docker GET /v1\.\d+/containers/%s/json: HTTP 500" % a, log) is not None,
          "1: the 500s are logged with the endpoint")
    check("could not be inspected" not in log, "1: no inspection given up")

    # ---- 4: a 404 for a listed container (its retry would have come 1 s, then 3 s later) ----
    ins_c = eng.seen(r"/containers/%s/json$" % c)
    wait_more = ins_c[0][0] + 3.5 - time.time() if ins_c else 0
    if wait_more > 0:
        w.pump(wait_more)
    ins_c = eng.seen(r"/containers/%s/json$" % c)
    check([s for _, _, s in ins_c] == [404], "4: C inspected once, answered 404, not retried "
          "(%d requests)" % len(ins_c))
    check(not w.of("fake_c"), "4: C is not reported")

    # ---- 3: B started and ended by events ----
    b = eng.add("fake_b")
    t = time.time()
    n = eng.emit("start", b)
    check(n == 1, "3: one event stream open when B starts")
    got_b = w.wait(lambda g: g[2] == "fake_b", 3)
    check(got_b is not None and got_b[3] == 1, "3: B started by an event is reported (%.2f s)"
          % ((got_b or [t])[0] - t))
    ins_b = eng.seen(r"/containers/%s/json$" % b)
    check(len(ins_b) == 1, "3: B inspected once")
    e2e.log("B: inspected %.3f s after its start event, first sample %.3f s after" %
            (ins_b[0][0] - t, got_b[0] - t))
    src_b = got_b[1]
    w.pump(POLLING + 0.2)  # a regular poll of B
    eng.end(b)
    t = time.time()
    eng.emit("die", b)
    fin_b = w.wait(lambda g: g[2] == "fake_b" and g[3] == 4, 2)
    # the final sample is made at once; it waits for its datagram up to 1 s (FLUSH_USEC)
    ended = log_time(agent, r"Docker: container fake_b \(\w+\) ended", t)
    check(ended is not None and ended - t <= 0.5, "3: die: B ended (its final sample polled) "
          "%.3f s after the event" % max(0.0, (ended or t + 99) - t))
    check(fin_b is not None and fin_b[0] - t <= 1.2, "3: die: final sample of B with virt_cpu "
          "state shutdown (4) received %.2f s after the event" % ((fin_b or [t + 99])[0] - t))
    time.sleep(0.2)
    eng.emit("destroy", b)  # as docker rm does after die
    w.pump(2 * POLLING + 0.5)
    after = [g for g in w.got if g[1] == src_b and g[0] > fin_b[0]]
    check(len([g for g in w.of("fake_b") if g[3] == 4]) == 1 and not after,
          "3: exactly one final sample of B, nothing from %s afterwards" % src_b)

    # ---- 2b: the event stream ends; the next listing is malformed while A runs ----
    with eng.lock:
        eng.malformed_lists = 1
    n_lists = len(eng.seen(r"/containers/json$"))
    n_ins_a = len(eng.seen(r"/containers/%s/json$" % a))
    t_cut = time.time()
    eng.cut_streams()
    ok = w.until(lambda: len(eng.seen(r"/containers/json$")) >= n_lists + 2 and
                 len(eng.streams) == 1, 8)
    lists = eng.seen(r"/containers/json$", since=t_cut)
    e2e.log("2b: listings %s s after the stream ended" % ", ".join(
        "%.2f" % (t - t_cut) for t, _, _ in lists))
    check(ok, "2b: after the event stream ended, a malformed listing, then a good one")
    check(len(re.findall(r"Docker GET /v1\.\d+/containers/json: malformed answer",
                         agent.log_text())) == 2, "2b: the second malformed listing is logged")
    w.pump(POLLING + 0.5)
    since = w.of("fake_a", since=t_cut)
    check(len(since) >= 3 and all(g[1] == src_a and g[3] == 1 for g in since),
          "2b: A stays reported as %s, running, throughout (%d samples)" % (src_a, len(since)))
    e2e.log("A inspected %d time(s) after the stream ended" %
            (len(eng.seen(r"/containers/%s/json$" % a)) - n_ins_a))

    # ---- 5: the engine goes away and comes back ----
    d = eng.add("fake_d")
    eng.emit("start", d)
    got_d = w.wait(lambda g: g[2] == "fake_d", 3)
    check(got_d is not None, "5: D is reported")
    src_d = got_d[1]
    w.pump(0.3)
    n_ins_a = len(eng.seen(r"/containers/%s/json$" % a))
    log_before = len(agent.log_text())
    t_stop = time.time()
    eng.stop()
    eng.end(d)  # D ends while the engine is away
    # away 3.6 s: with polling 1 s and a sample waiting up to 1 s for its datagram, at least
    # two of A's arrive in the window even when the machine is slow
    w.pump(3.6 - (time.time() - t_stop))
    during = w.of("fake_a", since=t_stop + 0.2)
    check(len(during) >= 2 and all(g[1] == src_a for g in during), "5: A still reported as %s "
          "while the engine is away (%d samples)" % (src_a, len(during)))
    t_back = time.time()
    eng.start()
    e2e.log("engine back %.2f s after it went away" % (t_back - t_stop))
    fin_d = w.wait(lambda g: g[2] == "fake_d" and g[3] == 4, 10)
    vers = eng.seen(r"^/version$", since=t_back)
    check(vers and fin_d is not None, "5: reconnected %.2f s after the engine came back; D, "
          "gone meanwhile, got its final sample %.2f s after" % (
              (vers or [(t_back + 99,)])[0][0] - t_back, (fin_d or [t_back + 99])[0] - t_back))
    log = agent.log_text()
    tail = log[log_before:]
    e2e.log("agent log after the engine went away:\n" + tail)
    m1 = tail.find("reconnecting in 1000 ms")
    m2 = tail.find("reconnecting in 2000 ms", m1 + 1)
    check(m1 >= 0 and m2 > m1, "5: reconnection attempts back off (1 s, then 2 s)")
    check(re.search(r"Docker (event stream from \S+ ended|GET /v1\.\d+/events)", tail)
          is not None, "5: the lost connection is logged")
    check("connected, 2 containers running" in tail, "5: the resynchronisation is logged "
          "(A and C listed)")
    w.pump(2 * POLLING + 1.5)  # two polls of A, each sample waiting up to 1 s for its datagram
    after = [g for g in w.got if g[1] == src_d and g[0] > fin_d[0]]
    check(len([g for g in w.of("fake_d") if g[3] == 4]) == 1 and not after,
          "5: exactly one final sample of D, nothing from %s afterwards" % src_d)
    ins_c = eng.seen(r"/containers/%s/json$" % c, since=t_back)
    check([s for _, _, s in ins_c] == [404], "4: C, still listed, inspected once more after "
          "the reconnection (%d requests)" % len(ins_c))
    back = w.of("fake_a", since=fin_d[0])
    check(len(back) >= 2 and all(g[1] == src_a and g[3] == 1 for g in back),
          "5: A, still listed, keeps its source %s (%d samples since)" % (src_a, len(back)))
    e2e.log("A inspected %d time(s) after the reconnection" %
            (len(eng.seen(r"/containers/%s/json$" % a)) - n_ins_a))
    check(not w.of("fake_c"), "4: C never reported")
    check(agent.proc.poll() is None, "the agent still runs")
    e2e.log("whole test %.1f s" % (time.time() - t0))


if __name__ == "__main__":
    e2e.run(main)
