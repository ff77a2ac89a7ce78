# Long-lived echo connections of the flood system test and the soak script.
# usage: echo_clients.py HOST PORT CONNECTIONS SECONDS
# Each connection sends 1 KiB chunks of a deterministic byte stream (SHA-256 of its index and a
# counter) about 50 times a second and checks that the echo is the same bytes; it keeps a hash of
# everything echoed and the longest gap between two echoes. One line per connection at the end:
#   conn=<i> ok bytes=<n> sha256=<hex> expected=<hex> maxGapMs=<ms>   or   conn=<i> error=<what> ...
import hashlib, socket, sys, threading, time

host, port, connections, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
results = [None] * connections
ready = threading.Barrier(connections + 1)

def chunk(index, counter):
    seed = hashlib.sha256(("%d:%d" % (index, counter)).encode()).digest()
    return seed * 32  # 1024 bytes

def run(index):
    echoed, expected = hashlib.sha256(), hashlib.sha256()
    total, max_gap, counter = 0, 0.0, 0
    try:
        s = socket.create_connection((host, port), timeout=10)
        s.settimeout(30)
    except Exception as e:
        results[index] = "conn=%d error=connect:%s" % (index, e)
        ready.wait()
        return
    ready.wait()
    start = last = time.monotonic()
    try:
        while time.monotonic() - start < seconds:
            data = chunk(index, counter)
            counter += 1
            s.sendall(data)
            expected.update(data)
            got = b""
            while len(got) < len(data):
                part = s.recv(len(data) - len(got))
                if not part:
                    raise IOError("closed by peer after %d bytes" % total)
                got += part
            now = time.monotonic()
            max_gap = max(max_gap, now - last)
            last = now
            if got != data:
                raise IOError("echo differs at chunk %d" % counter)
            echoed.update(got)
            total += len(got)
            time.sleep(0.02)
        s.close()
        results[index] = "conn=%d ok bytes=%d sha256=%s expected=%s maxGapMs=%d" % (
            index, total, echoed.hexdigest(), expected.hexdigest(), int(max_gap * 1000))
    except Exception as e:
        results[index] = "conn=%d error=%s bytes=%d maxGapMs=%d" % (index, e, total, int(max_gap * 1000))

threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
for t in threads:
    t.start()
ready.wait()
print("established %d" % connections, flush=True)
for t in threads:
    t.join()
for line in results:
    print(line, flush=True)
print("done", flush=True)
